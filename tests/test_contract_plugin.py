"""The shipped contract suite, run by pytester against a proxy in front of the mock that breaks one thing.

A faithful proxy passes; each broken proxy makes the suite fail with the check that names the breakage. The
proxy is a real server on 127.0.0.1, so the suite runs exactly as it would against a remote target.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.contract_proxy import Mutate, _job_read, on, run_suite, upstream

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

pytest_plugins = ["pytester"]
__all__ = ["run_suite", "upstream"]  # fixtures used by the tests below


def test_faithful_proxy_passes_and_writes_the_report(
    run_suite: Callable[..., pytest.RunResult], tmp_path: Any
) -> None:
    report = tmp_path / "report.json"
    result = run_suite("test_auth", "--contract-report", str(report))
    result.assert_outcomes(passed=7)
    assert "contract conformance" in result.stdout.str()
    data = json.loads(report.read_text())
    assert data["areas"]["status"]["tests"]["passed"] == 7
    assert data["observations"]["wrong_credentials"][0]["status"] == 401
    assert "mock-only" not in result.stdout.str()


def test_mock_only_and_account_tests_skip_on_other_targets(
    run_suite: Callable[..., pytest.RunResult],
) -> None:
    run_suite("test_mock_only").assert_outcomes(skipped=2)


@pytest.mark.parametrize(
    ("module", "select", "mutate", "expected"),
    [
        (
            "test_create",
            "pending_job",
            on("POST", "/", lambda s, b: (200 if s == 201 else s, b)),
            "expected 201 for create",
        ),
        (
            "test_create",
            "documented_invalid",
            on("POST", "/", lambda s, b: (201 if s == 400 else s, b)),
            "[invalid request refused]",
        ),
        (
            "test_auth",
            "missing",
            on("GET", "/", lambda s, b: (200 if s == 401 else s, [])),
            "expected 401 or 403",
        ),
        ("test_auth", "unknown_id", on("GET", "/", lambda s, b: (410 if s == 404 else s, b)), "expected 404"),
        (
            "test_create",
            "pending_job",
            on("POST", "/", lambda s, b: (s, {**b, "id": "job-1"})),
            "[schema job]",
        ),
        (
            "test_create",
            "pending_job",
            on("GET", "/", lambda s, b: (s, {**b, "system_instruction": "x"})),
            "[echo",
        ),
        (
            "test_lifecycle",
            "forward",
            on("GET", "/", lambda s, b: (s, {**b, "status": "pending"})),
            "[finishes]",
        ),
        (
            "test_list",
            "plain_array",
            on("GET", "/", lambda s, b: (s, {"results": b} if isinstance(b, list) else b)),
            "job_list",
        ),
    ],
    ids=[
        "create-status",
        "invalid-accepted",
        "401-status",
        "404-status",
        "schema",
        "echo",
        "lifecycle",
        "list",
    ],
)
def test_broken_target_fails_the_suite(
    run_suite: Callable[..., pytest.RunResult], module: str, select: str, mutate: Mutate, expected: str
) -> None:
    result = run_suite(module, "-k", select, "--contract-poll-timeout", "1", mutate=mutate)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    assert expected in result.stdout.str()


def test_a_gemini_generation_rule_broken_is_reported_and_judged_only_on_request(
    run_suite: Callable[..., pytest.RunResult],
) -> None:
    wordy = on(
        "GET", "/", lambda s, b: (s, {**b, "response_text": "word " * 50} if b.get("status") == "done" else b)
    )
    reported = run_suite("test_generation", "-k", "word", mutate=wordy)
    assert reported.ret == pytest.ExitCode.OK, reported.stdout.str()
    assert "reported, not judged (gemini rule api.generation): [max_output_tokens]" in reported.stdout.str()
    judged = run_suite("test_generation", "-k", "word", "--contract-judge-upstream", mutate=wordy)
    assert judged.ret == pytest.ExitCode.TESTS_FAILED
    assert "[max_output_tokens]" in judged.stdout.str()


def test_status_going_backwards_is_caught(run_suite: Callable[..., pytest.RunResult]) -> None:
    seen: set[str] = set()

    def backwards(method: str, path: str, status: int, body: Any) -> tuple[int, dict[str, str], Any]:
        if method == "GET" and _job_read(path) and body.get("status") == "done":
            if body["id"] in seen:
                body = {**body, "status": "running"}
            seen.add(body["id"])
        return status, {}, body

    result = run_suite("test_lifecycle", "-k", "forward", mutate=backwards)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "[terminal stable]" in result.stdout.str() or "[transition]" in result.stdout.str()


def test_account_leak_is_caught(run_suite: Callable[..., pytest.RunResult]) -> None:
    def one_account(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        return {**headers, "X-API-ID": "proxy-id", "X-API-KEY": "proxy-key"}, body

    result = run_suite("test_list", "-k", "another_account", rewrite=one_account)
    result.assert_outcomes(failed=2)
    assert "[isolation]" in result.stdout.str()
