"""The event feed of every process on one Redis: ``RedisEventFeed`` implements the ``EventFeed`` Protocol of
``core/events.py`` (helper 23's; see the BRIEF) over one capped Redis Stream, so the dashboard or a
``/__admin/events`` client attached to any process sees what happens on all of them.

Each event's ``seq`` is a global ``INCR`` and also its stream id (``<seq>-0``), so ``subscribe(since_seq)`` resumes
exactly where a client stopped, whichever process it reconnects to. ``publish`` never raises into the caller (a
lost event only costs the feed) and costs one short script call.

``recent`` reads the stream's tail; ``subscribers`` counts this process's readers only (it decides whether this
process moves unread jobs on time while someone watches).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import redis

from mockserver.core import jsonio
from mockserver.core.events import Data, Event, JobRef

log = logging.getLogger("creatify_mock.events")
#: Events kept in the stream (approximately: ``MAXLEN ~``).
KEEP = 10_000
BATCH = 500

#: KEYS: sequence, stream; ARGV: the event's JSON, the cap. The event's seq.
PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], seq .. '-0', 'e', ARGV[1])
return seq
"""


class RedisSubscription:
    """Events after a position of the shared stream; ``get`` blocks (in Redis) for at most ``timeout``."""

    def __init__(self, client: Any, stream: str, after: str, on_close: Callable[[], None]) -> None:
        self._r, self._stream, self._after = client, stream, after
        self._closed = False
        self._on_close = on_close

    def get(self, timeout: float) -> list[Event]:
        if self._closed:
            return []
        try:
            answer = self._r.xread(
                {self._stream: self._after}, count=BATCH, block=max(1, int(timeout * 1000))
            )
        except redis.RedisError as exc:
            log.warning("event feed: %s", exc)
            return []
        events = []
        for _, entries in answer or []:
            for entry_id, fields in entries:
                self._after = entry_id.decode()
                events.append(_event(entry_id, fields))
        return events

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._on_close()


def _event(entry_id: bytes, fields: dict[bytes, bytes]) -> Event:
    body = jsonio.loads(fields[b"e"])
    return Event(int(entry_id.decode().split("-")[0]), body["at"], body["kind"], body["job"], body["data"])


class RedisEventFeed:
    """``EventFeed`` on Redis: ``publish`` from any process, ``subscribe`` on any process."""

    def __init__(self, client: redis.Redis, prefix: str, now: Callable[[], float]) -> None:
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._seq = f"{prefix}events-seq"
        self._stream = f"{prefix}events"
        self._now = now
        self._publish = client.register_script(PUBLISH)
        self._readers = 0
        self._lock = threading.Lock()
        self.size = KEEP

    @property
    def subscribers(self) -> int:
        """Readers attached to this process."""
        return self._readers

    def recent(self, limit: int) -> list[Event]:
        """The newest ``limit`` events kept (of every process), oldest first."""
        try:
            tail = self._r.xrevrange(self._stream, count=limit)
        except redis.RedisError as exc:
            log.warning("event feed: %s", exc)
            return []
        return [_event(entry_id, fields) for entry_id, fields in reversed(tail)]

    def _closed_one(self) -> None:
        with self._lock:
            self._readers -= 1

    def publish(self, kind: str, data: Data, job_id: JobRef = None) -> None:
        try:
            made = data() if callable(data) else data  # shared at once: other processes read it
            job = job_id() if callable(job_id) else job_id
            body = jsonio.dumps({"at": self._now(), "kind": kind, "job": job, "data": made})
            self._publish(keys=[self._seq, self._stream], args=[body, KEEP])
        except Exception as exc:  # the feed is an observer: it never breaks the call it observes
            log.warning("event feed: %s event not published: %s", kind, exc)

    def subscribe(self, since_seq: int | None = None) -> RedisSubscription:
        """From after ``since_seq`` (what is still kept), or only what comes next when None."""
        if since_seq is None:
            last = self._r.xrevrange(self._stream, count=1)
            after = last[0][0].decode() if last else "0-0"
        else:
            after = f"{max(since_seq, 0)}-0"
        with self._lock:
            self._readers += 1
        return RedisSubscription(self._r, self._stream, after, self._closed_one)
