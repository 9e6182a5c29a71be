"""The scheduler thread: moves watched jobs (those with a webhook) when their time comes, with nobody reading.

With a real clock it sleeps until the next due transition; with a frozen clock time only moves through
``/__admin/clock/advance``, which ticks the store itself, so the thread just naps.
"""

from __future__ import annotations

import logging
import threading

from mockserver.core.clock import Clock
from mockserver.core.storage.base import JobRepository, StoreUnavailable

log = logging.getLogger("creatify_mock.scheduler")
MAX_NAP = 0.25


class Scheduler:
    """One daemon thread; ``wake()`` when a job is added, ``stop()`` joins it with a timeout."""

    def __init__(self, store: JobRepository, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="creatify-mock-scheduler", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        outage = False
        while not self._stop.is_set():
            try:
                self._store.tick(self._clock.now_us())
                nap = MAX_NAP
                nxt = self._store.next_wakeup()
                if nxt is not None and self._clock.is_real:
                    nap = min(MAX_NAP, max(0.0, (nxt - self._clock.now_us()) / 1_000_000))
                if outage:
                    outage = False
                    log.warning("scheduler: the store is back; jobs move on again")
            except StoreUnavailable as exc:  # an outage, answered 503 meanwhile: waited out, not a crash
                if not outage:
                    outage = True
                    log.warning("scheduler: %s; trying again every %.2f s", exc, MAX_NAP)
                nap = MAX_NAP
            except Exception as exc:  # surfaced through .error and the log, never silently lost
                self.error = exc
                log.exception("scheduler tick failed")
                nap = MAX_NAP
            self._wake.wait(nap)
            self._wake.clear()
