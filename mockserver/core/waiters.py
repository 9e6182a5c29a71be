"""Waiters: requests held open (sync calls, streams) wait here until their job may have moved.

A store listener wakes the waiters of a job on each of its transitions; moving the clock, a reset or shutdown
wakes every waiter. Waking only means "look again": the job's state is always re-read from the store.

The logic that waits (``service.streaming``) is written once, as a generator that yields a ``Wait`` whenever it
has nothing to do; a driver does the waiting. ``blocking`` sleeps the calling thread (WSGI under werkzeug's test
client, embedded calls); ``nonblocking`` awaits on the server's event loop, so a held request costs no thread.
``notify`` may come from any thread (a store transition, the scheduler, a Redis pub/sub listener): it sets the
thread-side event and, when an event loop waits on the same ``Watch``, wakes it through
``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from mockserver.core.models import Job

T = TypeVar("T")


class Watch(threading.Event):
    """A ``threading.Event`` that an event loop can await too (``wait_async``); ``set`` wakes both.

    The loop side is a bare future resolved by ``set`` or by a timer: ``asyncio.wait_for`` on an
    ``asyncio.Event`` costs a task and several futures per wait, and 2,000 realtime streams wait once per chunk,
    all in the same loop turns."""

    def __init__(self) -> None:
        super().__init__()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._future: asyncio.Future[None] | None = None

    def set(self) -> None:
        super().set()
        loop, future = self._loop, self._future
        if loop is not None and future is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
                loop.call_soon_threadsafe(_wake, future)

    async def wait_async(self, timeout: float) -> bool:
        """Like ``wait``, on the running event loop: True when set, False after ``timeout`` seconds."""
        if self.is_set():
            return True
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        # Published before the flag is read again: a ``set`` from another thread either sees this future or
        # set the flag before the read below.
        self._loop, self._future = loop, future
        try:
            if self.is_set():
                return True
            timer = loop.call_later(timeout, _wake, future)
            try:
                await future
            finally:
                timer.cancel()
            return self.is_set()
        finally:
            self._future = None


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass(frozen=True, slots=True)
class Wait:
    """Yielded by waiting logic: wait until ``watch`` is set or ``seconds`` pass (no watch: just a pause)."""

    watch: Watch | None
    seconds: float


#: Waiting logic: yields ``Wait`` (and, for a stream, the items it produces), returns its result.
Steps = Generator[Any, None, T]


def finish(steps: Steps[T]) -> T:
    """Drive waiting logic to its return value, sleeping this thread."""
    try:
        item = next(steps)
        while True:
            if not isinstance(item, Wait):
                raise TypeError(f"unexpected item from waiting logic: {item!r}")
            _sleep(item)
            item = next(steps)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def finish_async(steps: Steps[T]) -> T:
    """Drive ``steps`` to its return value on the running event loop."""
    try:
        item = next(steps)
        while True:
            if not isinstance(item, Wait):
                raise TypeError(f"unexpected item from waiting logic: {item!r}")
            await _sleep_async(item)
            item = next(steps)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def blocking(items: Iterator[Any]) -> Iterator[Any]:
    """The items of a stream's logic, its waits slept in this thread."""
    for item in items:
        if isinstance(item, Wait):
            _sleep(item)
        else:
            yield item


async def nonblocking(items: Iterator[Any]) -> AsyncIterator[Any]:
    """The items of a stream's logic, its waits awaited on the running event loop."""
    for item in items:
        if isinstance(item, Wait):
            await _sleep_async(item)
        else:
            yield item


def _sleep(wait: Wait) -> None:
    if wait.watch is not None:
        wait.watch.wait(wait.seconds)
    elif wait.seconds > 0:
        time.sleep(wait.seconds)


async def _sleep_async(wait: Wait) -> None:
    if wait.watch is not None:
        await wait.watch.wait_async(wait.seconds)
    elif wait.seconds > 0:
        await asyncio.sleep(wait.seconds)


class Waiters:
    """One ``Watch`` per waiting request, grouped by job id; no lock is held while waiting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, set[threading.Event]] = {}

    @contextmanager
    def watching(self, job_id: str) -> Iterator[Watch]:
        """An event set whenever the job may have moved; clear it before each look at the job."""
        event = Watch()
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
