"""Every rule of the rule table can fail: the shipped suite against the independent fake server breaking that one rule.

For each rule in ``contract_tests.rules.RULES`` the fake (``Variation.breaks``) breaks it and the tests that cover
it (read from their ``@covers`` markers) run as a team runs them against a remote target. A judged rule (``doc``,
``http``) must turn the run red; an upstream Gemini rule or an inference must be reported and leave it green (and
``--contract-judge-upstream`` turns a Gemini one red). The fixed examples are enough: hypothesis variety is left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_tests import rules_table
from contract_tests.rules import RULES, Rule
from tests.fake_creatify import FakeCreatify, Variation

pytestmark = pytest.mark.slow  # the shipped suite against real servers: `make test` runs it

pytest_plugins = ["pytester"]
FAILING = {
    "model_name": "gemini-2.5-flash",
    "messages": [{"role": "user", "content": "x"}],
    "config": {"temperature": 3.5},
}
TESTS: dict[str, set[str]] = {}
for _test, _rules, _ in rules_table.tests():
    for _rule in _rules:
        TESTS.setdefault(_rule, set()).add(_test.split("::")[1])


def run(
    pytester: pytest.Pytester, tmp_path: Path, rule: Rule, *extra: str
) -> tuple[pytest.RunResult, dict[str, Any]]:
    failing = tmp_path / "failing.json"
    failing.write_text(json.dumps(FAILING))
    report = tmp_path / "report.json"
    with FakeCreatify(Variation(breaks=frozenset({rule.id}))) as fake:
        result = pytester.runpytest_inprocess(
            "--pyargs", "contract_tests", "-p", "contract_tests.plugin", "-p", "no:cacheprovider",
            "-m", "not contract_variety", "-k", " or ".join(sorted(TESTS[rule.id])),
            "--contract-base-url", fake.url, "--contract-failing-request", str(failing),
            "--contract-api-id", "proxy-id", "--contract-api-key", "proxy-key",
            "--contract-api-id-2", "proxy-id-2", "--contract-api-key-2", "proxy-key-2",
            "--contract-poll-interval", "0.02", "--contract-poll-timeout", "3", "--contract-report", str(report),
            *extra,
        )  # fmt: skip
    return result, json.loads(report.read_text())


def verdict_line(result: pytest.RunResult) -> str:
    return next(line for line in result.stdout.lines if line.startswith("contract: "))


@pytest.mark.parametrize("rule", [r for r in RULES if r.judged], ids=lambda r: r.id)
def test_breaking_a_judged_rule_fails_the_run(pytester: pytest.Pytester, tmp_path: Path, rule: Rule) -> None:
    result, report = run(pytester, tmp_path, rule)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    assert verdict_line(result).startswith("contract: FAIL — ")
    assert report["verdict"] == "fail" and report["reasons"]
    assert report["by_source"][rule.source]["failed"] >= 1


@pytest.mark.parametrize("rule", [r for r in RULES if not r.judged], ids=lambda r: r.id)
def test_breaking_an_unpromised_rule_is_reported_not_failed(
    pytester: pytest.Pytester, tmp_path: Path, rule: Rule
) -> None:
    result, report = run(pytester, tmp_path, rule)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert "reported, not judged" in verdict_line(result)
    assert f"reported, not judged ({rule.source} rule {rule.id})" in result.stdout.str()
    assert report["verdict"] == "pass" and {d["rule"] for d in report["not_judged"]} == {rule.id}


def test_judge_upstream_fails_a_gemini_deviation(pytester: pytest.Pytester, tmp_path: Path) -> None:
    rule = next(r for r in RULES if r.id == "api.generation")
    result, report = run(pytester, tmp_path, rule, "--contract-judge-upstream")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert report["verdict"] == "fail"
