"""The README's examples run: the MockServer snippet in-process, the fixture snippet in a pytest subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

README = Path(__file__).resolve().parent.parent / "README.md"


def example(name: str) -> str:
    match = re.search(rf"<!-- readme-example: {name} -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert match, f"README has no example {name!r}"
    return match.group(1)


def test_mockserver_example_runs() -> None:
    exec(compile(example("mockserver"), "README.md", "exec"), {})


def test_granian_example_runs() -> None:
    exec(compile(example("granian"), "README.md", "exec"), {})


def test_faults_and_limits_example_runs() -> None:
    exec(compile(example("faults-and-limits"), "README.md", "exec"), {})


def test_fixture_example_runs_in_a_users_suite(tmp_path: Path) -> None:
    (tmp_path / "test_readme_fixture.py").write_text(example("fixture"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_readme_lists_every_cli_option() -> None:
    from mockserver.cli import build_parser

    text = README.read_text()
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr,index]
    for action in serve._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}" in text, f"README does not document {flag}"
