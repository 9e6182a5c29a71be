"""pytest11 plugin ``contract_tests.plugin``: options, markers, fixtures, run order, verdict and the report.

Loaded for every pytest run once the package is installed, so it stays cheap and silent: the report is printed
only when tests marked ``contract`` ran, the hypothesis profile only changes the shipped suite's settings, and
without the ``contract`` extra (hypothesis, requests) it adds its options but no fixtures instead of breaking pytest.

A verdict must be trustworthy both ways: the documented checks run first (so a small job budget cuts variety, not
rules); a run that cannot judge (no credentials, a target that is not there or does not speak the API, refused
credentials) stops before the first test with one line, ``contract: NOT JUDGED — <why>``, and exits non-zero; a
run in which no contract test passed is never green (``--contract-allow-skips`` opts out). The verdict (pass /
fail / error) is the summary's first line and the report's ``verdict``, which is written on every run.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Generator

import pytest

from .config import BUDGET_KEY, CONFIG_KEY, REPORT_KEY, ContractConfig, add_options
from .reach import unreachable
from .report import Report
from .verdict import NO_CREDENTIALS

EXTRA = ("hypothesis", "requests")  # what `pip install 'creatify-mock[contract]'` adds

MARKERS = (
    "contract(area): a contract test of one area (status, body, echo, lifecycle, generation, list, isolation, sse, tools, "
    "webhooks, stateful, observations); counted in the conformance report",
    "contract_variety: a hypothesis test adding varied examples on top of the fixed ones; runs after them, so a "
    "small job budget leaves out variety before any documented rule",
    "mock_only: uses the embedded mock's own controls (admin API, clock); skipped on any other target",
    "rule(*ids): the contract rules (contract_tests/rules.py) a test checks; the rule table is generated from these",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    contract = ContractConfig.from_pytest(config)
    config.stash[CONFIG_KEY] = contract
    report = Report(contract.base_url or "embedded mock")
    report.judge_upstream = contract.judge_upstream
    config.stash[REPORT_KEY] = report
    if any(importlib.util.find_spec(name) is None for name in EXTRA):
        return  # the shipped suite then fails at import, naming the missing package
    from . import profiles

    config.pluginmanager.import_plugin("contract_tests.fixtures")
    try:
        profiles.activate(contract.profile)
    except ValueError as exc:
        raise pytest.UsageError(f"--contract-profile: {exc}") from None


def _rank(item: pytest.Item) -> float:
    """Fixed documented checks first, hypothesis variety next (the job-hungry state machine last of those),
    observations of undocumented behaviour last."""
    marker = item.get_closest_marker("contract")
    area = marker.args[0] if marker is not None and marker.args else None
    if area == "observations":
        return 2
    if item.get_closest_marker("contract_variety"):
        return 1.5 if area == "stateful" else 1
    return 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if any(item.get_closest_marker("contract") for item in items):
        items.sort(key=_rank)  # stable: the order within each rank is kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """Against a given target, check once that the run can judge it: one line instead of a traceback per test."""
    contract = session.config.stash[CONFIG_KEY]
    if contract.base_url is None or not any(i.get_closest_marker("contract") for i in session.items):
        return
    if session.config.option.collectonly:
        return
    problem = _cannot_judge(contract)
    if problem is not None:
        session.config.stash[REPORT_KEY].problem = problem
        raise pytest.UsageError(f"contract: NOT JUDGED — {problem}")


def _cannot_judge(contract: ContractConfig) -> str | None:
    """Why a run against ``contract.base_url`` would judge nothing, or None."""
    assert contract.base_url is not None
    problem = unreachable(contract.base_url)
    if problem is not None:
        return problem
    if not contract.api_id or not contract.api_key:
        return None if contract.allow_skips else NO_CREDENTIALS
    from .probe import not_the_api

    return not_the_api(contract.base_url, {"X-API-ID": contract.api_id, "X-API-KEY": contract.api_key})


def pytest_runtest_setup(item: pytest.Item) -> None:
    budget = item.config.stash.get(BUDGET_KEY, None)
    if budget is not None:
        budget.variety = _rank(item) in (1, 1.5)
    if item.get_closest_marker("mock_only") and not item.config.stash[CONFIG_KEY].embedded:
        pytest.skip("mock-only: the target is not the embedded mock")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    marker = item.get_closest_marker("contract")
    if marker is None:
        return report
    area = str(marker.args[0]) if marker.args else "other"
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        message = _first_line(report) if report.outcome in ("failed", "skipped") else None
        rules = [str(r) for mark in item.iter_markers("rule") for r in mark.args]
        item.config.stash[REPORT_KEY].record_test(area, report.outcome, message, item.nodeid, rules)
    return report


def _first_line(report: pytest.TestReport) -> str:
    """A failure's headline (a ContractViolation's "[check] expected ...; got ..."), a skip's reason."""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "")) or report.nodeid
    return message.removeprefix("contract_tests.checks.ContractViolation: ")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """The verdict decides the exit status (never green when it is not ``pass``, unless skips are allowed and
    nothing failed), and the report is written on every run that had contract tests or was stopped."""
    report = session.config.stash.get(REPORT_KEY, None)
    contract = session.config.stash.get(CONFIG_KEY, None)
    if report is None or contract is None or (report.empty and report.problem is None):
        return
    verdict = report.verdict()
    if verdict.kind == "error" and report.problem is None:
        if contract.allow_skips:
            report.note = "exit 0 because of --contract-allow-skips"
        elif session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if contract.report:
        report.written = report.write(contract.report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(REPORT_KEY, None)
    if report is None or report.empty:
        return
    terminalreporter.section("contract conformance")
    for line in report.summary_lines():
        terminalreporter.write_line(line)
    if report.written is not None:
        terminalreporter.write_line(f"  report written to {report.written}")
