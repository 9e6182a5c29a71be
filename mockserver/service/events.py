"""The facade's event feed: what is published where, the SSE frames of ``GET /__admin/events``, and a job's timeline.

A part of ``MockService`` (a mixin, so there is still one facade to call). The framing and filtering live here,
not in a view, so any HTTP server (a WSGI thread, or an event loop later) can serve the same feed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mockserver.config.settings import Settings
from mockserver.core import journal as journal_mod
from mockserver.core.clock import Clock
from mockserver.core.events import DEFAULT_SIZE, GAP, Event, EventFeed, MemoryEventFeed, Subscription
from mockserver.core.journal import Entry, Journal
from mockserver.core.models import Job
from mockserver.core.scheduler import Scheduler
from mockserver.core.storage.base import JobRepository, Storage
from mockserver.core.storage.redis_events import RedisEventFeed
from mockserver.core.streams import StreamBook
from mockserver.webhooks.dispatcher import Dispatcher

#: A comment line every so often keeps proxies and idle timeouts from closing a quiet feed.
HEARTBEAT_SECONDS = 15.0
#: How long one wait for events lasts before the feed looks whether its client left (bounded waits).
WAIT_SECONDS = 1.0
#: A comment first, so a client sees the stream open at once (no ``retry:`` field: some SSE clients, httpx-sse
#: among them, turn a frame with only ``retry`` into an empty event).
PREAMBLE = b": creatify-mock event feed\n\n"
HEARTBEAT = b": heartbeat\n\n"


class FeedFrames(Iterator[bytes]):
    """The feed's frames and the subscription they read. Closing ends the subscription whether or not a frame
    was read: a generator closed before its first step never runs its ``finally`` (a client that saw the headers
    and left before the server read a frame would stay subscribed for the rest of the run)."""

    def __init__(self, frames: Generator[bytes, None, None], reader: Subscription) -> None:
        self._frames = frames
        self._reader = reader

    def __next__(self) -> bytes:
        return next(self._frames)

    def close(self) -> None:
        self._frames.close()
        self._reader.close()


@dataclass(frozen=True)
class EventFilter:
    """``?job_id=`` and ``?kind=`` (a kind such as ``job.transition``, or a prefix such as ``webhook``)."""

    job_id: str | None = None
    kinds: tuple[str, ...] = ()

    def __call__(self, event: Event) -> bool:
        if event.kind == GAP:  # whatever a reader filters, it must know it missed something
            return True
        if self.job_id is not None and event.job_id != self.job_id and event.kind != "state.reset":
            return False
        if not self.kinds:
            return True
        return any(event.kind == k or event.kind.startswith(k + ".") for k in self.kinds)


class EventOperations:
    """Publishing and reading the feed, for ``MockService``."""

    clock: Clock
    store: JobRepository
    scheduler: Scheduler
    journal: Journal
    webhooks: Dispatcher
    streams: StreamBook
    events: EventFeed
    storage: Storage
    settings: Settings
    _closing: threading.Event
    reset_hooks: list[Callable[[], object]]

    def _init_events(self, size: int = DEFAULT_SIZE) -> None:
        """Create the feed and hook the parts that publish into it (called once from ``__init__``)."""
        now = lambda: self.clock.now_us() / 1_000_000  # noqa: E731
        client = self.storage.extras.get("client") if self.storage.shared else None
        # On a shared store the feed is shared too: a reader on any process sees what every process did.
        self.events = (
            MemoryEventFeed(now, size)
            if client is None
            else RedisEventFeed(client, self.settings.store_prefix, now)
        )
        self.store.listeners.append(self._on_transition)
        self.webhooks.log.listener = self._on_delivery
        self.reset_hooks.append(lambda: self.events.publish("state.reset", {}))
        # While someone reads the feed, every job moves on time (not only when read), so what they see is live.
        watched = self.store.watch
        self.store.watch = lambda job: watched(job) or self.events.subscribers > 0

    def _on_delivery(self, change: str, entry: dict[str, Any]) -> None:
        """Delivery-log listener (under the log's lock): a new event, an attempt (the last one in ``entry``),
        or a new state. The data is copied out (the log's entry keeps changing); a restored entry may lack
        optional keys."""
        attempts = entry.get("attempts") or []
        data = {
            "delivery_id": entry.get("delivery_id"),
            "event": entry.get("event"),
            "target": entry.get("target"),
            "state": entry.get("state"),
            "error": entry.get("error"),
            "attempts": len(attempts),
            "faults": dict(entry.get("faults") or {}),
        }
        if change == "attempt" and attempts:
            data["attempt"] = dict(attempts[-1])
        self.events.publish(f"webhook.{change}", data, entry.get("job_id"))

    def _on_transition(self, view: dict[str, Any], job: Job) -> None:
        """Store listener (under the store's lock): only appends to the feed."""
        self.events.publish(
            "job.transition",
            {"status": job.status.value, "job": view, "account": job.account, "family": job.family.value},
            job.id,
        )

    def _published_create(self, job: Job, view: dict[str, Any]) -> None:
        """A job was stored: on the feed, and its id onto the journal entry of the call that made it."""
        entry = journal_mod.current.get()
        if entry is not None:
            entry.job_id = job.id
        data = {"job": view, "account": job.account, "family": job.family.value, "rule": job.rule_id}
        self.events.publish("job.created", data, job.id)

    def finish_request(self, entry: Entry) -> None:
        """The journal middleware's last word on a call: it goes on the feed (the journal already has it)."""
        self.events.publish("journal.entry", entry.summary, lambda: entry.job_id)  # both made when read

    # -- reading -------------------------------------------------------------------------------------------
    def event_frames(
        self,
        since_seq: int | None,
        wanted: EventFilter,
        gone: Callable[[], bool],
        heartbeat: float = HEARTBEAT_SECONDS,
        wait: float = WAIT_SECONDS,
    ) -> FeedFrames:
        """The SSE body of the feed: frames of matching events as they happen, a heartbeat comment when quiet;
        ends when ``gone()`` says the client left (checked after every bounded wait) or the mock closes.

        Subscribes now, not at the first frame: what happens once the caller has this is never missed."""
        reader = self.events.subscribe(since_seq)
        if self.events.subscribers == 1:  # the first reader: schedule the jobs nobody watched so far
            self.store.rewatch()
            self.scheduler.start()
            self.scheduler.wake()
        return FeedFrames(self._frames(reader, wanted, gone, heartbeat, wait), reader)

    def _frames(
        self,
        reader: Subscription,
        wanted: EventFilter,
        gone: Callable[[], bool],
        heartbeat: float,
        wait: float,
    ) -> Generator[bytes, None, None]:
        try:
            yield PREAMBLE
            quiet_since = time.monotonic()
            while not gone() and not self._closing_events():
                batch = [e.sse() for e in reader.get(wait) if wanted(e)]
                if batch:
                    quiet_since = time.monotonic()
                    yield b"".join(batch)
                elif time.monotonic() - quiet_since >= heartbeat:
                    quiet_since = time.monotonic()
                    yield HEARTBEAT
        finally:
            reader.close()

    def recent_events(self, wanted: EventFilter, limit: int = 500) -> list[dict[str, Any]]:
        """The newest matching events still kept, oldest first (a page's first paint, a job's timeline)."""
        kept: Iterable[Event] = self.events.recent(self.events.size)
        return [e.view() for e in kept if wanted(e)][-limit:]

    def _closing_events(self) -> bool:
        return self._closing.is_set()

    # -- the dashboard's job list --------------------------------------------------------------------------
    def job_overview(
        self,
        account: str | None = None,
        status: str | None = None,
        family: str | None = None,
        text: str | None = None,
        limit: int = 200,
    ) -> dict[str, Any]:
        """Jobs newest first as one line each (with account, family and rule, which API views do not show),
        filtered; ``counts`` per status are of the jobs that pass every filter but the status."""
        rows = self.store.snapshot(self.clock.now_us(), account, None, _summary)
        if family:
            rows = [r for r in rows if r["family"] == family]
        if text:
            needle = text.lower()
            rows = [r for r in rows if needle in r["search"]]
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        if status:
            rows = [r for r in rows if r["status"] == status]
        for row in rows[:limit]:
            del row["search"]
        return {"total": len(rows), "counts": counts, "jobs": rows[:limit]}

    # -- a job's whole life --------------------------------------------------------------------------------
    def job_timeline(self, job_id: str) -> dict[str, Any] | None:
        """One job with everything known about it: its states, stream, webhook deliveries, the calls about it
        and the scenario rule that shaped it; None when unknown (``GET /__admin/jobs/{id}/timeline``)."""
        job = self.store.get(job_id, self.clock.now_us(), None, _timeline_view)
        if job is None:
            return None
        stream = self.streams.get(job_id)
        return {
            "job": job["view"],
            "account": job["account"],
            "family": job["family"],
            "rule": job["rule"],
            "stream": None if stream is None else stream.view(),
            "webhooks": self.webhooks.log.entries(job_id),
            "requests": self.journal.about(job_id),
            "events": self.recent_events(EventFilter(job_id=job_id), 1000),
        }


def _timeline_view(job: Job) -> dict[str, Any]:
    return {"view": job.to_own(), "account": job.account, "family": job.family.value, "rule": job.rule_id}


def _summary(job: Job) -> dict[str, Any]:
    """One line of the dashboard's job list; ``search`` is what its text filter looks in."""
    messages = job.request.get("messages") or []
    prompt = str(messages[-1].get("content", "")) if messages and isinstance(messages[-1], dict) else ""
    answer = job.response_text or job.failed_reason or ""
    return {
        "id": job.id,
        "account": job.account,
        "family": job.family.value,
        "status": job.status.value,
        "model_name": job.request.get("model_name"),
        "created_at": job.created_at / 1_000_000,
        "updated_at": job.updated_at / 1_000_000,
        "rule": job.rule_id,
        "webhook": job.webhook_url is not None,
        "prompt": prompt[:200],
        "answer": answer[:200],
        "search": f"{job.id} {job.account} {prompt} {answer}".lower(),
    }
