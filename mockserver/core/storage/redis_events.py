"""The event feed of every process on one Redis: ``RedisEventFeed`` implements the ``EventFeed`` Protocol of
``core/events.py`` (helper 23's; see the BRIEF) over one capped Redis Stream, so the dashboard or a
``/__admin/events`` client attached to any process sees what happens on all of them.

Each event's ``seq`` is a global ``INCR`` and also its stream id (``<seq>-0``), so ``subscribe(since_seq)`` resumes
exactly where a client stopped, whichever process it reconnects to. ``publish`` never raises into the caller (a
lost event only costs the feed) and costs one short script call.

Merge note: ``Event`` and ``Subscription`` here mirror the BRIEF's definitions; once ``core/events.py`` is merged,
import its ``Event`` instead of the local one (same fields, same order).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis

from mockserver.core import jsonio

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


@dataclass(frozen=True)
class Event:
    """One thing that happened (the BRIEF's ``core.events.Event``)."""

    seq: int
    at: float
    kind: str
    job_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


class RedisSubscription:
    """Events after a position of the shared stream; ``get`` blocks (in Redis) for at most ``timeout``."""

    def __init__(self, client: Any, stream: str, after: str) -> None:
        self._r, self._stream, self._after = client, stream, after
        self._closed = False

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
                body = jsonio.loads(fields[b"e"])
                events.append(
                    Event(int(self._after.split("-")[0]), body["at"], body["kind"], body["job"], body["data"])
                )
        return events

    def close(self) -> None:
        self._closed = True


class RedisEventFeed:
    """``EventFeed`` on Redis: ``publish`` from any process, ``subscribe`` on any process."""

    def __init__(self, client: redis.Redis, prefix: str, now: Callable[[], float]) -> None:
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._seq = f"{prefix}events-seq"
        self._stream = f"{prefix}events"
        self._now = now
        self._publish = client.register_script(PUBLISH)

    def publish(self, kind: str, data: dict[str, Any], job_id: str | None = None) -> None:
        try:
            body = jsonio.dumps({"at": self._now(), "kind": kind, "job": job_id, "data": data})
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
        return RedisSubscription(self._r, self._stream, after)
