"""The README's "Contract tests" section: its example runs, and its option table lists every plugin option."""

from __future__ import annotations

import re
from pathlib import Path

from contract_tests.config import OPTIONS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_contract_example_runs(tmp_path: Path) -> None:
    match = re.search(r"<!-- readme-example: contract -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert match, "README has no contract example"
    # Hypothesis reads the source of the functions it runs: give it a file that holds exactly the example.
    source = tmp_path / "readme_contract_example.py"
    source.write_text(match.group(1))
    exec(compile(match.group(1), str(source), "exec"), {})


def test_readme_lists_every_contract_option() -> None:
    section = README.read_text().split("## Contract tests", 1)[1].split("\n## ", 1)[0]
    for flag, env, _ in OPTIONS:
        assert f"`{flag}" in section or f"/ `{flag}`" in section, f"README does not document {flag}"
        assert f"`{env}`" in section, f"README does not document {env}"
