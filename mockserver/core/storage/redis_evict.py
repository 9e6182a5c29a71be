"""``--max-jobs`` on the Redis store: the same bound and the same choice of victims as the memory store.

A shared mock left running for weeks under CI traffic kept every job in Redis (the bound applied only to the
memory store). Now a create that finds more than ``max_jobs`` jobs wakes a background thread of its process,
which drops batches — 1% of the bound (at least the excess, at most ``MAX_BATCH``) — oldest terminal jobs first,
then the oldest of the rest (``lifecycle.eviction_victims``, the memory store's rule), until the bound holds. The
create never waits for it: reading a batch's jobs takes tens of milliseconds, and creates run on the server's
event loop. A prefix far over the bound (one filled before the bound applied) is trimmed a batch at a time.

Several processes: one evicts at a time, under a short lease (``SET NX`` with a token, released only by its
holder); a process that finds the lease taken leaves the trimming to its holder. Each round looks at the oldest
``SCAN_FACTOR`` batches only: a terminal job younger than that window is not preferred over an older live one
(the memory store scans further). A job dropped while another process moves it is safe: the transition script
compares the job's version, finds the job gone, and that reader answers 404 as for any forgotten job.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import redis

from mockserver.core import lifecycle
from mockserver.core.storage.redis_codec import Keys, decode

log = logging.getLogger("creatify_mock.store")
#: How many batches of the oldest jobs one round looks at to find terminal ones.
SCAN_FACTOR = 4
#: Jobs dropped per round at most (a round reads SCAN_FACTOR times as many).
MAX_BATCH = 500
#: Rounds one wake-up may take (500 each: a prefix 5 million jobs over its bound needs several wake-ups).
MAX_ROUNDS = 10_000
#: How long a round may hold the lease (ms); it is released as soon as its batch is gone.
LEASE_MS = 10_000
#: KEYS: the lease; ARGV: the holder's token. Deletes the lease only if this holder still has it.
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class RedisEviction:
    """Keeps the number of jobs under one prefix at ``max_jobs`` (within a batch), off the request path."""

    def __init__(self, client: Any, keys: Keys, max_jobs: int) -> None:
        self._r = client
        self._k = keys
        self.max_jobs = max_jobs
        self._release = client.register_script(RELEASE)
        self._lock = threading.Lock()
        self._running = False
        self._now_us = 0

    def after_add(self, count: int, now_us: int) -> None:
        """Called with the number of jobs after a create: over the bound, the trimming thread is woken."""
        if count <= self.max_jobs:
            return
        with self._lock:
            self._now_us = max(self._now_us, now_us)
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._trim, name="creatify-mock-evict", daemon=True).start()

    def _trim(self) -> None:
        try:
            for _ in range(MAX_ROUNDS):
                excess = int(self._r.zcard(self._k.jobs)) - self.max_jobs
                if excess <= 0 or not self.round(excess, self._now_us):
                    break
        except redis.RedisError as exc:  # the next create over the bound tries again
            log.warning("dropping old jobs from the Redis store failed: %s", exc)
        finally:
            with self._lock:
                self._running = False

    def round(self, excess: int, now_us: int) -> int:
        """Drop one batch under the lease; 0 when another process holds it (or nothing could be dropped)."""
        token = os.urandom(8).hex()
        if not self._r.set(self._k.evicting, token, nx=True, px=LEASE_MS):
            return 0
        try:
            return self._evict(min(max(excess, self.max_jobs // 100, 1), MAX_BATCH), now_us)
        finally:
            self._release(keys=[self._k.evicting], args=[token])

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
        return len(gone)
