"""Jobs nobody reads still move: the scheduler (real clock) and clock advances (frozen clock) emit transitions."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from mockserver.core.clock import FrozenClock
from mockserver.core.models import Job
from mockserver.core.scheduler import Scheduler
from mockserver.core.storage.base import StoreUnavailable
from mockserver.testing import MockServer

from .conftest import Client, valid_body

HOOK = "http://127.0.0.1:9/never-called"


class Recorder:
    """A store listener: records (status, updated_at) per job; must not block."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []
        self.done = threading.Event()

    def __call__(self, view: dict[str, Any], job: Job) -> None:
        self.events.append((view["id"], view["status"], view["updated_at"]))
        if job.status.terminal:
            self.done.set()


def test_frozen_clock_advance_moves_unread_jobs_at_once(client: Client, mock: MockServer) -> None:
    recorder = Recorder()
    mock.service.store.listeners.append(recorder)
    job = client.create(valid_body(webhook_url=HOOK))
    unwatched = client.create()
    mock.advance_clock(10)
    assert [(s, t[-16:]) for i, s, t in recorder.events] == [
        ("running", "00:00:01.000000Z"),
        ("done", "00:00:03.000000Z"),
    ]
    assert {i for i, _, _ in recorder.events} == {job["id"]}
    assert client.job(unwatched["id"])["status"] == "done"  # derived on read all the same


def test_real_clock_scheduler_moves_a_job_nobody_polls() -> None:
    with MockServer(pending_seconds=0.05, running_seconds=0.05) as mock:
        recorder = Recorder()
        mock.service.store.listeners.append(recorder)
        job = Client(mock).create(valid_body(webhook_url=HOOK))
        assert recorder.done.wait(10), "the scheduler never finished the job"
        assert [s for _, s, _ in recorder.events] == ["running", "done"]
        assert mock.service.scheduler.error is None
        found = mock.job(job["id"])
        assert found is not None and found["updated_at"] == recorder.events[-1][2]


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_admin_moves_emit_transitions_in_order(client: Client, mock: MockServer, clock: FrozenClock) -> None:
    recorder = Recorder()
    mock.service.store.listeners.append(recorder)
    job = client.create()
    mock.advance(job["id"], "failed", failed_reason="SAFETY")
    assert [s for _, s, _ in recorder.events] == ["running", "failed"]


class _FlakyStore:
    """A store whose ticks raise what it is given (then tick normally): the scheduler's only dependency here."""

    def __init__(self, failure: BaseException) -> None:
        self.failure: BaseException | None = failure
        self.ticks = threading.Semaphore(0)

    def tick(self, now_us: int) -> int:
        self.ticks.release()
        failure, self.failure = self.failure, None
        if failure is not None:
            raise failure
        return 0

    def next_wakeup(self) -> int | None:
        return None


def _tick_twice(failure: BaseException) -> Scheduler:
    store = _FlakyStore(failure)
    scheduler = Scheduler(store, FrozenClock())  # type: ignore[arg-type]  # only tick and next_wakeup are used
    scheduler.start()
    try:
        assert store.ticks.acquire(timeout=5)
        scheduler.wake()
        assert store.ticks.acquire(timeout=5)  # went on ticking after the failure
    finally:
        scheduler.stop()
    return scheduler


def test_a_lost_store_is_an_outage_the_scheduler_waits_out_not_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A Redis store that went away answers 503 to every call (docs/shared-service.md); the scheduler must not
    # report it as a crashed background thread (MockServer.stop would raise it in the test that stopped Redis).
    scheduler = _tick_twice(StoreUnavailable("the Redis store is unavailable (gone)"))
    assert scheduler.error is None
    assert any("store is unavailable" in r.getMessage() for r in caplog.records)


def test_any_other_tick_error_is_surfaced() -> None:
    scheduler = _tick_twice(ValueError("a bug"))
    assert isinstance(scheduler.error, ValueError)
