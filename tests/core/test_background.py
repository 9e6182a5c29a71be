"""Background generation is fair between accounts: round robin over per-account queues, a cap per account,
and a budget that counts from when the job became due (issue 21)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from mockserver.core.models import JobStatus, Outcome
from mockserver.generation.background import Background, queue_full_reason
from mockserver.generation.jsongen.generate import GenerationTimeout
from mockserver.generation.text import Generator

WAIT = 10.0


class Recorder:
    """Tasks that record their name in the order they run; the first one can be held until released."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.finished = threading.Semaphore(0)
        self.hold = threading.Event()
        self.started = threading.Event()

    def task(self, name: str, held: bool = False) -> Callable[[], Outcome]:
        def work() -> Outcome:
            if held:
                self.started.set()
                assert self.hold.wait(WAIT)
            self.order.append(name)
            return Outcome(JobStatus.DONE, response_text=name)

        return work

    def done(self, outcome: Outcome) -> None:
        self.finished.release()

    def wait(self, count: int) -> None:
        for _ in range(count):
            assert self.finished.acquire(timeout=WAIT)


def test_accounts_are_served_round_robin_and_capped() -> None:
    pool = Background(workers=1, per_account=3)
    rec = Recorder()
    try:
        assert pool.submit(rec.task("a1", held=True), rec.done, "a")
        assert rec.started.wait(WAIT)  # the worker is busy with a1; the rest queue up
        for name in ("a2", "a3", "a4"):
            assert pool.submit(rec.task(name), rec.done, "a")
        assert not pool.submit(rec.task("a5"), rec.done, "a")  # over the cap of 3 queued
        assert pool.queued("a") == 3
        for name in ("b1", "b2"):
            assert pool.submit(rec.task(name), rec.done, "b")
        assert pool.submit(rec.task("c1"), rec.done, "c")
        rec.hold.set()
        rec.wait(7)
    finally:
        pool.close()
    assert rec.order == ["a1", "a2", "b1", "c1", "a3", "b2", "a4"]


class SlowGenerator(Generator):
    """Never finishes inline; in the background it reports how much of the budget was already spent."""

    def __init__(self) -> None:
        super().__init__()
        self.spent: list[float] = []

    def outcome(
        self, request: Mapping[str, Any], deadline: float | None = None, calls: bool = True
    ) -> Outcome:
        raise GenerationTimeout("too slow to try inline")

    def bounded(self, request: Mapping[str, Any], budget: float, spent: float = 0.0) -> Outcome:
        self.spent.append(spent)
        return Outcome(JobStatus.DONE, response_text="late")


def test_the_budget_counts_from_when_the_job_was_due_and_over_the_cap_fails_at_once() -> None:
    pool = Background(workers=1, per_account=1)
    rec = Recorder()
    generator = SlowGenerator()
    outcomes: list[Outcome] = []
    got = threading.Semaphore(0)

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        got.release()

    try:
        assert pool.submit(rec.task("blocker", held=True), rec.done, "other")
        assert rec.started.wait(WAIT)
        assert pool.prepare(generator, {}, 5.0, False, done, "a") is None  # queued behind the blocker
        refused = pool.prepare(generator, {}, 5.0, False, done, "a")
        assert refused is not None and refused.status is JobStatus.FAILED
        assert refused.failed_reason == queue_full_reason(1)
        waited = threading.Event()
        waited.wait(0.2)  # the queued job's budget is being spent while it waits
        rec.hold.set()
        assert got.acquire(timeout=WAIT)
    finally:
        pool.close()
    assert outcomes[0].response_text == "late"
    assert generator.spent[0] >= 0.2  # counted from when it was due, not from when a worker took it


def test_close_drops_queued_work_and_a_later_submit_starts_again() -> None:
    pool = Background(workers=1, per_account=5)
    rec = Recorder()
    assert pool.submit(rec.task("held", held=True), rec.done, "a")
    assert rec.started.wait(WAIT)
    assert pool.submit(rec.task("dropped"), rec.done, "a")
    pool.close()
    assert pool.queued() == 0
    rec.hold.set()
    rec.wait(1)
    assert pool.submit(rec.task("after"), rec.done, "a")
    rec.wait(1)
    pool.close()
    assert rec.order == ["held", "after"]
