"""The facade's hand on open streams: releasing chunks held in manual timing, listing them, telling the feed.

A part of ``MockService`` (a mixin, so there is still one facade to call); the streams themselves are paced by
``service.streaming``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.core.clock import Clock
from mockserver.core.events import EventFeed
from mockserver.core.models import JobStatus
from mockserver.core.storage.base import JobRepository
from mockserver.core.streams import StreamBook
from mockserver.core.waiters import Waiters
from mockserver.service.streaming import TERMINAL


class StreamControlOperations:
    """Release and list open streams of ``MockService``."""

    clock: Clock
    store: JobRepository
    streams: StreamBook
    waiters: Waiters
    events: EventFeed

    get_sse: Callable[[str | None, str], dict[str, Any] | None]  # ``service.streaming.SseOperations``

    def release_stream(self, job_id: str, chunks: int | None) -> dict[str, Any] | None:
        """Let a held stream (manual timing) go on by ``chunks`` (None: to its end); the first release starts
        its job running, the last one ends it. None when no stream of that job is open."""
        opened = self.streams.release(job_id, chunks)
        if opened is None:
            return None
        self.events.publish("stream.released", opened.view(), job_id)
        view = self.get_sse(None, job_id)
        now = self.clock.now_us()
        if view is not None and view["status"] == JobStatus.PENDING.value and opened.released >= 1:
            view = self.store.advance(job_id, now, JobStatus.RUNNING, None)
        if view is not None and view["status"] not in TERMINAL and opened.released >= opened.chunks:
            self.store.advance(job_id, now, JobStatus.DONE, None)  # the outcome the stream planned
        self.waiters.notify(job_id)
        found = self.streams.get(job_id)
        return found.view() if found is not None else {**opened.view(), "released": opened.chunks}

    def open_streams(self) -> list[dict[str, Any]]:
        return self.streams.views()

    def _chunk_event(self, job_id: str, index: int, text: str, finish: str | None = None) -> None:
        self.events.publish("stream.chunk", {"index": index, "text": text, "finish_reason": finish}, job_id)
