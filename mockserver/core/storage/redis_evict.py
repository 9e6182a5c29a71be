"""``--max-jobs`` on the Redis store: the same bound and the same choice of victims as the memory store.

A shared mock left running for weeks under CI traffic kept every job in Redis (the bound applied only to the
memory store). Now a create that finds more than ``max_jobs`` jobs wakes a background thread of its process,
which drops batches — 1% of the bound (at least the excess, at most ``MAX_BATCH``) — oldest terminal jobs first,
then the oldest of the rest (``lifecycle.eviction_victims``, the memory store's rule, on the mock's clock), until
the bound holds. The create never waits for it: a batch's jobs take tens of milliseconds to read, and creates run
on the server's event loop. A prefix filled far past the bound is trimmed a batch at a time.

Several processes: one trims at a time, under a short lease (``SET NX`` with a token, released only by its
holder), counting the jobs once it holds the lease; a process that finds the lease taken waits for it, then
counts again. Each round looks at the oldest ``SCAN_FACTOR`` batches only: a terminal job younger than that window
is not preferred over an older live one (the memory store scans further). A job is dropped only if it is still
what the round read (``DROP`` compares its data): a job moved, or reset and created again under the same id,
meanwhile stays. A reader that loses its job to a round answers 404, as for any forgotten job.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from mockserver.core import lifecycle
from mockserver.core.storage.redis_codec import Keys, decode

log = logging.getLogger("creatify_mock.store")
#: How many batches of the oldest jobs one round looks at to find terminal ones.
SCAN_FACTOR = 4
#: Jobs dropped per round at most (a round reads SCAN_FACTOR times as many).
MAX_BATCH = 500
#: Rounds (or waits for another process's lease) one wake-up may take.
MAX_ROUNDS = 10_000
#: How long a round may hold the lease (ms); it is released as soon as its batch is gone. A wait for it: seconds.
LEASE_MS, LEASE_WAIT = 10_000, 0.05
#: KEYS: the lease; ARGV: the holder's token. Deletes the lease only if this holder still has it.
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
#: KEYS: the job, the jobs set, its account's set, the watch set; ARGV: the data read ('' = absent), the id.
DROP = """
if (redis.call('HGET', KEYS[1], 'd') or '') ~= ARGV[1] then return 0 end
redis.call('UNLINK', KEYS[1])
for i = 2, 4 do redis.call('ZREM', KEYS[i], ARGV[2]) end
return 1
"""


class RedisEviction:
    """Keeps the number of jobs under one prefix at ``max_jobs`` (within a batch), off the request path."""

    def __init__(self, client: Any, keys: Keys, max_jobs: int, now_us: Callable[[], int]) -> None:
        self._r = client
        self._k = keys
        self.max_jobs = max_jobs
        self._now_us = now_us
        self._release = client.register_script(RELEASE)
        self._drop = client.register_script(DROP)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wanted = False  # a create found the store over its bound since the thread last looked
        self._closed = False

    def after_add(self, count: int) -> None:
        """Called with the number of jobs after a create: over the bound, the trimming thread is woken."""
        if count <= self.max_jobs:
            return
        with self._lock:
            self._wanted = True
            if self._thread is not None or self._closed:
                return  # the running thread looks again before it ends
            self._thread = threading.Thread(target=self._trim, name="creatify-mock-evict", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 1.0) -> None:
        """Stop trimming (after the round under way) and wait for the thread a little."""
        with self._lock:
            self._closed, thread = True, self._thread
        if thread is not None:
            thread.join(timeout)

    def _trim(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._wanted or self._closed:
                        self._thread = None
                        return
                    self._wanted = False
                self._rounds()
        except Exception:  # a lost Redis, or worse: logged; the next create over the bound starts again
            log.warning("dropping old jobs from the Redis store failed", exc_info=True)
            with self._lock:
                self._thread = None

    def _rounds(self) -> None:
        for _ in range(MAX_ROUNDS):
            if self._closed:
                return
            dropped = self.round()
            if dropped is None:
                time.sleep(LEASE_WAIT)  # another process is trimming: count again once it is done
            elif dropped == 0:
                return

    def round(self) -> int | None:
        """Under the lease, count the jobs and drop one batch of the excess: how many went (0: at the bound, or
        nothing could go); None when another process holds the lease."""
        token = os.urandom(8).hex()
        if not self._r.set(self._k.evicting, token, nx=True, px=LEASE_MS):
            return None
        try:
            excess = int(self._r.zcard(self._k.jobs)) - self.max_jobs
            if excess <= 0:
                return 0
            return self._evict(min(max(excess, self.max_jobs // 100, 1), MAX_BATCH))
        finally:
            self._release(keys=[self._k.evicting], args=[token])

    def _evict(self, batch: int) -> int:
        ids = [i.decode() for i in self._r.zrange(self._k.jobs, 0, SCAN_FACTOR * batch - 1)]
        pipe = self._r.pipeline(transaction=False)
        for job_id in ids:
            pipe.hget(self._k.job(job_id), "d")
        read = dict(zip(ids, pipe.execute(), strict=True))
        jobs = [decode(data) for data in read.values() if data is not None]  # oldest first, by seq
        victims = lifecycle.eviction_victims(jobs, batch, self._now_us())
        pipe = self._r.pipeline(transaction=False)
        for job_id, account in [(j.id, j.account) for j in victims] + [
            (i, "") for i, d in read.items() if d is None
        ]:
            keys = [self._k.job(job_id), self._k.jobs, self._k.account(account), self._k.watch]
            self._drop(keys=keys, args=[read[job_id] or b"", job_id], client=pipe)
        return sum(pipe.execute())
