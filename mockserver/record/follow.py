"""``--follow-jobs``: the proxy polls each job it saw created until it ends, so the recording holds every job's
status timeline even when the client never polls (it may rely on a webhook, or stop early).

Reads cost no credits on Creatify's API. Polling is bounded every way: each job at most every ``interval``
seconds and for at most ``timeout`` seconds, all jobs together at most ``max_rate`` reads per second, at most
``max_jobs`` followed at once (others are logged and left alone). A job the client itself saw end is dropped.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mockserver.replay.recording import Exchange

log = logging.getLogger("creatify_mock.record")
TERMINAL = ("done", "failed")
#: Poll: (path, credentials headers) -> the exchange it produced.
Poll = Callable[[str, dict[str, str]], Exchange | None]


@dataclass(order=True)
class _Followed:
    due: float
    job_id: str = field(compare=False)
    path: str = field(compare=False)
    credentials: dict[str, str] = field(compare=False, repr=False)
    until: float = field(compare=False)


class Follower:
    """One background thread polling followed jobs; ``close()`` stops it within one wait."""

    def __init__(
        self,
        poll: Poll,
        interval: float = 1.0,
        max_rate: float = 5.0,
        timeout: float = 600.0,
        max_jobs: int = 1000,
    ) -> None:
        if interval <= 0 or max_rate <= 0 or timeout <= 0 or max_jobs < 1:
            raise ValueError("follow interval, rate and timeout must be > 0, max_jobs >= 1")
        self._poll = poll
        self.interval, self.gap, self.timeout, self.max_jobs = interval, 1.0 / max_rate, timeout, max_jobs
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._heap: list[_Followed] = []
        self._ended: set[str] = set()
        self.polls = 0
        self._thread = threading.Thread(target=self._run, name="creatify-record-follow", daemon=True)

    def start(self) -> Follower:
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def following(self) -> int:
        with self._lock:
            return len(self._heap)

    def on_exchange(self, exchange: Exchange, credentials: dict[str, str]) -> None:
        """Proxy listener: follow what a client created; forget what a client (or a poll) saw end."""
        body = exchange.response_body
        for job in body if isinstance(body, list) else [body]:
            if isinstance(job, dict) and job.get("status") in TERMINAL:
                self._forget(str(job.get("id")))
        is_create = exchange.method == "POST" and exchange.path == f"/{exchange.family}/text_generator/"
        if (
            exchange.origin != "client"
            or not is_create
            or exchange.status != 201
            or not isinstance(body, dict)
        ):
            return
        if "id" in body and body.get("status") not in TERMINAL:
            self._track(str(body["id"]), f"/{exchange.family}/text_generator/{body['id']}/", credentials)

    def _track(self, job_id: str, path: str, credentials: dict[str, str]) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._heap) >= self.max_jobs:
                log.warning(
                    "--follow-jobs: already following %d jobs; job %s is not followed", self.max_jobs, job_id
                )
                return
            heapq.heappush(
                self._heap,
                _Followed(now + self.interval, job_id, path, dict(credentials), now + self.timeout),
            )
        self._wake.set()

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._ended.add(job_id)

    def _run(self) -> None:
        last = 0.0
        while not self._stop.is_set():
            job, wait = self._next(max(0.0, last + self.gap - time.monotonic()))
            if job is None:
                self._wake.wait(min(wait, 0.5))
                self._wake.clear()
                continue
            last = time.monotonic()
            try:
                exchange = self._poll(job.path, job.credentials)
            except Exception:  # a poll must never take the proxy down; the next one tries again
                log.exception("--follow-jobs: polling %s failed", job.path)
                exchange = None
            self.polls += 1
            self._reschedule(job, exchange)

    def _next(self, rate_wait: float) -> tuple[_Followed | None, float]:
        """The job due now (and allowed by the rate), else None and how long to wait."""
        with self._lock:
            while self._heap and self._heap[0].job_id in self._ended:
                heapq.heappop(self._heap)
            if not self._heap:
                return None, 0.5
            wait = max(self._heap[0].due - time.monotonic(), rate_wait)
            if wait > 0:
                return None, wait
            return heapq.heappop(self._heap), 0.0

    def _reschedule(self, job: _Followed, exchange: Exchange | None) -> None:
        body = exchange.response_body if exchange is not None else None
        ended = isinstance(body, dict) and body.get("status") in TERMINAL
        refused = exchange is not None and 400 <= exchange.status < 500
        now = time.monotonic()
        if ended or refused or now >= job.until:
            if now >= job.until and not ended:
                log.warning(
                    "--follow-jobs: job %s not finished after %.0f s; no longer followed",
                    job.job_id,
                    self.timeout,
                )
            return
        with self._lock:
            if job.job_id not in self._ended:
                job.due = now + self.interval
                heapq.heappush(self._heap, job)
