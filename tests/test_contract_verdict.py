"""Never a silent green: a run that checked nothing exits non-zero with one line, and every skip is listed.

No credentials, a closed port, a receiver the target cannot reach: each is said once, plainly, without tracebacks.
All targets here are on 127.0.0.1 (the closed port is one this test just bound and released).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.config import OPTIONS
from contract_tests.verdict import NO_CREDENTIALS
from tests.fake_creatify import FakeCreatify
from tests.not_the_api import NotTheApi

pytestmark = pytest.mark.slow  # the shipped suite against real servers: `make test` runs it

pytest_plugins = ["pytester"]
BASE = ("-p", "contract_tests.plugin", "-p", "no:cacheprovider")
CREDENTIALS = ("--contract-api-id", "proxy-id", "--contract-api-key", "proxy-key")


@pytest.fixture(autouse=True)
def no_contract_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for _, env, _ in OPTIONS:
        monkeypatch.delenv(env, raising=False)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeCreatify]:
    with FakeCreatify() as server:
        yield server


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stopped(result: pytest.RunResult, report: Path, reason: str) -> None:
    """A run stopped before the first test: exit 4, the one line first (and alone), a verdict in report.json."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert errors == [f"ERROR: contract: NOT JUDGED — {reason}"]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert len(result.stdout.lines) < 10
    data = json.loads(report.read_text())
    assert data["verdict"] == "error" and data["reasons"] == [reason]


def test_no_credentials_stops_with_one_line(
    pytester: pytest.Pytester, fake: FakeCreatify, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = pytester.runpytest_inprocess(
        "--pyargs", "contract_tests", *BASE, "--contract-base-url", fake.url, "--contract-report", str(report)
    )
    _stopped(result, report, NO_CREDENTIALS)
    assert not fake.posts, "nothing was sent"


def test_allow_skips_opts_out_and_says_so(
    pytester: pytest.Pytester, fake: FakeCreatify, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "contract_tests.test_auth",
        *BASE,
        "--contract-base-url",
        fake.url,
        "--contract-allow-skips",
        "--contract-report",
        str(report),
    )
    assert result.ret == pytest.ExitCode.OK
    section = [line for line in result.stdout.str().split("contract conformance", 1)[1].splitlines() if line][
        1:3
    ]
    assert section == [
        f"contract: NOT JUDGED — no contract check ran: {NO_CREDENTIALS}",
        "exit 0 because of --contract-allow-skips",
    ]
    assert json.loads(report.read_text())["verdict"] == "error"


def test_a_closed_port_is_one_line(pytester: pytest.Pytester, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    report = tmp_path / "report.json"
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "contract_tests",
        *BASE,
        "--contract-base-url",
        url,
        *CREDENTIALS,
        "--contract-report",
        str(report),
    )
    _stopped(result, report, f"cannot reach {url}: connection refused")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "html",
            "does not speak the API: GET /api/text_generator/00000000-0000-0000-0000-000000000000/ answered 404 text/html",
        ),
        ("json404", "does not speak the API: POST /api/text_generator/ answered 404 application/json"),
        (
            "501",
            "does not speak the API: GET /api/text_generator/00000000-0000-0000-0000-000000000000/ answered 501",
        ),
    ],
)
def test_a_server_that_does_not_speak_the_api_is_one_line(
    pytester: pytest.Pytester, tmp_path: Path, kind: str, expected: str
) -> None:
    """A static file server, another JSON API, a server without POST: stopped after two calls, no tracebacks."""
    report = tmp_path / "report.json"
    with NotTheApi(kind) as server:
        result = pytester.runpytest_inprocess(
            "--pyargs", "contract_tests", *BASE, "--contract-base-url", server.url, *CREDENTIALS,
            "--contract-report", str(report),
        )  # fmt: skip
        assert len(server.calls) <= 2
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert (
        len(errors) == 1 and errors[0].startswith("ERROR: contract: NOT JUDGED — ") and expected in errors[0]
    )
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert json.loads(report.read_text())["verdict"] == "error"


