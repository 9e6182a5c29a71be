"""The bus between mock processes on one Redis: one pub/sub channel, one listening thread per process.

A transition publishes ``job:<id>`` (from inside the transition script), a clock move ``clock:<offset>``, a
reset ``reset:<origin>``, a change of the scenario rules ``scenarios:<origin>`` or of the webhook faults
``faults:<origin>``, and a change that concerns every
waiter ``all``. The listener blocks on the channel
(no polling) and wakes this process's waiters, so a sync call or a stream served by one process sees a job
another process moved at once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable

import redis

log = logging.getLogger("creatify_mock.store")
#: Seconds one blocking read waits before it looks at the stop flag again.
READ_SECONDS = 5.0


class RedisBus:
    """Publishes to the channel; a daemon thread hands what others published to the handlers."""

    def __init__(self, client: redis.Redis, channel: str) -> None:
        self._r = client
        self._channel = channel
        self.origin = uuid.uuid4().hex
        self.on_job: Callable[[str], object] = lambda job_id: None
        self.on_all: Callable[[], object] = lambda: None
        self.on_clock: Callable[[int], object] = lambda offset: None
        self.on_reset: Callable[[], object] = lambda: None
        self.on_scenarios: Callable[[], object] = lambda: None
        self.on_faults: Callable[[], object] = lambda: None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def publish(self, message: str) -> None:
        if message in ("reset", "scenarios", "faults"):  # the others act on it; this process has already
            message = f"{message}:{self.origin}"
        self._r.publish(self._channel, message)

    def start(self) -> None:
        """Start listening; returns once subscribed, so nothing published after this is missed."""
        if self._thread is None:
            self._stop.clear()
            self._ready.clear()
            self._thread = threading.Thread(target=self._run, name="creatify-mock-bus", daemon=True)
            self._thread.start()
            self._ready.wait(10.0)

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            with contextlib.suppress(redis.RedisError):  # wakes the blocking read now (others ignore it)
                self._r.publish(self._channel, f"stop:{self.origin}")
            thread.join(READ_SECONDS + 1)

    def _run(self) -> None:
        while not self._stop.is_set():
            pubsub = self._r.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self._channel)
                pubsub.get_message(timeout=1.0)  # the subscription's confirmation
                self._ready.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=READ_SECONDS)
                    if message is not None:
                        self._handle(message["data"].decode())
            except redis.RedisError as exc:
                self.error = exc
                log.warning("store bus: %s; listening again in 1 s", exc)
                self._stop.wait(1.0)
            except Exception as exc:  # surfaced through .error and the log
                self.error = exc
                log.exception("store bus handler failed")
            finally:
                pubsub.close()

    def _handle(self, text: str) -> None:
        kind, _, rest = text.partition(":")
        if kind == "job":
            self.on_job(rest)
        elif kind == "all":
            self.on_all()
        elif kind == "clock":
            self.on_clock(int(rest))
        elif kind == "reset" and rest != self.origin:
            self.on_reset()
        elif kind == "scenarios" and rest != self.origin:
            self.on_scenarios()
        elif kind == "faults" and rest != self.origin:
            self.on_faults()
