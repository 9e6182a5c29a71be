"""Webhook events through a Redis Stream: every mock process reads the stream in one consumer group, so each
event is delivered by one process; an event whose process died mid-delivery is claimed by another.

The transition script queues an event (its ``X-Webhook-Id`` fixed there) in the same atomic step as the finish.
This process hands what it reads to its own ``Dispatcher`` (retries, faults) and acknowledges the entry once the
shared delivery log (``shared_log.py``) calls it final. While it delivers, it keeps its entries fresh (``XCLAIM`` to itself); an
entry idle for CLAIM_IDLE seconds belonged to a process that is gone: ``XAUTOCLAIM`` takes it, and the attempt
numbering goes on from the attempts recorded or the times the entry was handed out.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

import redis

from mockserver.core import jsonio
from mockserver.core.storage.redis_codec import GROUP, Keys
from mockserver.webhooks.dispatcher import Dispatcher
from mockserver.webhooks.shared_log import SharedLog

log = logging.getLogger("creatify_mock.webhooks")
#: An entry not refreshed for this long is taken over (its process is gone); refreshed every third of it.
CLAIM_IDLE = 10.0
BLOCK_MS = 2000
BATCH = 32


class StreamFeeder:
    """One thread: blocking reads from the group, claims of abandoned entries, acknowledgements."""

    def __init__(self, client: redis.Redis, keys: Keys, dispatcher: Dispatcher) -> None:
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._k, self._dispatcher = keys, dispatcher
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._inflight: dict[str, bytes] = {}  # delivery id -> stream entry id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.log = SharedLog(dispatcher.settings.webhook_log_size, client, keys, self.attempted, self.settled)
        dispatcher.log = self.log

    def start(self) -> None:
        if self._thread is None:
            self._ensure_group()
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="creatify-mock-webhook-stream", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Stop reading and acknowledging: events abandoned at shutdown stay pending for another process."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(BLOCK_MS / 1000 + 2)

    def forget(self) -> None:
        """After a reset: entries this process held are gone with the stream."""
        with self._lock:
            self._inflight.clear()

    # -- what the delivery log reports ---------------------------------------------------------------------
    def attempted(self, delivery_id: str) -> None:
        if delivery_id in self._inflight and not self._stop.is_set():
            self._r.hincrby(self._k.attempts, delivery_id, 1)

    def settled(self, delivery_id: str) -> None:
        if self._stop.is_set():
            return
        with self._lock:
            entry = self._inflight.pop(delivery_id, None)
        if entry is not None:
            pipe = self._r.pipeline(transaction=True)
            pipe.xack(self._k.webhooks, GROUP, entry)
            pipe.xdel(self._k.webhooks, entry)
            pipe.hdel(self._k.attempts, delivery_id)
            pipe.execute()

    # -- the loop ------------------------------------------------------------------------------------------
    def _run(self) -> None:
        refreshed = time.monotonic()
        while not self._stop.is_set():
            try:
                if time.monotonic() - refreshed >= CLAIM_IDLE / 3:
                    refreshed = time.monotonic()
                    self._refresh()
                    self._claim()
                answer = self._r.xreadgroup(GROUP, self.consumer, {self._k.webhooks: ">"}, BATCH, BLOCK_MS)
                for _, entries in answer or []:
                    for entry_id, fields in entries:
                        self._take(entry_id, fields, handed=1)
            except redis.ResponseError as exc:
                if "NOGROUP" not in str(exc) and "UNBLOCKED" not in str(exc):
                    raise
                self._ensure_group()  # the stream went with a reset: start it again
            except redis.RedisError as exc:
                self.error = exc
                log.warning("webhook stream: %s; reading again in 1 s", exc)
                self._stop.wait(1.0)
            except Exception as exc:  # surfaced through .error and the log
                self.error = exc
                log.exception("webhook stream failed")
                self._stop.wait(1.0)

    def _ensure_group(self) -> None:
        try:
            self._r.xgroup_create(self._k.webhooks, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _take(self, entry_id: bytes, fields: dict[bytes, bytes], handed: int) -> None:
        event = jsonio.loads(fields[b"e"])
        prior = 0
        if handed > 1:  # taken over: the attempts recorded, or at least one per process it was handed to
            prior = max(int(self._r.hget(self._k.attempts, event["id"]) or 0), handed - 1)
        with self._lock:
            self._inflight[event["id"]] = entry_id
        if handed > 1:
            self.log.take_over(event["id"])
        self._dispatcher.enqueue(event["url"], event["view"], event["id"], prior, faults=handed == 1)

    def _refresh(self) -> None:
        """Mark what this process still delivers as alive (resets its idle time, not its delivery count)."""
        with self._lock:
            entries = list(self._inflight.values())
        if entries:
            self._r.xclaim(self._k.webhooks, GROUP, self.consumer, 0, entries, justid=True)

    def _claim(self) -> None:
        """Take over entries whose process stopped refreshing them."""
        idle_ms = int(CLAIM_IDLE * 1000)
        answer = self._r.xautoclaim(self._k.webhooks, GROUP, self.consumer, idle_ms, "0-0", BATCH)
        for entry_id, fields in answer[1]:
            if fields is None:
                continue
            pending = self._r.xpending_range(self._k.webhooks, GROUP, entry_id, entry_id, 1)
            handed = int(pending[0]["times_delivered"]) if pending else 2
            log.warning("webhook stream: taking over %s from a process that stopped", entry_id)
            self._take(entry_id, fields, max(handed, 2))