def test_refused_credentials_are_one_line(
    pytester: pytest.Pytester, fake: FakeCreatify, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = pytester.runpytest_inprocess(
        "--pyargs", "contract_tests", *BASE, "--contract-base-url", fake.url,
        "--contract-api-id", "proxy-id", "--contract-api-key", "not-the-key", "--contract-report", str(report),
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "the target refused the credentials given (GET" in result.stderr.str()
    assert json.loads(report.read_text())["verdict"] == "error"


def test_an_unreachable_receiver_skips_webhooks_and_the_summary_says_so(
    pytester: pytest.Pytester, fake: FakeCreatify, tmp_path: Path
) -> None:
    """As against a remote API with no tunnel: here the kit is told 127.0.0.1 is not this machine."""
    pytester.makeconftest("import contract_tests.fixtures as f\nf.LOOPBACK = ()\n")
    report = tmp_path / "report.json"
    args = ("--contract-base-url", fake.url, *CREDENTIALS, "--contract-report", str(report))
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "contract_tests.test_webhooks",
        "-m",
        "not contract_variety",
        "--contract-poll-interval",
        "0.02",
        *BASE,
        *args,
    )
    result.assert_outcomes(skipped=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # nothing else ran: not green either
    summary = result.stdout.str()
    assert "webhooks not checked: the target 127.0.0.1 cannot reach a receiver on this machine" in summary
    skips = json.loads(report.read_text())["skips"]
    assert len(skips) == 3 and all("webhooks not checked" in s["reason"] for s in skips)


def test_require_webhooks_turns_an_unreachable_receiver_into_errors(
    pytester: pytest.Pytester, fake: FakeCreatify
) -> None:
    pytester.makeconftest("import contract_tests.fixtures as f\nf.LOOPBACK = ()\n")
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "contract_tests.test_webhooks",
        "-m",
        "not contract_variety",
        *BASE,
        "--contract-base-url",
        fake.url,
        *CREDENTIALS,
        "--contract-require-webhooks",
    )
    result.assert_outcomes(errors=3)
    assert "--contract-require-webhooks is set" in result.stdout.str()


def test_every_skip_is_in_the_summary_with_its_reason(pytester: pytest.Pytester, fake: FakeCreatify) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "contract_tests.test_mock_only",
        "contract_tests.test_auth",
        *BASE,
        "--contract-base-url",
        fake.url,
        *CREDENTIALS,
    )
    assert result.ret == pytest.ExitCode.OK
    listed = [line for line in result.stdout.lines if line.strip().startswith("skipped ")]
    assert listed == [
        "  skipped 2 tests (test_clock_advance_over_the_admin_api_finishes_a_job, "
        "test_admin_advance_shows_running_then_failed): mock-only: the target is not the embedded mock"
    ]


def test_what_a_job_budget_left_out_is_in_the_verdict_and_the_summary(
    pytester: pytest.Pytester, fake: FakeCreatify, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = pytester.runpytest_inprocess(
        "--pyargs", "contract_tests.test_create", "contract_tests.test_lifecycle", "-m", "not contract_variety",
        *BASE, "--contract-base-url", fake.url, *CREDENTIALS, "--contract-max-jobs", "1",
        "--contract-poll-interval", "0.02", "--contract-report", str(report),
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    out = result.stdout.str()
    verdict = next(line for line in result.stdout.lines if line.startswith("contract: "))
    assert (
        verdict.startswith("contract: PASS — ") and "10 left out by the job budget (listed below)" in verdict
    )
    assert (
        "skipped test_a_job_moves_forward_to_a_stable_end: job budget exhausted: 1 of --contract-max-jobs 1"
        in out
    )
    assert "left out: undocumented rule 'messages empty' not tried: job budget spent" in out
    data = json.loads(report.read_text())
    assert data["verdict"] == "pass" and data["budget"] == {"limit": 1, "used": 1}
    assert any("job budget exhausted" in reason for reason in data["reasons"])
    assert data["by_source"]["doc"]["skipped"] >= 1
