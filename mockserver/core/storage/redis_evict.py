"""``--max-jobs`` on the Redis store: the same bound and the same choice of victims as the memory store.

A shared mock left running for weeks under CI traffic kept every job in Redis (the bound applied only to the
memory store). Now a create that finds more than ``max_jobs`` jobs drops a batch — 1% of the bound, at least the
excess — oldest terminal jobs first, then the oldest of the rest (``lifecycle.eviction_victims``, the memory
store's rule), so memory stays flat and the cost is paid once per batch.

Shared by several processes: one evicts at a time (a short ``SET NX`` lease; the others skip, their count is
seen again at their next create). The scan looks at the oldest ``SCAN_FACTOR`` batches only, a bounded cost per
batch: a terminal job younger than that window is not preferred over an older live one (the memory store scans
further; the difference shows only when almost every old job is still pending or running). A job dropped while
another process moves it is safe: the transition script compares the job's version, finds the job gone, and that
reader answers 404 as for any forgotten job.
"""

from __future__ import annotations

from typing import Any

from mockserver.core import lifecycle
from mockserver.core.storage.redis_codec import Keys, decode

#: How many batches of the oldest jobs one eviction looks at to find terminal ones.
SCAN_FACTOR = 10
#: How long one process may hold the eviction lease (ms); it is released as soon as the batch is gone.
LEASE_MS = 5000


class RedisEviction:
    """Keeps the number of jobs under one prefix at ``max_jobs`` (approximately: within a batch)."""

    def __init__(self, client: Any, keys: Keys, max_jobs: int) -> None:
        self._r = client
        self._k = keys
        self.max_jobs = max_jobs

    def after_add(self, count: int, now_us: int) -> int:
        """Called with the number of jobs after a create; returns how many jobs were dropped (0 mostly)."""
        if count <= self.max_jobs or not self._r.set(self._k.evicting, b"1", nx=True, px=LEASE_MS):
            return 0
        try:
            return self._evict(max(count - self.max_jobs, self.max_jobs // 100, 1), now_us)
        finally:
            self._r.delete(self._k.evicting)

    def _evict(self, batch: int, now_us: int) -> int:
        ids = [i.decode() for i in self._r.zrange(self._k.jobs, 0, SCAN_FACTOR * batch - 1)]
        pipe = self._r.pipeline(transaction=False)
        for job_id in ids:
            pipe.hget(self._k.job(job_id), "d")
        found = pipe.execute()
        stale = [job_id for job_id, data in zip(ids, found, strict=True) if data is None]
        jobs = [decode(data) for data in found if data is not None]  # oldest first, as the set is by seq
        victims = lifecycle.eviction_victims(jobs, batch, now_us)
        pipe = self._r.pipeline(transaction=False)
        for job in victims:
            pipe.unlink(self._k.job(job.id))
            pipe.zrem(self._k.account(job.account), job.id)
        gone = [job.id for job in victims] + stale
        if gone:
            pipe.zrem(self._k.jobs, *gone)
            pipe.zrem(self._k.watch, *gone)
        pipe.execute()
        return len(victims)
