"""MockService, the facade, in-process: an injected frozen clock, no Flask app and no socket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.config import Settings
from mockserver.core.clock import FrozenClock
from mockserver.core.models import JobStatus
from mockserver.core.scenarios import RequestInfo, ScenarioError
from mockserver.core.store import Conflict
from mockserver.service import MockService, facade

REQUEST = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Say hi"}]}


def request(**extra: Any) -> dict[str, Any]:
    return {**REQUEST, "messages": list(REQUEST["messages"]), **extra}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def svc(clock: FrozenClock) -> Iterator[MockService]:
    service = MockService(Settings(seed=7, pending_seconds=1, running_seconds=2, log_requests=False), clock)
    yield service
    service.close()


def test_a_job_moves_on_the_injected_clock(svc: MockService, clock: FrozenClock) -> None:
    job = svc.create("acct", request(), None)
    assert job["status"] == "pending" and job["response_text"] is None
    clock.advance(1)
    assert svc.get("acct", job["id"])["status"] == "running"  # type: ignore[index]
    clock.advance(2)
    done = svc.get("acct", job["id"])
    assert done is not None and done["status"] == "done" and done["response_text"]
    assert done["credits_used"] > 0


def test_jobs_belong_to_their_account(svc: MockService) -> None:
    job = svc.create("a", request(), None)
    assert svc.get("b", job["id"]) is None
    assert svc.get(None, job["id"]) is not None
    assert [j["id"] for j in svc.list("a")] == [job["id"]] and svc.list("b") == []


def test_the_same_seed_gives_the_same_ids_and_texts(clock: FrozenClock) -> None:
    def run() -> list[tuple[str, str | None]]:
        service = MockService(Settings(seed=3, timing="instant"), FrozenClock())
        ids = [service.create("a", request(), None)["id"] for _ in range(3)]
        out = [(i, service.get("a", i)["response_text"]) for i in ids]  # type: ignore[index]
        service.close()
        return out

    assert run() == run()


def test_advance_steps_then_refuses_a_terminal_job(svc: MockService) -> None:
    job = svc.create("a", request(), None)
    assert svc.advance(job["id"])["status"] == "running"
    failed = svc.advance(job["id"], JobStatus.FAILED, failed_reason="boom")
    assert failed["status"] == "failed" and failed["failed_reason"] == "boom"
    with pytest.raises(Conflict):
        svc.advance(job["id"])
    with pytest.raises(KeyError):
        svc.advance("no-such-job")


def test_advance_clock_settles_watched_jobs_and_answers_the_new_time(svc: MockService) -> None:
    svc.set_credits("a", 5)
    job = svc.create("a", request(), None)
    now = svc.advance_clock(3)
    assert now == svc.now()
    assert svc.credits("a") == pytest.approx(5 - svc.get("a", job["id"])["credits_used"])  # type: ignore[index]


def test_an_exhausted_account_may_not_create(svc: MockService) -> None:
    assert svc.may_create("a")  # unlimited
    svc.set_credits("a", 0)
    assert not svc.may_create("a")
    status, body = svc.insufficient_credits()
    assert status == 402 and body == {"detail": "Insufficient credits."}


def test_body_errors_and_clean_create(svc: MockService) -> None:
    assert svc.body_errors("create_request", {}) == {
        "model_name": ["This field is required."],
        "messages": ["This field is required."],
    }
    assert svc.body_errors("create_request", request()) is None
    cleaned, hook = svc.clean_create(request(webhook_url="http://127.0.0.1:9/hook", unknown=1))
    assert hook == "http://127.0.0.1:9/hook" and "webhook_url" not in cleaned and "unknown" not in cleaned


def test_scenario_rules_are_added_all_or_none(svc: MockService) -> None:
    good = {"name": "fail-all", "outcome": {"status": "failed"}}
    with pytest.raises(ScenarioError):
        svc.add_rules([good, {"bogus": True}])
    assert svc.rules() == []
    assert [r["id"] for r in svc.add_rules([good])] == ["fail-all"]
    found = svc.take_rule(RequestInfo("create", "a", {}, request()))
    assert found is not None and found[0].id == "fail-all" and found[1] == 0
    assert svc.remove_rule("fail-all") and not svc.scenarios_active


def test_reset_forgets_jobs_and_restarts_the_sequence(svc: MockService) -> None:
    first = svc.create("a", request(), None)["id"]
    svc.reset()
    assert svc.list(None) == []
    assert svc.create("a", request(), None)["id"] == first


def test_the_generation_queue_setting_caps_each_accounts_slow_generations(clock: FrozenClock) -> None:
    service = MockService(Settings(generation_queue=3), clock)
    try:
        assert service.background.per_account == 3
    finally:
        service.close()


def test_state_round_trips_through_export_and_import(svc: MockService, clock: FrozenClock) -> None:
    svc.set_credits("team", 3)
    svc.add_rules([{"name": "r", "outcome": {"status": "failed"}}])
    job = svc.create("team", request(), None)
    state = svc.export_state()
    other = MockService(Settings(seed=99), FrozenClock(clock.now_us()))
    try:
        assert other.import_state(state) == {"jobs": 1, "balances": 1}
        assert other.get("team", job["id"]) == svc.get("team", job["id"])
        assert other.credits("team") == 3 and [r["id"] for r in other.rules()] == ["r"]
        assert other.create("a", request(), None)["id"] == svc.create("a", request(), None)["id"]
    finally:
        other.close()


def test_health_names_timing_and_job_count(svc: MockService) -> None:
    svc.create("a", request(), None)
    health = svc.health()
    assert health["status"] == "ok" and health["timing"] == "realtime" and health["jobs"] == 1


def test_a_stream_generates_its_text_under_the_generation_budget() -> None:
    """A stream needs its text when it opens: generation that outlasts ``--generation-budget`` fails the job
    (Gemini's DEADLINE_EXCEEDED) instead of holding the request for as long as it takes."""
    import time

    from mockserver.core.models import Outcome
    from mockserver.generation.jsongen.guard import GenerationTimeout
    from mockserver.generation.text import Generator

    class Slow(Generator):
        def outcome(self, request: Any, deadline: float | None = None, calls: bool = True) -> Outcome:
            for _ in range(400):  # at most 2 s, unless the deadline stops it first
                if deadline is not None and time.monotonic() > deadline:
                    raise GenerationTimeout("budget")
                time.sleep(0.005)
            return Outcome(JobStatus.DONE, response_text="slow but sure")

    service = MockService(Settings(timing="instant", generation_budget=0.05), FrozenClock())
    service.generator = Slow()
    try:
        stream = service.open_stream("a", request(), None)
        chunks = list(stream.chunks)
        job = service.get("a", stream.job["id"])
    finally:
        service.close()
    assert job is not None and job["status"] == "failed"
    assert "DEADLINE_EXCEEDED" in job["failed_reason"]
    last = chunks[-1]
    assert isinstance(last, dict) and last["candidates"][0]["finishReason"] == "OTHER"


def test_a_reset_gives_memory_back_only_when_it_forgot_many_jobs(
    svc: MockService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection costs ~100 ms in a big process: a suite resetting before every test must not pay it."""
    released: list[int] = []
    monkeypatch.setattr(facade, "release_memory", lambda: released.append(len(svc.store)))
    monkeypatch.setattr(facade, "RELEASE_MEMORY_AFTER_JOBS", 5)
    for _ in range(4):
        svc.create("acct", request(), None)
    svc.reset()
    assert released == []
    for _ in range(5):
        svc.create("acct", request(), None)
    svc.reset()
    assert released == [0]  # after the jobs were forgotten
