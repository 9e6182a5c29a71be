"""pytest11 plugin ``contract_tests.plugin``: options, markers, fixtures, and the conformance report.

Loaded for every pytest run once the package is installed, so it stays cheap and silent: the report is printed
only when tests marked ``contract`` ran, the hypothesis profile only changes the shipped suite's settings, and
without the ``contract`` extra (hypothesis, requests) it adds its options but no fixtures instead of breaking pytest.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Generator

import pytest

from .config import CONFIG_KEY, REPORT_KEY, ContractConfig, add_options
from .report import Report

EXTRA = ("hypothesis", "requests")  # what `pip install 'creatify-mock[contract]'` adds

MARKERS = (
    "contract(area): a contract test of one area (status, body, echo, lifecycle, generation, list, isolation, "
    "webhooks, stateful, observations); counted in the conformance report",
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


def pytest_runtest_setup(item: pytest.Item) -> None:
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
        message = _first_line(report) if report.outcome == "failed" else None
        item.config.stash[REPORT_KEY].record_test(area, report.outcome, message)
    return report


def _first_line(report: pytest.TestReport) -> str:
    """The failure's headline (a ContractViolation's "[check] expected ...; got ..."), else the test id."""
    crash = getattr(report.longrepr, "reprcrash", None)
    return str(getattr(crash, "message", "")) or report.nodeid


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
