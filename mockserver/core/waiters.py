"""Waiters: threads that hold a request open (sync calls, streams) sleep here until their job may have moved.

A store listener wakes the waiters of a job on each of its transitions; moving the clock, a reset or shutdown
wakes every waiter. Waking only means "look again": the job's state is always re-read from the store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mockserver.core.models import Job


class Waiters:
    """One ``threading.Event`` per waiting thread, grouped by job id; no lock is held while waiting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, set[threading.Event]] = {}

    @contextmanager
    def watching(self, job_id: str) -> Iterator[threading.Event]:
        """An event set whenever the job may have moved; clear it before each look at the job."""
        event = threading.Event()
        with self._lock:
            self._events.setdefault(job_id, set()).add(event)
        try:
            yield event
        finally:
            with self._lock:
                group = self._events.get(job_id)
                if group is not None:
                    group.discard(event)
                    if not group:
                        del self._events[job_id]

    def notify(self, job_id: str) -> None:
        with self._lock:
            events = list(self._events.get(job_id, ()))
        for event in events:
            event.set()

    def notify_all(self) -> None:
        with self._lock:
            events = [event for group in self._events.values() for event in group]
        for event in events:
            event.set()

    def on_transition(self, view: dict[str, Any], job: Job) -> None:
        """Store listener (runs under the store's lock: it only sets events)."""
        self.notify(job.id)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(group) for group in self._events.values())
