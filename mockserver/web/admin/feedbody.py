"""The event feed's response body, driven by the server's event loop without holding a loop turn while it waits.

The frames come from ``MockService.event_frames``, a blocking generator whose every step waits at most a second
(``WAIT_SECONDS``). On the loop each step runs on a small pool of its own, so a dashboard tab costs a pool thread
only while its step waits and never a request worker; under a plain WSGI server it is iterated in place.
When the client leaves the server calls ``close``: the step under way ends within its bounded wait.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from mockserver.service.events import FeedFrames as Frames

#: Feed readers waiting at once (dashboard tabs, tests); more wait their turn for a thread, a second at most.
FEED_THREADS = 64
_pool = ThreadPoolExecutor(FEED_THREADS, thread_name_prefix="creatify-mock-feed")


class FeedBody:
    """``web.streaming.AsyncBody`` of the feed: each frame sent as it comes.

    Steps run one at a time (a lock) on the pool; ``close`` may come from the loop while a step waits, so the
    frames are closed by the pool too, after that step: the subscription always ends within a bounded wait."""

    whole = False

    def __init__(self, frames: Callable[[Callable[[], bool]], Frames]) -> None:
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._frames = frames(self._closed.is_set)

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._frames
        finally:
            self._frames.close()

    def _step(self) -> bytes | None:
        with self._lock:
            frame = None if self._closed.is_set() else next(self._frames, None)
            if frame is None:
                self._finish_locked()
            return frame

    def _finish_locked(self) -> None:
        self._closed.set()
        self._frames.close()  # ends the subscription (``reader.close()`` in the frames' ``finally``)

    def _finish(self) -> None:
        with self._lock:
            self._finish_locked()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        try:
            while True:
                frame = await loop.run_in_executor(_pool, self._step)
                if frame is None:
                    return
                yield frame
        finally:
            self.close()

    def close(self) -> None:
        """The client left (or the answer ended): the frames are closed after the step under way, if any."""
        if not self._closed.is_set():
            self._closed.set()
            _pool.submit(self._finish)
