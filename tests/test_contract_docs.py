"""The contract kit's guide (docs/guides/contract-kit.md): its example runs, and its option table lists every
plugin option."""

from __future__ import annotations

from pathlib import Path

from contract_tests.config import OPTIONS

from .docs_examples import DOCS, example

GUIDE = DOCS / "guides" / "contract-kit.md"


def test_contract_example_runs(tmp_path: Path) -> None:
    code = example("contract")
    # Hypothesis reads the source of the functions it runs: give it a file that holds exactly the example.
    source = tmp_path / "docs_contract_example.py"
    source.write_text(code)
    exec(compile(code, str(source), "exec"), {})


def test_the_guide_lists_every_contract_option() -> None:
    text = GUIDE.read_text()
    for flag, env, _ in OPTIONS:
        assert f"`{flag}" in text or f"/ `{flag}`" in text, f"the contract guide does not document {flag}"
        assert f"`{env}`" in text, f"the contract guide does not document {env}"
