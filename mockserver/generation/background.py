"""Generation off the request path: a small pool of worker threads for outcomes that outlast a quick try.

A read that finds a job due to finish tries its generation inline for a few milliseconds (``INLINE_SECONDS``,
enough for plain text and ordinary JSON schemas, so the common case answers ``done`` at once and
deterministically); work that needs longer continues here under the full budget while the job reads
``running``, and the store is handed the outcome when it is ready. Errors never vanish: a worker that fails
delivers a failed outcome and logs the traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from mockserver.core.models import JobStatus, Outcome
from mockserver.generation.jsongen.generate import GenerationTimeout
from mockserver.generation.text import Generator

log = logging.getLogger("creatify_mock.generation")
#: How long a request may spend generating before the rest moves to a worker (seconds).
INLINE_SECONDS = 0.05
WORKERS = 2
INTERNAL_REASON = "500 INTERNAL: the mock could not generate a response (see its log)."


class Background:
    """Runs ``work`` on a worker thread and hands its Outcome to ``done``; restartable after ``close``."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._workers = workers
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self.error: BaseException | None = None

    def prepare(
        self,
        generator: Generator,
        request: Mapping[str, Any],
        budget: float,
        blocking: bool,
        done: Callable[[Outcome], None],
    ) -> Outcome | None:
        """The outcome, tried inline for INLINE_SECONDS; past that (unless ``blocking``: then inline under the
        whole budget) None, and a worker finishes it under what is left of ``budget`` and calls ``done``."""
        if blocking or budget <= INLINE_SECONDS:
            return generator.bounded(request, budget)
        try:
            return generator.outcome(request, time.monotonic() + INLINE_SECONDS)
        except GenerationTimeout:
            pass
        self.submit(lambda: generator.bounded(request, budget, spent=INLINE_SECONDS), done)
        return None

    def submit(self, work: Callable[[], Outcome], done: Callable[[Outcome], None]) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="creatify-mock-generate")
            self._pool.submit(self._run, work, done)

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
        """Stop taking work; what is still running finishes on its own (its outcome is then ignored)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
