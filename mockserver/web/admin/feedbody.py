"""The event feed's response body, driven by the server's event loop without holding a loop turn while it waits.

The frames come from ``MockService.event_frames``, a blocking generator whose every step waits at most a second
(``WAIT_SECONDS``). On the loop each step runs on a small pool of its own, so a dashboard tab costs a pool thread
only while its step waits and never a request worker; under a plain WSGI server it is iterated in place.
When the client leaves the server calls ``close``: the step under way ends within its bounded wait.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor

Frames = Generator[bytes, None, None]
#: Feed readers waiting at once (dashboard tabs, tests); more wait their turn for a thread, a second at most.
FEED_THREADS = 64
_pool = ThreadPoolExecutor(FEED_THREADS, thread_name_prefix="creatify-mock-feed")


class FeedBody:
    """``web.streaming.AsyncBody`` of the feed: each frame sent as it comes."""

    whole = False

    def __init__(self, frames: Callable[[Callable[[], bool]], Frames]) -> None:
        self._closed = threading.Event()
        self._frames = frames(self._closed.is_set)

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._frames
        finally:
            self._frames.close()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        try:
            while not self._closed.is_set():
                frame = await loop.run_in_executor(_pool, next, self._frames, None)
                if frame is None:
                    return
                yield frame
        finally:
            self._closed.set()
            await loop.run_in_executor(
                _pool, self._frames.close
            )  # never while a step runs: steps are awaited

    def close(self) -> None:
        """The client left (or the answer ended): the frames stop at their next bounded wait."""
        self._closed.set()
