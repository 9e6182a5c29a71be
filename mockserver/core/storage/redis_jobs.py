"""RedisJobStore: the jobs of every mock process on one Redis, each transition applied once.

A read fetches the job, works out (on the mock's clock) which transitions are due, computes the outcome if it
finishes, and writes the result with the ``TRANSITION`` script: a compare-and-set on the job's version that also
deducts credits, queues the webhook events and tells the other processes. When two processes race, one wins and
the other re-reads the winner's job, so the outcome, the deduction and the events happen exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import redis

from mockserver.core import jsonio, lifecycle
from mockserver.core.models import ALLOWED_MOVES, Job, JobStatus, Outcome
from mockserver.core.storage.base import Listener, Outbox, View
from mockserver.core.storage.redis_codec import TRANSITION, Keys, decode, encode, unavailable_as_store_error
from mockserver.core.storage.redis_evict import RedisEviction
from mockserver.core.store import Conflict, Finisher

#: Races lost in a row before a read gives up (each loss means another process moved the job: progress).
MAX_RACES = 50
TICK_BATCH = 500
#: Keys a reset leaves alone: the event feed (a reset is one of its events; its readers keep their place).
KEPT_ON_RESET = ("events", "events-seq")


@unavailable_as_store_error
class RedisJobStore:
    """The ``JobRepository`` on Redis: a hash per job (version + data), a sorted set per account, a watch set."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        finisher: Finisher,
        max_jobs: int = 100_000,
        now_us: Callable[[], int] = lambda: 0,
    ) -> None:
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._k = keys
        self.eviction = RedisEviction(client, keys, max_jobs, now_us)
        self._finisher = finisher
        self._transition = client.register_script(TRANSITION)
        self.listeners: list[Listener] = []
        self.on_ready: Callable[[], object] = lambda: None
        self.watch: Callable[[Job], bool] = lambda job: job.webhook_url is not None
        #: Set by the service: the webhook event a transition queues with it.
        self.outbox: Outbox = lambda view, job: None

    # -- writing -------------------------------------------------------------------------------------------
    def add(self, job: Job) -> dict[str, Any]:
        self.eviction.after_add(self._store(job))
        return job.to_own()

    def _store(self, job: Job) -> int:
        """Write a new job; the number of jobs after it."""
        pipe = self._r.pipeline(transaction=True)
        pipe.hset(self._k.job(job.id), mapping={"v": 1, "d": encode(job)})
        pipe.zadd(self._k.jobs, {job.id: job.seq})
        pipe.zadd(self._k.account(job.account), {job.id: job.seq})
        when = lifecycle.next_due(job)
        if when is not None and self.watch(job):
            pipe.zadd(self._k.watch, {job.id: when})
        pipe.zcard(self._k.jobs)
        return int(pipe.execute()[-1])

    def reset(self) -> None:
        """Delete every key under the prefix (jobs, balances, sequence, webhook stream, clock offset, rules)."""
        batch: list[bytes] = []
        kept = {f"{self._k.prefix}{name}".encode() for name in KEPT_ON_RESET}
        for key in self._r.scan_iter(match=self._k.prefix + "*", count=1000):
            if key in kept:
                continue
            batch.append(key)
            if len(batch) >= 1000:
                self._r.unlink(*batch)
                batch = []
        if batch:
            self._r.unlink(*batch)

    # -- reading -------------------------------------------------------------------------------------------
    def get(
        self, job_id: str, now_us: int, account: str | None = None, view: View = Job.to_api
    ) -> dict[str, Any] | None:
        found = self._read(job_id)
        if found is None or (account is not None and found[1].account != account):
            return None
        job = self._settle(job_id, found, now_us)
        return None if job is None else view(job)

    def snapshot(
        self,
        now_us: int,
        account: str | None = None,
        ids: Iterable[str] | None = None,
        view: View = Job.to_api,
        limit: int | None = None,
        before_seq: int | None = None,
    ) -> list[dict[str, Any]]:
        """Jobs newest first (by the global sequence): one account's (or all), optionally only ``ids``, else
        a page: at most ``limit`` created before ``before_seq`` (the sets are scored by ``seq``)."""
        if ids is not None:
            wanted = list(dict.fromkeys(ids))
        else:
            key = self._k.jobs if account is None else self._k.account(account)
            top = "+inf" if before_seq is None else f"({before_seq}"
            page = {} if limit is None else {"start": 0, "num": limit}
            wanted = [i.decode() for i in self._r.zrevrangebyscore(key, top, "-inf", **page)]
        pipe = self._r.pipeline(transaction=False)
        for job_id in wanted:
            pipe.hmget(self._k.job(job_id), "v", "d")
        found = []
        for job_id, (v, d) in zip(wanted, pipe.execute(), strict=True):
            if d is not None:
                job = decode(d)
                if account is None or job.account == account:
                    found.append((job_id, (int(v), job)))
        found.sort(key=lambda item: item[1][1].seq, reverse=True)
        out = []
        for job_id, pair in found:
            settled = self._settle(job_id, pair, now_us)
            if settled is not None:
                out.append(view(settled))
        return out

    def request_of(self, job_id: str) -> dict[str, Any]:
        found = self._read(job_id)
        if found is None:
            raise KeyError(job_id)
        return found[1].request

    def owner(self, job_id: str) -> str | None:
        found = self._read(job_id)
        return None if found is None else found[1].account

    def __len__(self) -> int:
        return int(self._r.zcard(self._k.jobs))

    def pending_outcomes(self) -> int:
        return 0  # outcomes are computed by the reader that applies them, never kept aside

    def deliver(self, job: Job, outcome: Outcome) -> None:
        return None  # never asked for: this store computes outcomes blocking (see _settle)

    # -- moving --------------------------------------------------------------------------------------------
    def advance(
        self, job_id: str, now_us: int, target: JobStatus | None, forced: Outcome | None
    ) -> dict[str, Any]:
        for _ in range(MAX_RACES):
            found = self._read(job_id)
            if found is None:
                raise KeyError(job_id)
            job = self._settle(job_id, found, now_us)
            if job is None:
                raise KeyError(job_id)
            version = self._version(job_id)
            if job.status.terminal:
                raise Conflict(f"job {job_id} is {job.status.value}; terminal jobs never change")
            goal = target or (JobStatus.RUNNING if job.status is JobStatus.PENDING else JobStatus.DONE)
            if goal not in ALLOWED_MOVES[job.status]:
                raise Conflict(f"job {job_id} cannot move from {job.status.value} to {goal.value}")
            if goal.terminal and forced is not None:
                job.forced = forced
            steps = (["running"] if job.status is JobStatus.PENDING else []) + (
                ["finish"] if goal.terminal else []
            )
            moved = self._apply(job_id, version, job, [(step, now_us) for step in steps])
            if moved is not None:
                return moved.to_api()
        raise Conflict(f"job {job_id} kept changing under this move; try again")

    def tick(self, now_us: int) -> int:
        """Apply the due transitions of watched jobs; every process may tick, the version decides who writes."""
        due = [i.decode() for i in self._r.zrangebyscore(self._k.watch, "-inf", now_us, 0, TICK_BATCH)]
        for job_id in due:
            found = self._read(job_id)
            if found is None:
                self._r.zrem(self._k.watch, job_id)
                continue
            job = self._settle(job_id, found, now_us)
            if job is not None and not lifecycle.due(job, now_us):
                when = lifecycle.next_due(job)
                if when is None or when <= now_us or not self.watch(job):
                    self._r.zrem(self._k.watch, job_id)
        return len(due)

    def next_wakeup(self) -> int | None:
        head = self._r.zrange(self._k.watch, 0, 0, withscores=True)
        return int(head[0][1]) if head else None

    def rewatch(self, account: str | None = None) -> None:
        key = self._k.jobs if account is None else self._k.account(account)
        ids = [i.decode() for i in self._r.zrange(key, 0, -1)]
        for job_id in ids:
            found = self._read(job_id)
            if found is None:
                continue
            when = lifecycle.next_due(found[1])
            if when is not None and self.watch(found[1]):
                self._r.zadd(self._k.watch, {job_id: when})

    # -- snapshot (admin state export/import) --------------------------------------------------------------
    def export_jobs(self) -> list[Job]:
        ids = [i.decode() for i in self._r.zrange(self._k.jobs, 0, -1)]
        pipe = self._r.pipeline(transaction=False)
        for job_id in ids:
            pipe.hget(self._k.job(job_id), "d")
        return [decode(d) for d in pipe.execute() if d is not None]

    def import_jobs(self, jobs: Iterable[Job]) -> None:
        old = [i.decode() for i in self._r.zrange(self._k.jobs, 0, -1)]
        pipe = self._r.pipeline(transaction=True)
        accounts = {self._k.account(o) for o in self._owners(old)}
        pipe.delete(self._k.jobs, self._k.watch, *accounts, *(self._k.job(i) for i in old))
        pipe.execute()
        for job in sorted(jobs, key=lambda j: j.seq):
            self._store(job)  # kept whole, as the memory store does: the next create trims

    # -- internals -----------------------------------------------------------------------------------------
    def _owners(self, ids: list[str]) -> set[str]:
        pipe = self._r.pipeline(transaction=False)
        for job_id in ids:
            pipe.hget(self._k.job(job_id), "d")
        return {decode(d).account for d in pipe.execute() if d is not None}

    def _read(self, job_id: str) -> tuple[int, Job] | None:
        v, d = self._r.hmget(self._k.job(job_id), "v", "d")
        return None if d is None else (int(v), decode(d))

    def _version(self, job_id: str) -> int:
        v = self._r.hget(self._k.job(job_id), "v")
        return int(v) if v is not None else -1

    def _settle(self, job_id: str, found: tuple[int, Job], now_us: int) -> Job | None:
        """The job brought up to ``now_us``: due transitions applied (by this process, or by one that won)."""
        version, job = found
        for _ in range(MAX_RACES):
            steps = lifecycle.due(job, now_us)
            if not steps:
                return job
            moved = self._apply(job_id, version, job, steps)
            if moved is not None:
                return moved
            again = self._read(job_id)
            if again is None:
                return None
            version, job = again
        return job

    def _apply(self, job_id: str, version: int, job: Job, steps: list[tuple[str, int]]) -> Job | None:
        """Take ``steps`` on ``job`` (read at ``version``) in one script call; None when another process
        changed the job first (nothing written)."""
        events: list[bytes] = []
        views: list[dict[str, Any]] = []
        for step, at in steps:
            if step == "running":
                job.status = JobStatus.RUNNING
            else:
                outcome = job.forced or self._finisher(job, True)
                assert outcome is not None  # blocking: always an outcome
                job.status = outcome.status
                job.response_text = outcome.response_text
                job.failed_reason = outcome.failed_reason
                job.credits_used = outcome.credits_used
                job.response_function_calls = list(outcome.function_calls)
            job.updated_at = max(at, job.updated_at)
            view = job.to_own()
            views.append(view)
            event = self.outbox(view, job)
            if event is not None:
                events.append(jsonio.dumps(event))
        credits = job.credits_used if job.status is JobStatus.DONE else 0
        when = lifecycle.next_due(job) if self.watch(job) else None
        keys = [self._k.job(job_id), self._k.balances, self._k.webhooks, self._k.watch, self._k.bus]
        args: list[Any] = [
            version,
            encode(job),
            job.account,
            repr(float(credits)),
            "" if when is None else when,
            job_id,
        ]
        if not self._transition(keys=keys, args=[*args, *events]):
            return None
        for view in views:
            for listener in self.listeners:
                listener(view, job)
        return job
