"""The book of open streams: how many chunks each plans, how many were sent, and for manual timing how many an
operator has released (``POST /__admin/streams/{id}/release``). No I/O; callers get copies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from mockserver.core.waiters import Wait


@dataclass
class OpenStream:
    """One stream in progress. ``gated``: chunks wait for a release (manual timing), not for the clock."""

    job_id: str
    chunks: int
    gated: bool
    released: int = 0
    sent: int = 0
    sent_text: str = ""

    def view(self) -> dict[str, Any]:
        out = asdict(self)
        del out["sent_text"]
        return out


class StreamBook:
    """Open streams by job id (one stream per job: a stream creates its job)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, OpenStream] = {}

    def open(self, job_id: str, chunks: int, gated: bool) -> None:
        with self._lock:
            self._open[job_id] = OpenStream(job_id, chunks, gated)

    def close(self, job_id: str) -> None:
        with self._lock:
            self._open.pop(job_id, None)

    def get(self, job_id: str) -> OpenStream | None:
        with self._lock:
            found = self._open.get(job_id)
            return None if found is None else OpenStream(**asdict(found))

    def released(self, job_id: str) -> int:
        """Chunks an operator let through (every chunk for a stream that is not gated)."""
        with self._lock:
            found = self._open.get(job_id)
            if found is None:
                return 0
            return found.released if found.gated else found.chunks

    def sent(self, job_id: str, text: str) -> None:
        """Count a text chunk as written to the client."""
        with self._lock:
            found = self._open.get(job_id)
            if found is not None:
                found.sent += 1
                found.sent_text += text

    def release(self, job_id: str, chunks: int | None) -> OpenStream | None:
        """Let ``chunks`` more chunks through (None: all of them); None when no such stream is open."""
        with self._lock:
            found = self._open.get(job_id)
            if found is None:
                return None
            more = found.chunks if chunks is None else chunks
            found.released = min(found.chunks, found.released + more)
            return OpenStream(**asdict(found))

    def view(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._open.get(job_id)
            return None if found is None else found.view()

    def views(self) -> list[dict[str, Any]]:
        with self._lock:
            return [s.view() for s in self._open.values()]

    def clear(self) -> None:
        with self._lock:
            self._open.clear()

    def __len__(self) -> int:
        return len(self._open)


class Abort:
    """Yielded by a stream whose scenario asks for a dropped connection: the web layer closes the socket."""


ABORT = Abort()
Chunk = dict[str, Any]


@dataclass
class Stream:
    """A stream's job (created before the first byte is sent) and its chunks, produced when due."""

    job: dict[str, Any]
    chunks: Iterator[
        Chunk | Abort | str | Wait
    ]  # a str: recorded bytes of a replayed stream; Wait: see waiters
    book: StreamBook

    def close(self) -> None:
        """Stop producing (the client left, or the server answered); the job goes on without its stream."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()
        self.book.close(str(self.job["id"]))


@dataclass(frozen=True)
class StreamFaults:
    """A scenario rule's stream faults: drop after N chunks, extra delay per chunk, a chosen finish reason."""

    drop_after: int | None = None
    chunk_delay: float = 0.0
    finish_reason: str | None = None
