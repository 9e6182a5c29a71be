"""JobStore, lifecycle and Scheduler in-process on a frozen clock: transitions, listeners, eviction, watching."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from mockserver.core import lifecycle
from mockserver.core.clock import FrozenClock, to_us
from mockserver.core.models import Job, JobStatus, Outcome, Schedule
from mockserver.core.scheduler import Scheduler
from mockserver.core.store import Conflict, JobStore

REQUEST = {"model_name": "m", "messages": [], "config": {}}
DONE = Outcome(JobStatus.DONE, response_text="hi", credits_used=0.5)


def job(
    seq: int, at: int, running_in: float | None = 1, finish_in: float | None = 3, hook: bool = False
) -> Job:
    running = None if running_in is None else at + to_us(running_in)
    finish = None if finish_in is None else at + to_us(finish_in)
    return Job(
        f"job-{seq}",
        "acct",
        seq,
        dict(REQUEST),
        "http://127.0.0.1:9/" if hook else None,
        at,
        Schedule(running, finish),
    )


def store(max_jobs: int = 100) -> tuple[JobStore, list[Job]]:
    finished: list[Job] = []

    def finisher(j: Job, blocking: bool) -> Outcome | None:
        finished.append(j)
        return DONE

    return JobStore(finisher, max_jobs), finished


def test_reads_derive_the_status_from_the_clock() -> None:
    s, finished = store()
    s.add(job(1, 0))
    assert s.get("job-1", to_us(0.5))["status"] == "pending"  # type: ignore[index]
    assert s.get("job-1", to_us(1))["status"] == "running"  # type: ignore[index]
    done = s.get("job-1", to_us(3))
    assert done is not None and done["status"] == "done" and done["response_text"] == "hi"
    assert len(finished) == 1 and s.pending_outcomes() == 0


def test_listeners_see_each_transition_once_in_order() -> None:
    s, _ = store()
    seen: list[str] = []
    s.listeners.append(lambda view, j: seen.append(view["status"]))
    s.add(job(1, 0))
    s.get("job-1", to_us(10))
    s.get("job-1", to_us(20))
    assert seen == ["running", "done"]


def test_tick_moves_only_watched_jobs() -> None:
    s, _ = store()
    s.add(job(1, 0, hook=True))
    s.add(job(2, 0))
    assert s.tick(to_us(5)) == 1
    statuses = {j.id: j.status for j in s.export_jobs()}
    assert statuses == {"job-1": JobStatus.DONE, "job-2": JobStatus.PENDING}
    assert s.next_wakeup() is None


def test_manual_jobs_move_only_by_advance_and_never_after_terminal() -> None:
    s, _ = store()
    s.add(job(1, 0, running_in=None, finish_in=None))
    assert s.get("job-1", to_us(1000))["status"] == "pending"  # type: ignore[index]
    assert s.advance("job-1", 0, None, None)["status"] == "running"
    assert s.advance("job-1", 0, JobStatus.DONE, DONE)["status"] == "done"
    with pytest.raises(Conflict):
        s.advance("job-1", 0, None, None)


def test_eviction_keeps_the_bound_dropping_terminal_jobs_first() -> None:
    s, _ = store(max_jobs=10)
    for seq in range(1, 6):
        s.add(job(seq, 0, running_in=0, finish_in=0))  # terminal at once
    for seq in range(6, 13):
        s.add(job(seq, 0, running_in=None, finish_in=None))  # manual: never terminal
    kept = {j.id for j in s.export_jobs()}
    assert len(kept) <= 10 and {f"job-{n}" for n in range(6, 13)} <= kept


def test_a_schedule_follows_the_timing_mode() -> None:
    import random

    from mockserver.config import Settings

    rng = random.Random(1)
    assert lifecycle.plan(Settings(timing="manual"), 0, rng) == Schedule(None, None)
    assert lifecycle.plan(Settings(timing="instant"), 5, rng) == Schedule(5, 5)
    realtime = lifecycle.plan(Settings(pending_seconds=1, running_seconds=2), 0, rng)
    assert realtime == Schedule(to_us(1), to_us(3))


def test_the_scheduler_finishes_watched_jobs_and_stops() -> None:
    clock = FrozenClock()
    s, _ = store()
    done = threading.Event()
    s.listeners.append(lambda view, j: done.set() if view["status"] == "done" else None)
    s.add(job(1, clock.now_us(), running_in=0, finish_in=0, hook=True))
    scheduler = Scheduler(s, clock)
    scheduler.start()
    try:
        assert done.wait(5), "the scheduler never ticked"
    finally:
        scheduler.stop()
    assert scheduler.error is None


def test_a_failing_tick_is_surfaced_not_lost() -> None:
    class Broken(JobStore):
        def tick(self, now_us: int) -> int:
            raise RuntimeError("boom")

    failed: list[Any] = []
    s = Broken(lambda j, blocking: DONE)
    scheduler = Scheduler(s, FrozenClock())
    scheduler.start()
    try:
        for _ in range(100):
            if scheduler.error is not None:
                failed.append(scheduler.error)
                break
            threading.Event().wait(0.01)
    finally:
        scheduler.stop()
    assert failed and str(failed[0]) == "boom"
