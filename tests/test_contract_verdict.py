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
from tests.fake_creatify import FakeCreatify

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


def test_no_credentials_is_not_a_green_run(pytester: pytest.Pytester, fake: FakeCreatify) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs", "contract_tests.test_auth", *BASE, "--contract-base-url", fake.url
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    lines = [line for line in result.stdout.lines if line.startswith("contract: FAILED")]
    assert lines == [
        "contract: FAILED, no contract check ran: no credentials: give --contract-api-id/"
        "--contract-api-key (or CREATIFY_API_ID/CREATIFY_API_KEY)"
    ]


def test_allow_skips_opts_out_and_says_so(pytester: pytest.Pytester, fake: FakeCreatify) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "contract_tests.test_auth",
        *BASE,
        "--contract-base-url",
        fake.url,
        "--contract-allow-skips",
    )
    assert result.ret == pytest.ExitCode.OK
    assert any("exit 0 because of --contract-allow-skips" in line for line in result.stdout.lines)


def test_a_closed_port_is_one_line(pytester: pytest.Pytester) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = pytester.runpytest_inprocess(
        "--pyargs", "contract_tests", *BASE, "--contract-base-url", url, *CREDENTIALS
    )
    assert result.ret != pytest.ExitCode.OK
    errors = [line for line in result.stderr.lines if line.strip()]
    assert errors == [f"ERROR: cannot reach {url}: connection refused"]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert len(result.stdout.lines) < 10


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
    assert len(listed) == 2 and all(
        "mock-only: the target is not the embedded mock" in line for line in listed
    )
