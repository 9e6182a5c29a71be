"""The wheel carries schemas/ and fixtures/, and the one loader finds them when installed."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

# One xdist worker builds the wheel once for both tests (docs/testing.md, expensive shared fixtures).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("creatify_mock-*.whl")
    return built


def test_wheel_holds_schemas_fixtures_and_entry_points(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"mockserver/contract/_data/schemas/{schema.name}" in names
    assert "mockserver/contract/_data/fixtures/requests/minimal.json" in names
    for asset in (ROOT / "mockserver" / "web" / "ui").rglob("*.*"):  # the dashboard, served from the package
        assert asset.relative_to(ROOT).as_posix() in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert (
        "creatify-mock = mockserver.cli:main" in text and "creatify_mock = mockserver.pytest_plugin" in text
    )


def test_installed_loader_reads_the_packaged_schemas(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = "from mockserver.contract import schemas; print(schemas.data_dir('schemas')); print(len(schemas.all_schemas()))"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    where, count = proc.stdout.split()
    assert Path(where) == tmp_path / "mockserver" / "contract" / "_data" / "schemas"
    assert int(count) == len(list((ROOT / "schemas").glob("*.schema.json")))
