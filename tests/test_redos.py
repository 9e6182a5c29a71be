"""Hostile generation cannot stall the API: patterns run on RE2, generation has a budget, slow work moves off
the request path while the job reads ``running``, and another account's calls stay fast meanwhile."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from mockserver.core.models import JobStatus, Outcome
from mockserver.core.patterns import PatternError, search
from mockserver.generation.jsongen.generate import GenerationTimeout, generate_json_text
from mockserver.generation.jsongen.linear import linear
from mockserver.generation.text import Generator
from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, Client, valid_body
from .receiver import Receiver

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

#: The issue's schema, and relatives that make a backtracking engine take exponential time.
REDOS_SCHEMAS = [
    {"type": "string", "pattern": "^(a+)+$", "minLength": 40},
    {"type": "string", "pattern": "^(a|a)*$", "minLength": 40},
    {"type": "string", "pattern": "^(\\w+\\s?)*$", "minLength": 60},
    {"type": "object", "patternProperties": {"^(x+x+)+y$": {"type": "string"}}, "minProperties": 3},
]
GEMINI_REASONS = ("400 INVALID_ARGUMENT: ", "504 DEADLINE_EXCEEDED: ")


def json_mode(schema: Any) -> dict[str, Any]:
    return valid_body(config={"response_mime_type": "application/json", "response_json_schema": schema})


def test_catastrophic_patterns_match_in_linear_time() -> None:
    assert not search("^(a+)+$", "a" * 5000 + "-")  # Python's re would run for longer than the universe
    assert search("^(a+)+$", "a" * 5000)
    with pytest.raises(PatternError, match="lookarounds and backreferences"):
        search("(?=a)b", "ab")


def test_generation_stops_at_its_deadline() -> None:
    words = lambda rng, n: ["w"] * n  # noqa: E731
    with pytest.raises(GenerationTimeout):
        generate_json_text(
            {"type": "string"}, rng=random.Random(1), words=words, deadline=time.monotonic() - 1
        )
    failed = Generator().bounded(json_mode({"type": "string"}), 0.0)
    assert failed.status is JobStatus.FAILED
    assert failed.failed_reason is not None and failed.failed_reason.startswith("504 DEADLINE_EXCEEDED: ")


def test_a_pattern_re2_cannot_run_fails_the_job_with_a_reason(client: Client, mock: MockServer) -> None:
    job = client.create(json_mode({"type": "string", "pattern": "^(?=x)x+$"}))
    mock.advance_clock(10)
    done = client.job(job["id"])
    assert done["status"] == "failed" and done["failed_reason"].startswith("400 INVALID_ARGUMENT: ")
    assert "linear-time" in done["failed_reason"]


@pytest.mark.serial  # a p99 bound: alone, not beside another xdist worker
def test_redos_schemas_do_not_stall_another_account() -> None:
    """Account A sends the hostile schemas again and again while account B polls its own job: B's p99 stays
    low and every one of A's jobs ends within the budget — done with text valid against its schema (RE2 makes
    the issue's schema satisfiable: forty ``a``), or failed with a Gemini-style reason."""
    latencies: list[float] = []
    outcomes: list[tuple[dict[str, Any], dict[str, Any], float]] = []
    with MockServer(timing="instant", threads=8) as mock:
        b = requests.Session()
        b.headers.update({"X-API-ID": "account-b", "X-API-KEY": "k"})
        mine = b.post(mock.url + API, json=valid_body(), timeout=TIMEOUT).json()["id"]
        stop = threading.Event()

        def attacker() -> None:
            a = requests.Session()
            a.headers.update({"X-API-ID": "account-a", "X-API-KEY": "k"})
            for round_ in range(5):  # bounded
                for schema in REDOS_SCHEMAS:
                    if stop.is_set():
                        return
                    body = json_mode(schema)
                    body["messages"][0]["content"] = f"round {round_}"
                    started = time.monotonic()
                    job = a.post(mock.url + API, json=body, timeout=TIMEOUT).json()
                    while time.monotonic() - started < 10:  # bounded
                        seen = a.get(f"{mock.url}{API}{job['id']}/", timeout=TIMEOUT).json()
                        if seen["status"] in ("done", "failed"):
                            outcomes.append((schema, seen, time.monotonic() - started))
                            break
                        time.sleep(0.01)

        thread = threading.Thread(target=attacker)
        thread.start()
        try:
            for _ in range(300):  # bounded
                started = time.monotonic()
                answer = b.get(f"{mock.url}{API}?ids={mine}", timeout=TIMEOUT)
                latencies.append(time.monotonic() - started)
                assert answer.status_code == 200 and answer.json()[0]["status"] == "done"
        finally:
            stop.set()
            thread.join(60)
        budget = mock.settings.generation_budget
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(
        f"account B: p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms over {len(latencies)} polls"
    )
    assert len(latencies) == 300 and p99 < 0.25, f"p99 {p99 * 1000:.1f} ms"  # generous: 51 s before RE2
    assert len(outcomes) == 5 * len(REDOS_SCHEMAS)
    assert all(took < budget + 1.0 for _, _, took in outcomes), outcomes
    for schema, job, _ in outcomes:
        if job["status"] == "failed":
            assert job["failed_reason"].startswith(GEMINI_REASONS), job
        else:
            assert not list(
                linear(Draft202012Validator)(schema).iter_errors(json.loads(job["response_text"]))
            )
    assert {j["status"] for _, j, _ in outcomes} == {"done", "failed"}


class SlowGenerator(Generator):
    """Generation that takes ``seconds`` of wall time, honouring the deadline as jsongen does."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def outcome(
        self, request: Mapping[str, Any], deadline: float | None = None, calls: bool = True
    ) -> Outcome:
        finish = time.monotonic() + self.seconds
        while time.monotonic() < finish:  # bounded by ``seconds``
            if deadline is not None and time.monotonic() > deadline:
                raise GenerationTimeout("budget")
            time.sleep(0.005)
        return Outcome(JobStatus.DONE, response_text="slow but sure", credits_used=0.001)


@pytest.mark.serial  # a 0.4 s bound: alone
def test_slow_generation_moves_off_the_request_path_and_the_job_reads_running() -> None:
    with Receiver() as receiver, MockServer(timing="instant", webhook_backoff=0.05) as mock:
        mock.service.generator = SlowGenerator(0.4)
        client = Client(mock)
        job = client.create(valid_body(webhook_url=receiver.url()))
        started = time.monotonic()
        first = client.job(job["id"])
        waited = time.monotonic() - started
        assert first["status"] == "running" and waited < 0.4  # the read did not wait for the generation
        log = mock.wait_for_webhooks(
            job["id"], count=2, timeout=10
        )  # nobody reads: the scheduler finishes it
        assert [e["event"] for e in log] == ["running", "done"]
        assert client.job(job["id"])["response_text"] == "slow but sure"
        assert mock.service.store.pending_outcomes() == 0


def test_generation_past_the_budget_fails_the_job() -> None:
    with MockServer(timing="instant", generation_budget=0.2) as mock:
        mock.service.generator = SlowGenerator(30)
        client = Client(mock)
        job = client.create()
        assert client.job(job["id"])["status"] == "running"
        deadline = time.monotonic() + 10
        while (seen := client.job(job["id"]))["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.02)
    assert seen["status"] == "failed" and seen["credits_used"] == 0
    assert seen["failed_reason"].startswith("504 DEADLINE_EXCEEDED: ") and "0.2 s" in seen["failed_reason"]
