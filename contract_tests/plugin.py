"""pytest11 plugin ``contract_tests.plugin``: options, markers, fixtures, run order, verdict and the report.

Loaded for every pytest run once the package is installed, so it stays cheap and silent: the report is printed
only when tests marked ``contract`` ran, the hypothesis profile only changes the shipped suite's settings, and
without the ``contract`` extra (hypothesis, requests) it adds its options but no fixtures instead of breaking pytest.

A verdict must be trustworthy both ways: the documented checks run first (so a small job budget cuts variety, not
rules), an unreachable target stops the run with one line, and a run in which no contract test passed is never
green (``--contract-allow-skips`` opts out).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Generator

import pytest

from .config import BUDGET_KEY, CONFIG_KEY, REPORT_KEY, ContractConfig, add_options
from .reach import unreachable
from .report import Report

EXTRA = ("hypothesis", "requests")  # what `pip install 'creatify-mock[contract]'` adds

MARKERS = (
    "contract(area): a contract test of one area (status, body, echo, lifecycle, generation, list, isolation, sse, tools, "
    "webhooks, stateful, observations); counted in the conformance report",
    "contract_variety: a hypothesis test adding varied examples on top of the fixed ones; runs after them, so a "
    "small job budget leaves out variety before any documented rule",
    "mock_only: uses the embedded mock's own controls (admin API, clock); skipped on any other target",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    contract = ContractConfig.from_pytest(config)
    config.stash[CONFIG_KEY] = contract
    config.stash[REPORT_KEY] = Report(contract.base_url or "embedded mock")
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
    """Against a remote target, check once that it is there: one line instead of a traceback per test."""
    contract = session.config.stash[CONFIG_KEY]
    if contract.base_url is None or not any(i.get_closest_marker("contract") for i in session.items):
        return
    if session.config.option.collectonly:
        return
    problem = unreachable(contract.base_url)
    if problem is not None:
        raise pytest.UsageError(problem)


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
        item.config.stash[REPORT_KEY].record_test(area, report.outcome, message, item.nodeid)
    return report


def _first_line(report: pytest.TestReport) -> str:
    """A failure's headline (a ContractViolation's "[check] expected ...; got ..."), a skip's reason."""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    return str(getattr(crash, "message", "")) or report.nodeid


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """No contract test passed (all skipped: no credentials, no budget, …): not a green run, unless allowed."""
    report = session.config.stash.get(REPORT_KEY, None)
    contract = session.config.stash.get(CONFIG_KEY, None)
    if report is None or contract is None or report.empty or report.passed() > 0:
        return
    reasons = sorted({s["reason"] for s in report.skips})
    why = (
        reasons[0] if len(reasons) == 1 else f"{len(reasons)} reasons, first: {reasons[0]}" if reasons else ""
    )
    if contract.allow_skips:
        report.verdict = f"contract: no contract check ran ({why}); exit 0 because of --contract-allow-skips"
        return
    report.verdict = f"contract: FAILED, no contract check ran: {why}"
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(REPORT_KEY, None)
    if report is None or report.empty:
        return
    terminalreporter.section("contract conformance")
    for line in report.summary_lines():
        terminalreporter.write_line(line)
    path = config.stash[CONFIG_KEY].report
    if path:
        terminalreporter.write_line(f"  report written to {report.write(path)}")
