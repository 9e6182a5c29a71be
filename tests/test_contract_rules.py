"""The rule table cannot drift: it is what the code generates, every rule has a test, every test names its rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests import rules_table
from contract_tests.rules import BY_ID, RULES, covers

ROOT = Path(__file__).resolve().parents[1]
#: Areas whose tests hold no rule: observations of undocumented behaviour (reported, never failed).
UNRULED_AREAS = {"observations"}


def test_the_committed_table_is_the_generated_one() -> None:
    committed = (ROOT / rules_table.PAGE).read_text(encoding="utf-8")
    assert committed == rules_table.render(), "run: python -m contract_tests.rules_table --write"


def test_every_rule_has_a_test_and_every_test_names_its_rules() -> None:
    covered = {rule for _, rules, _ in rules_table.tests() for rule in rules}
    assert {r.id for r in RULES} - covered == set(), "rules without a test"
    for test, rules, areas in rules_table.tests():
        assert areas, f"{test} has no contract(area) marker"
        assert rules or areas <= UNRULED_AREAS, f"{test} names no rule (@covers)"


def test_a_rule_id_that_does_not_exist_is_an_error_at_import() -> None:
    with pytest.raises(KeyError, match="unknown contract rule"):
        covers("api.create.2O1")
    assert len(BY_ID) == len(RULES), "rule ids are unique"


def test_the_readme_links_the_table() -> None:
    assert "docs/contract-rules.md" in (ROOT / "README.md").read_text(encoding="utf-8")
