"""JobStore: every job behind one lock; reads derive the state from the clock and hand out copies.

Outcomes (generated text) are computed outside the lock, then applied under it, so a slow generation never
blocks other requests. The finisher may answer "not yet" (a background worker has it): the job stays ``running``
past its finish until ``deliver`` hands the outcome over. Listeners run under the lock and only enqueue.
"""

from __future__ import annotations

import copy
import heapq
import threading
from collections.abc import Callable, Iterable
from typing import Any

from mockserver.core import lifecycle, paging
from mockserver.core.models import ALLOWED_MOVES, Job, JobStatus, Outcome

#: ``finisher(job, blocking)``: the job's outcome; None (only when not ``blocking``) means it is being computed
#: in the background and will arrive through ``JobStore.deliver``.
Finisher = Callable[[Job, bool], "Outcome | None"]
Listener = Callable[[dict[str, Any], Job], None]
View = Callable[[Job], dict[str, Any]]


class Conflict(Exception):
    """The job cannot make the asked move (it is terminal, or the move goes backwards)."""


class JobStore:
    """Jobs by id and by account (creation order), plus a heap of watched jobs for the scheduler."""

    def __init__(self, finisher: Finisher, max_jobs: int = 100_000) -> None:
        self._finisher = finisher
        self._max_jobs = max_jobs
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._by_account: dict[str, dict[str, None]] = {}  # ordered sets of ids, oldest first
        self._watch: list[tuple[int, int, str]] = []
        self._outcomes: dict[str, Outcome] = {}
        self._inflight: set[str] = set()  # outcomes being computed in the background
        self._late: set[str] = set()  # jobs whose finish came due before their outcome was ready
        self.listeners: list[Listener] = []
        #: Persistence, under the lock after the listeners: job added/moved (False), dropped (True; None: all).
        self.on_change: Callable[[Job | None, bool], object] = lambda job, removed: None
        self.hold = self._lock  # held, what on_change queued is a consistent cut
        #: Called (without the lock) when a background outcome arrives for a watched job: wake the scheduler.
        self.on_ready: Callable[[], object] = lambda: None
        #: Which jobs the scheduler moves on time even when nobody reads them (those whose transitions matter).
        self.watch: Callable[[Job], bool] = lambda job: job.webhook_url is not None

    # -- writing -------------------------------------------------------------------------------------------
    def add(self, job: Job) -> dict[str, Any]:
        """Store a new job; returns its API view at creation (status pending)."""
        with self._lock:
            self._jobs[job.id] = job
            self._by_account.setdefault(job.account, {})[job.id] = None
            if self.watch(job):
                self._push(job)
            if len(self._jobs) > self._max_jobs:
                self._evict(job.created_at)
            self.on_change(job, False)
            return job.to_own()

    def reset(self) -> None:
        with self._lock:
            self._jobs.clear()
            self._by_account.clear()
            self._watch.clear()
            self._outcomes.clear()
            self._inflight.clear()
            self._late.clear()
            self.on_change(None, True)

    # -- reading -------------------------------------------------------------------------------------------
    def get(
        self, job_id: str, now_us: int, account: str | None = None, view: View = Job.to_api
    ) -> dict[str, Any] | None:
        """The job as it is now (as ``view`` shows it), or None when unknown or owned by another account."""
        self._prepare(self._lookup([job_id], account), now_us)
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or (account is not None and job.account != account):
                return None
            self._refresh(job, now_us)
            return view(job)

    def snapshot(
        self,
        now_us: int,
        account: str | None = None,
        ids: Iterable[str] | None = None,
        view: View = Job.to_api,
        limit: int | None = None,
        before_seq: int | None = None,
    ) -> list[dict[str, Any]]:
        """Jobs newest first: one account's (or all), optionally only ``ids``, else a page (``paging.newest``)."""
        with self._lock:
            if ids is not None:  # look the few ids up, rather than walking every job of the account
                found = (self._jobs.get(i) for i in set(ids))
                picked = [j for j in found if j is not None and (account is None or j.account == account)]
                order = sorted(picked, key=lambda j: j.seq, reverse=True)
            else:
                order = paging.newest(self._jobs, self._by_account, account, limit, before_seq)
        self._prepare(order, now_us)
        with self._lock:
            out = []
            for job in order:
                if self._jobs.get(job.id) is job:
                    self._refresh(job, now_us)
                    out.append(view(job))
            return out

    def request_of(self, job_id: str) -> dict[str, Any]:
        """The cleaned request a job was created from (KeyError when unknown)."""
        with self._lock:
            return self._jobs[job_id].request

    def owner(self, job_id: str) -> str | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return job.account if job else None

    def __len__(self) -> int:
        return len(self._jobs)

    def pending_outcomes(self) -> int:
        """Outcomes computed (or being computed) and not yet taken (a test keeps this from growing)."""
        with self._lock:
            return len(self._outcomes) + len(self._inflight)

    def deliver(self, job: Job, outcome: Outcome) -> None:
        """A background outcome is ready: kept for a stored unfinished job; a watched one is scheduled at once."""
        with self._lock:
            self._inflight.discard(job.id)
            if self._jobs.get(job.id) is not job or job.status.terminal or job.forced is not None:
                return
            self._outcomes[job.id] = outcome
            if watched := self.watch(job):
                heapq.heappush(self._watch, (0, job.seq, job.id))
        if watched:
            self.on_ready()

    # -- moving --------------------------------------------------------------------------------------------
    def advance(
        self, job_id: str, now_us: int, target: JobStatus | None, forced: Outcome | None
    ) -> dict[str, Any]:
        """Move a job now: one step when ``target`` is None, else straight to ``target`` (through running)."""
        self._prepare(self._lookup([job_id], None), now_us, always=forced is None, blocking=True)
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise KeyError(job_id)
            self._refresh(job, now_us)
            if job.status.terminal:
                raise Conflict(f"job {job_id} is {job.status.value}; terminal jobs never change")
            if target is None:
                target = JobStatus.RUNNING if job.status is JobStatus.PENDING else JobStatus.DONE
            if target not in ALLOWED_MOVES[job.status]:
                raise Conflict(f"job {job_id} cannot move from {job.status.value} to {target.value}")
            if target.terminal and forced is not None:
                job.forced = forced
            if job.status is JobStatus.PENDING:
                self._take(job, "running", now_us)
            if target.terminal and not self._take(job, "finish", now_us):
                raise Conflict(f"job {job_id} is still generating its answer; try again")
            return job.to_api()

    def tick(self, now_us: int) -> int:
        """Apply every due transition of watched jobs (the scheduler's work); returns how many jobs moved."""
        with self._lock:
            ready: list[Job] = []
            while self._watch and self._watch[0][0] <= now_us:
                _, _, job_id = heapq.heappop(self._watch)
                job = self._jobs.get(job_id)
                if job is not None and not job.status.terminal:
                    ready.append(job)
        self._prepare(ready, now_us)
        with self._lock:
            for job in ready:
                if self._jobs.get(job.id) is job:
                    self._refresh(job, now_us)
                    if job.id not in self._late:  # a background outcome reschedules it on arrival
                        self._push(job)
        return len(ready)

    def next_wakeup(self) -> int | None:
        with self._lock:
            return self._watch[0][0] if self._watch else None

    # -- internals -----------------------------------------------------------------------------------------
    def _lookup(self, ids: Iterable[str], account: str | None) -> list[Job]:
        with self._lock:
            jobs = [self._jobs.get(i) for i in ids]
        return [j for j in jobs if j is not None and (account is None or j.account == account)]

    def _prepare(
        self, jobs: Iterable[Job], now_us: int, always: bool = False, blocking: bool = False
    ) -> None:
        """Compute, outside the lock, the outcome of each job about to finish (pure; a stale read at worst computes
        one twice). Unless ``blocking``, the finisher may move slow work to the background until ``deliver``."""
        for job in jobs:
            if job.id in self._outcomes or job.status.terminal or job.forced is not None:
                continue
            if job.id in self._inflight and not blocking:
                continue
            if always or any(step == "finish" for step, _ in lifecycle.due(job, now_us)):
                outcome = self._finisher(job, blocking)
                with self._lock:  # kept only for a job still stored: an evicted one's would never be taken
                    stored = self._jobs.get(job.id) is job and not job.status.terminal
                    if outcome is None:  # gone to the background (unless it already came back: deliver)
                        if stored and job.id not in self._outcomes:
                            self._inflight.add(job.id)
                    elif stored:
                        self._outcomes[job.id] = outcome

    def _refresh(self, job: Job, now_us: int) -> None:
        for step, at in lifecycle.due(job, now_us):
            # A finish whose outcome came late happens when it is taken, not back at its scheduled time.
            when = now_us if step == "finish" and job.id in self._late else at
            if not self._take(job, step, when):
                return

    def _take(self, job: Job, step: str, at_us: int) -> bool:
        """Apply one transition; False (nothing changed) for a finish whose outcome is not ready yet."""
        if step == "running":
            job.status = JobStatus.RUNNING
        else:
            outcome = job.forced or self._outcomes.pop(job.id, None)
            if outcome is None:  # generating in the background: the job reads running until it arrives
                self._late.add(job.id)
                return False
            job.status = outcome.status
            job.response_text = outcome.response_text
            job.failed_reason = outcome.failed_reason
            job.credits_used = outcome.credits_used
            job.response_function_calls = list(outcome.function_calls)
            self._late.discard(job.id)
            self._inflight.discard(job.id)
        job.updated_at = max(at_us, job.updated_at)
        if self.listeners:
            view = job.to_own()
            for listener in self.listeners:
                listener(view, job)
        self.on_change(job, False)
        return True

    def rewatch(self, account: str | None = None) -> None:
        """Schedule unfinished jobs of ``account`` (or all) again under the current ``watch`` (a later balance)."""
        with self._lock:
            ids = self._by_account.get(account, {}) if account is not None else self._jobs
            for job_id in ids:
                job = self._jobs[job_id]
                if not job.status.terminal and self.watch(job):
                    self._push(job)

    def _evict(self, now_us: int) -> None:
        """Over ``max_jobs``: drop a batch (1% of the bound, at least the excess), oldest terminal jobs first:
        memory stays flat and the scan is paid once per batch."""
        batch = max(len(self._jobs) - self._max_jobs, self._max_jobs // 100, 1)
        for job in lifecycle.eviction_victims(self._jobs.values(), batch, now_us):
            del self._jobs[job.id]
            self.on_change(job, True)
            self._outcomes.pop(job.id, None)
            self._inflight.discard(job.id)
            self._late.discard(job.id)
            owned = self._by_account.get(job.account)
            if owned is not None:
                owned.pop(job.id, None)
                if not owned:
                    del self._by_account[job.account]

    def _push(self, job: Job) -> None:
        when = lifecycle.next_due(job)
        if when is not None:
            heapq.heappush(self._watch, (when, job.seq, job.id))

    # -- snapshot (admin state export/import) --------------------------------------------------------------
    def export_jobs(self) -> list[Job]:
        """Deep copies of every job, oldest first, for a snapshot (``state.py`` turns them into JSON)."""
        with self._lock:
            return [copy.deepcopy(job) for job in sorted(self._jobs.values(), key=lambda j: j.seq)]

    def import_jobs(self, jobs: Iterable[Job]) -> None:
        """Replace every job with ``jobs`` (taken over, not copied); watched ones are scheduled again."""
        ordered = sorted(jobs, key=lambda j: j.seq)
        with self._lock:
            self._jobs = {job.id: job for job in ordered}
            self._by_account = {}
            for job in ordered:
                self._by_account.setdefault(job.account, {})[job.id] = None
            self._watch = []
            self._outcomes.clear()
            self._inflight.clear()
            self._late.clear()
            self.on_change(None, True)
            for job in ordered:
                self.on_change(job, False)
                if self.watch(job):
                    self._push(job)
