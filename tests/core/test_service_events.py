"""What the service publishes on its feed, in-process (frozen clock, no Flask): creation, every transition, clock
moves, rule changes, reset, and a job's timeline; plus the SSE frames of the feed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.config import Settings
from mockserver.core.clock import FrozenClock
from mockserver.core.models import JobStatus
from mockserver.core.scenarios import RequestInfo
from mockserver.service import MockService
from mockserver.service.events import EventFilter

REQUEST = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Say hi"}]}


@pytest.fixture
def svc() -> Iterator[MockService]:
    service = MockService(Settings(seed=7, timing="manual", log_requests=False), FrozenClock())
    yield service
    service.close()


def _kinds(svc: MockService, job_id: str | None = None) -> list[str]:
    return [e["kind"] for e in svc.recent_events(EventFilter(job_id=job_id))]


def test_a_job_life_is_on_the_feed_in_order(svc: MockService) -> None:
    job = svc.create("acct", dict(REQUEST), None)
    svc.advance(job["id"])
    svc.advance(job["id"], JobStatus.DONE, "Hello")
    events = svc.recent_events(EventFilter(job_id=job["id"]))
    assert [e["kind"] for e in events] == ["job.created", "job.transition", "job.transition"]
    assert [e["data"]["job"]["status"] for e in events] == ["pending", "running", "done"]
    assert events[0]["data"]["account"] == "acct" and events[0]["data"]["family"] == "api"
    assert events[-1]["data"]["job"]["response_text"] == "Hello"


def test_clock_rules_and_reset_are_on_the_feed(svc: MockService) -> None:
    svc.advance_clock(5)
    added = svc.add_rules([{"match": {"operation": "create"}, "outcome": {"status": "failed"}}])
    svc.remove_rule(added[0]["id"])
    svc.reset()
    kinds = _kinds(svc)
    assert kinds == ["clock.moved", "scenario.changed", "scenario.changed", "state.reset"]
    changes = [e["data"]["action"] for e in svc.recent_events(EventFilter(kinds=("scenario",)))]
    assert changes == ["added", "removed"]


def test_a_timeline_names_the_rule_that_shaped_the_job(svc: MockService) -> None:
    svc.add_rules(
        [{"name": "always-fail", "match": {"operation": "create"}, "outcome": {"status": "failed"}}]
    )
    found = svc.take_rule(RequestInfo("create", "acct", {}, dict(REQUEST), "api", "/api/text_generator/"))
    assert found is not None
    job = svc.create("acct", dict(REQUEST), None, found[0])
    svc.advance(job["id"])
    svc.advance(job["id"])  # one step at a time: the rule's outcome, not the admin's
    timeline = svc.job_timeline(job["id"])
    assert timeline is not None
    assert timeline["rule"] == "always-fail"
    assert timeline["job"]["status"] == "failed"
    assert [e["kind"] for e in timeline["events"]][:1] == ["job.created"]
    assert timeline["webhooks"] == [] and timeline["stream"] is None
    assert svc.job_timeline("nope") is None


def test_the_sse_frames_resume_after_a_seq_and_stop_when_the_client_is_gone(svc: MockService) -> None:
    first = svc.create("acct", dict(REQUEST), None)
    second = svc.create("acct", dict(REQUEST), None)
    seen = svc.recent_events(EventFilter())
    after_first = seen[0]["seq"]
    calls = iter([False, True])
    frames = list(svc.event_frames(after_first, EventFilter(), lambda: next(calls), wait=0))
    body = b"".join(frames)
    assert body.startswith(b": creatify-mock event feed\n\n")
    assert second["id"].encode() in body and f"id: {after_first + 1}\n".encode() in body
    assert first["id"].encode() not in body
    assert svc.events.subscribers == 0  # the reader was closed


def test_a_quiet_feed_sends_heartbeats(svc: MockService) -> None:
    calls = iter([False, False, True])
    frames = list(svc.event_frames(None, EventFilter(), lambda: next(calls), heartbeat=0, wait=0))
    assert frames[1:] == [b": heartbeat\n\n", b": heartbeat\n\n"]


def test_while_the_feed_is_read_unwatched_jobs_move_on_time() -> None:
    clock = FrozenClock()
    service = MockService(Settings(seed=7, pending_seconds=1, running_seconds=2, log_requests=False), clock)
    try:
        service.create("acct", dict(REQUEST), None)  # no webhook, no balance: moved only when read
        frames = service.event_frames(None, EventFilter(kinds=("job.transition",)), lambda: False, wait=0)
        clock.advance(5)
        assert service.store.tick(clock.now_us()) == 1  # the scheduler's step, without reading the job
        body = next(frames) + next(frames)
        assert b'"status":"running"' in body and b'"status":"done"' in body
        frames.close()
        assert service.events.subscribers == 0
    finally:
        service.close()


def test_a_restored_delivery_without_optional_keys_is_published(svc: MockService) -> None:
    entry: dict[str, Any] = {
        "delivery_id": "d1",
        "job_id": "j1",
        "event": "done",
        "target": "http://127.0.0.1:9/hook",
        "payload": {},
        "created_at": "2026-01-01T00:00:00Z",
        "state": "delivered",
        "error": None,
        "attempts": [],
    }  # no "faults": a snapshot may leave it out
    svc.restore_deliveries([entry])
    [queued] = svc.recent_events(EventFilter(kinds=("webhook",)))
    assert queued["kind"] == "webhook.queued" and queued["data"]["faults"] == {}


def test_a_feed_closed_before_its_first_frame_lets_its_reader_go(svc: MockService) -> None:
    """A client that leaves before the server read one frame (it saw the headers) must not stay subscribed."""
    frames = svc.event_frames(None, EventFilter(), lambda: False, wait=0)
    assert svc.events.subscribers == 1
    frames.close()
    assert svc.events.subscribers == 0
