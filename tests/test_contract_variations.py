"""The shipped suite passes every server that differs from the mock only where the documentation is silent.

Each variation is the independent fake server (tests/fake_creatify.py) with one choice changed, and the suite
runs against it exactly as a team runs it against a remote target: live profile, the paid job budget (30). The
faithful run also proves every documented invalid request is sent, from the fixed body, within that budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.invalid import Mutation, documented_mutations
from tests.fake_creatify import FakeCreatify, Variation

# One xdist worker runs the faithful suite run once for all the tests that read it (docs/testing.md).
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("contract-variations"),
]  # the shipped suite, real servers

pytest_plugins = ["pytester"]
FAILING = {
    "model_name": "gemini-2.5-flash",
    "messages": [{"role": "user", "content": "x"}],
    "config": {"temperature": 3.5},
}
#: What the mock refuses and a lenient server may accept, echoed in jobs already in the account.
LENIENT_CONFIGS: list[dict[str, Any]] = [
    {"stop_sequences": ["s"] * 6},
    {"top_k": 0, "max_output_tokens": 0},
    {"stop_sequences": [""]},
    {"response_json_schema": "a tagline", "response_mime_type": "text/html"},
]
Run = Callable[..., pytest.RunResult]


@pytest.fixture
def run_against(pytester: pytest.Pytester, tmp_path: Path) -> Run:
    failing = tmp_path / "failing.json"
    failing.write_text(json.dumps(FAILING))

    def run(fake: FakeCreatify, *extra: str, fast: bool = True) -> pytest.RunResult:
        args = ["--pyargs", "contract_tests", "-p", "contract_tests.plugin", "-p", "no:cacheprovider", "-rs"]
        args += ["--contract-base-url", fake.url, "--contract-failing-request", str(failing)]
        args += ["--contract-api-id", "proxy-id", "--contract-api-key", "proxy-key"]
        args += ["--contract-api-id-2", "proxy-id-2", "--contract-api-key-2", "proxy-key-2"]
        if fast:
            args += ["--contract-poll-interval", "0.02", "--contract-poll-timeout", "5"]
        return pytester.runpytest_inprocess(*args, *extra)

    return run


def passed(result: pytest.RunResult) -> None:
    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.OK and not outcomes.get("failed") and not outcomes.get("errors"), (
        result.stdout.str()
    )


@pytest.fixture(scope="module")
def faithful(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One run of the whole suite, default budget, against the faithful fake: its result and what it received."""
    import subprocess
    import sys

    failing = tmp_path_factory.mktemp("faithful") / "failing.json"
    failing.write_text(json.dumps(FAILING))
    with FakeCreatify() as fake:
        args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs", "contract_tests"]
        args += ["--contract-base-url", fake.url, "--contract-failing-request", str(failing)]
        args += ["--contract-api-id", "proxy-id", "--contract-api-key", "proxy-key"]
        args += ["--contract-api-id-2", "proxy-id-2", "--contract-api-key-2", "proxy-key-2"]
        args += [
            "--contract-poll-interval",
            "0.02",
            "--contract-poll-timeout",
            "5",
            "--contract-max-jobs",
            "30",
        ]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=240, cwd=failing.parent)
        yield {"proc": proc, "posts": list(fake.posts), "jobs": len(fake.jobs)}


def test_the_suite_passes_the_faithful_independent_server_within_the_paid_budget(
    faithful: dict[str, Any],
) -> None:
    proc = faithful["proc"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "failed" not in proc.stdout.splitlines()[-1]
    assert faithful["jobs"] <= 30, "the paid budget of 30 jobs was exceeded"


@pytest.mark.parametrize("mutation", documented_mutations(), ids=lambda m: m.test_id)
def test_each_documented_invalid_request_is_sent_in_the_default_live_run(
    faithful: dict[str, Any], mutation: Mutation
) -> None:
    assert mutation.deterministic() in faithful["posts"], f"{mutation.name} was never sent"


@pytest.mark.parametrize(
    "variation",
    [
        Variation(nulls=True),
        Variation(extras=True),
        Variation(nulls=True, extras=True, lenient=True, auth_status=403),
    ],
    ids=["nulls for absent keys", "extra fields at every depth", "nulls, extras, lenient and 403"],
)
def test_what_the_documentation_leaves_open_is_never_a_failure(
    run_against: Run, tmp_path: Path, variation: Variation
) -> None:
    """Null where a value is not always present (config keys not sent, message parts, credits of a pending job),
    fields no documentation lists (on the job, in config, in messages and their function parts, in stream chunks),
    lenient request handling: the whole suite, both families, passes, and nothing is even reported."""
    report = tmp_path / "report.json"
    with FakeCreatify(variation) as fake:
        result = run_against(fake, "--contract-report", str(report))
    passed(result)
    data = json.loads(report.read_text())
    assert data["verdict"] == "pass" and data["not_judged"] == [], data["not_judged"]
    assert data["areas"]["sse"]["tests"]["passed"] >= 17 and data["areas"]["tools"]["tests"]["passed"] >= 5
    # a loopback target has no job budget by default: only the mock-only tests skip
    assert data["budget"]["limit"] is None and not data["left_out"]
    assert {s["reason"] for s in data["skips"]} == {"mock-only: the target is not the embedded mock"}


def test_wrong_credentials_answered_403(run_against: Run) -> None:
    with FakeCreatify(Variation(auth_status=403)) as fake:
        passed(run_against(fake))


def test_a_lenient_server_that_echoes_what_the_mock_refuses(run_against: Run) -> None:
    with FakeCreatify(Variation(lenient=True, old_configs=LENIENT_CONFIGS)) as fake:
        result = run_against(fake)  # a loopback target: no job budget, every case is tried
        passed(result)
        sent_configs = [p.get("config") for p in fake.posts if isinstance(p, dict)]
    assert {"temperature": 0.7, "stop_sequences": ["s"] * 6} in sent_configs  # tried, accepted, echoed


def test_no_list_endpoint(run_against: Run) -> None:
    with FakeCreatify(Variation(list_endpoint=False)) as fake:
        result = run_against(fake)
    passed(result)
    assert "has no list endpoint" in result.stdout.str()


def test_transitions_slower_than_the_default_poll_interval(run_against: Run) -> None:
    """Phases of 0.6 s and 0.7 s with the remote defaults (a poll every 0.5 s): several polls see each phase."""
    with FakeCreatify(Variation(pending_seconds=0.6, running_seconds=0.7)) as fake:
        result = run_against(fake, "-m", "not contract_variety", "-k", "lifecycle or webhooks", fast=False)
    passed(result)
    assert result.parseoutcomes()["passed"] >= 5


@pytest.mark.parametrize(
    ("webhooks", "expected"), [("none", "[webhook delivered]"), ("get", "[webhook method]")]
)
def test_broken_webhooks_fail_when_the_receiver_is_reachable(
    run_against: Run, webhooks: str, expected: str
) -> None:
    with FakeCreatify(Variation(webhooks=webhooks)) as fake:
        result = run_against(fake, "-k", "test_webhooks and test_a_job_gets", "--contract-poll-timeout", "1")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    assert expected in result.stdout.str()
