"""Generation off the request path: worker threads for outcomes that outlast a quick try, fair between accounts.

A read that finds a job due to finish tries its generation inline for a few milliseconds (``INLINE_SECONDS``,
enough for plain text and ordinary JSON schemas, so the common case answers ``done`` at once and
deterministically); work that needs longer continues here while the job reads ``running``, and the store is
handed the outcome when it is ready. Errors never vanish: a worker that fails delivers a failed outcome and logs
the traceback.

Fairness (issue 21, docs/security.md): work waits in one queue per account and the workers serve the accounts
round robin, so one account's thirty heavy schemas wait behind each other, not in front of another account's
job. Each job's budget counts from when it became due, not from when a worker took it: a job that waited out
its budget in the queue fails at once (``504 DEADLINE_EXCEEDED``), so a backlog drains in budget time. An
account with ``per_account`` jobs already queued gets its next slow job failed at once (``429
RESOURCE_EXHAUSTED``) rather than queued.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from mockserver.core.models import JobStatus, Outcome
from mockserver.generation.jsongen.generate import GenerationTimeout
from mockserver.generation.text import Generator

log = logging.getLogger("creatify_mock.generation")
#: How long a request may spend generating before the rest moves to a worker (seconds).
INLINE_SECONDS = 0.05
WORKERS = 2
PER_ACCOUNT = 16
INTERNAL_REASON = "500 INTERNAL: the mock could not generate a response (see its log)."


def queue_full_reason(cap: int) -> str:
    """Gemini's answer to a caller over its quota, with the mock's limit named."""
    return (
        f"429 RESOURCE_EXHAUSTED: this account already has {cap} slow generations queued in the mock "
        "(--generation-queue); this job was not generated."
    )


@dataclass
class _Task:
    work: Callable[[], Outcome]
    done: Callable[[Outcome], None]


class Background:
    """Per-account queues served round robin by a pool of ``workers`` threads; restartable after ``close``."""

    def __init__(self, workers: int = WORKERS, per_account: int = PER_ACCOUNT) -> None:
        self._workers = workers
        self.per_account = per_account
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._queues: dict[str, deque[_Task]] = {}
        self._turns: deque[str] = deque()  # accounts with queued work, in serving order
        self.error: BaseException | None = None

    def prepare(
        self,
        generator: Generator,
        request: Mapping[str, Any],
        budget: float,
        blocking: bool,
        done: Callable[[Outcome], None],
        account: str = "",
    ) -> Outcome | None:
        """The outcome, tried inline for INLINE_SECONDS; past that (unless ``blocking``: then inline under the
        whole budget) None, and a worker finishes it under what is left of ``budget`` — counted from now, the
        moment the job is due — and calls ``done``. Over the account's queue cap: a failed outcome at once."""
        if blocking or budget <= INLINE_SECONDS:
            return generator.bounded(request, budget)
        due = time.monotonic()
        try:
            return generator.outcome(request, due + INLINE_SECONDS)
        except GenerationTimeout:
            pass

        def work() -> Outcome:
            return generator.bounded(request, budget, spent=time.monotonic() - due)

        if not self.submit(work, done, account):
            return Outcome(JobStatus.FAILED, failed_reason=queue_full_reason(self.per_account))
        return None

    def submit(self, work: Callable[[], Outcome], done: Callable[[Outcome], None], account: str = "") -> bool:
        """Queue ``work`` for ``account``; False (nothing queued) when the account is at its cap."""
        with self._lock:
            queue = self._queues.get(account)
            if queue is None:
                queue = self._queues[account] = deque()
                self._turns.append(account)
            elif len(queue) >= self.per_account:
                return False
            queue.append(_Task(work, done))
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="creatify-mock-generate")
            # One pool item per task, but which task it runs is decided when a worker is free: round robin.
            self._pool.submit(self._next)
        return True

    def queued(self, account: str | None = None) -> int:
        """Tasks waiting for a worker (of one account, or all)."""
        with self._lock:
            if account is not None:
                return len(self._queues.get(account, ()))
            return sum(len(q) for q in self._queues.values())

    def _take(self) -> _Task | None:
        """The next task, round robin over accounts; None when ``close`` dropped it."""
        with self._lock:
            if not self._turns:
                return None
            account = self._turns.popleft()
            queue = self._queues[account]
            task = queue.popleft()
            if queue:
                self._turns.append(account)  # its next task waits for every other account's turn
            else:
                del self._queues[account]
            return task

    def _next(self) -> None:
        task = self._take()
        if task is not None:
            self._run(task.work, task.done)

    def _run(self, work: Callable[[], Outcome], done: Callable[[Outcome], None]) -> None:
        try:
            outcome = work()
        except Exception:
            log.exception("background generation failed")
            outcome = Outcome(JobStatus.FAILED, failed_reason=INTERNAL_REASON)
        try:
            done(outcome)
        except Exception as exc:  # surfaced through .error (MockServer.stop re-raises it) and the log
            self.error = exc
            log.exception("handing a generated outcome to the store failed")

    def close(self) -> None:
        """Stop taking work and drop what is queued; what is running finishes on its own (its outcome is then
        ignored by the store). A later ``submit`` starts a fresh pool."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._queues.clear()
            self._turns.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
