"""The event feed: everything that happens in the mock, in order, for the dashboard and for users' tests.

Publishing runs on hot paths (job creation, store transitions under the store's lock, webhook workers), so it
only appends to a bounded ring under a short lock and wakes the subscribers' own events; it never blocks on a
reader and never raises into the caller. Readers keep a cursor (the last ``seq`` they saw) and may come back with
it (SSE ``Last-Event-ID``); what fell off the ring is reported as one ``feed.gap`` event, not silently skipped.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockserver.core import jsonio
from mockserver.core.clock import isoformat

log = logging.getLogger("creatify_mock.events")
#: Events kept for late or reconnecting readers (a few minutes of a busy mock, a few MB).
DEFAULT_SIZE = 10_000
GAP = "feed.gap"
#: What an event carries, or a function that makes it: the feed calls it only when someone reads the event (a
#: finished request's summary is published on every call, and usually nobody reads it; a Redis feed calls it at
#: once). The function must give the same answer whenever it is called: it describes something finished.
Data = dict[str, Any] | Callable[[], dict[str, Any]]
#: The job an event is about, or a function that names it (made when read, as ``Data``).
JobRef = str | None | Callable[[], str | None]
_Raw = tuple[int, float, str, JobRef, Data]


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened: ``at`` is the mock clock's time in seconds (it moves with ``clock/advance``)."""

    seq: int
    at: float
    kind: str
    job_id: str | None
    data: dict[str, Any] = field(default_factory=dict)

    def view(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "time": isoformat(round(self.at * 1_000_000)),
            "kind": self.kind,
            "job_id": self.job_id,
            "data": self.data,
        }

    def sse(self) -> bytes:
        """The event as one Server-Sent Events frame: its ``seq`` is the id a reconnecting client sends back."""
        return b"id: %d\nevent: %s\ndata: %s\n\n" % (self.seq, self.kind.encode(), jsonio.dumps(self.view()))


class Subscription(Protocol):
    def get(self, timeout: float) -> list[Event]: ...

    def close(self) -> None: ...


class EventFeed(Protocol):
    """What the service needs of a feed; memory here, a Redis-backed one shares events between processes."""

    def publish(self, kind: str, data: Data, job_id: JobRef = None) -> None: ...

    def subscribe(self, since_seq: int | None = None) -> Subscription: ...

    def recent(self, limit: int) -> list[Event]: ...

    @property
    def size(self) -> int: ...

    @property
    def subscribers(self) -> int: ...


class MemorySubscription:
    """A reader's cursor into a ``MemoryEventFeed``; ``get`` sleeps on its own event until something is new."""

    def __init__(self, feed: MemoryEventFeed, cursor: int) -> None:
        self._feed = feed
        self.cursor = cursor
        self.wake = threading.Event()
        #: Called (from the publishing thread) after each publish: an event loop hooks its own wake-up here.
        self.on_wake: Callable[[], object] | None = None
        self.closed = False

    def get(self, timeout: float) -> list[Event]:
        """Events after the cursor, waiting up to ``timeout`` seconds for the first; [] on timeout or close."""
        events = self._feed._after(self)
        if events or self.closed or timeout <= 0:
            return events
        self.wake.wait(timeout)
        return [] if self.closed else self._feed._after(self)

    def close(self) -> None:
        self.closed = True
        self._feed._drop(self)
        self.wake.set()


class MemoryEventFeed:
    """A bounded ring of events with a monotonic ``seq`` (never restarted, not even by a reset)."""

    def __init__(self, now: Callable[[], float], size: int = DEFAULT_SIZE) -> None:
        self._now = now
        self._lock = threading.Lock()
        self.size = max(size, 1)
        #: Plain tuples (seq, at, kind, job_id, data): an ``Event`` is built only when someone reads it.
        self._ring: deque[_Raw] = deque(maxlen=self.size)
        self._seq = 0
        self._subscribers: list[MemorySubscription] = []
        #: Publishes that failed (a clock or hook that raised): counted and logged once, never raised.
        self.errors = 0

    @property
    def last_seq(self) -> int:
        return self._seq

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, kind: str, data: Data, job_id: JobRef = None) -> None:
        try:
            at = self._now()
            with self._lock:
                self._seq += 1
                self._ring.append((self._seq, at, kind, job_id, data))
                readers = self._subscribers
            for reader in readers:
                if not reader.wake.is_set():
                    reader.wake.set()
                if reader.on_wake is not None:
                    reader.on_wake()
        except Exception:  # a feed must never break the call that published
            self.errors += 1
            if self.errors == 1:
                log.exception("event feed: publishing %s failed", kind)

    def subscribe(self, since_seq: int | None = None) -> MemorySubscription:
        """Events from now on, or those after ``since_seq`` still in the ring (a ``seq`` from another run, larger
        than any here, reads everything kept)."""
        with self._lock:
            cursor = self._seq if since_seq is None else _cursor(since_seq, self._seq)
            reader = MemorySubscription(self, cursor)
            self._subscribers = [*self._subscribers, reader]  # copy on write: publish reads it unlocked
        return reader

    def recent(self, limit: int) -> list[Event]:
        """The newest ``limit`` events, oldest first (a page's first paint)."""
        with self._lock:
            start = max(len(self._ring) - limit, 0)
            raws = list(itertools.islice(self._ring, start, None))
        return [_event(raw) for raw in raws]

    def _after(self, reader: MemorySubscription) -> list[Event]:
        with self._lock:
            reader.wake.clear()
            newest = self._seq
            if reader.cursor >= newest:
                return []
            oldest = self._ring[0][0]
            missed = oldest - reader.cursor - 1
            ring, count = self._ring, newest - max(reader.cursor, oldest - 1)
            if count * 2 > len(ring):  # far behind: walk from the left
                raws = list(itertools.islice(ring, len(ring) - count, None))
            else:  # near the newest (the usual case): index from the right, without walking the ring
                raws = [ring[-i] for i in range(count, 0, -1)]
            reader.cursor = newest
        events = [_event(raw) for raw in raws]
        if missed > 0:
            at = events[0].at if events else 0.0
            events.insert(0, Event(oldest - 1, at, GAP, None, {"missed": missed}))
        return events

    def _drop(self, reader: MemorySubscription) -> None:
        with self._lock:
            self._subscribers = [r for r in self._subscribers if r is not reader]


def _event(raw: _Raw) -> Event:
    seq, at, kind, job_id, data = raw
    return Event(seq, at, kind, job_id() if callable(job_id) else job_id, data() if callable(data) else data)


def _cursor(since_seq: int, newest: int) -> int:
    """Where a reader that saw ``since_seq`` starts: a seq newer than any here comes from another run."""
    return 0 if since_seq > newest else max(since_seq, 0)
