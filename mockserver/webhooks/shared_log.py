"""The delivery log of every process on one Redis: ``GET /__admin/webhooks`` on any process shows every event,
whichever process sent it, with every attempt (those of a process that died included).

Each process keeps its ``DeliveryLog`` for the events it is sending and writes an entry to Redis each time it
changes (one script call: the entry, its place in creation order, the bound). Reads come from Redis. It also tells
the webhook stream what happened: attempts are counted, final events acknowledged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis

from mockserver.core import jsonio
from mockserver.core.storage.redis_codec import Keys
from mockserver.webhooks.log import FINAL_STATES, DeliveryLog

#: KEYS: entries hash, order zset; ARGV: delivery id, entry JSON, created (us), bound.
SAVE = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
  redis.call('HDEL', KEYS[1], unpack(old))
end
"""
POLL = 0.05
#: Ids read from the order per round of ``page``.
PAGE_READ = 500


class SharedLog(DeliveryLog):
    """``DeliveryLog`` whose reads are the shared entries; writes go to this process's copy and to Redis."""

    def __init__(
        self,
        size: int,
        client: redis.Redis,
        keys: Keys,
        attempted: Callable[[str], object],
        settled: Callable[[str], object],
    ) -> None:
        super().__init__(size)
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._entries_key = f"{keys.prefix}deliveries"
        self._order_key = f"{keys.prefix}delivery-order"
        self._save_script = client.register_script(SAVE)
        self._attempted, self._settled = attempted, settled

    def add(self, entry: dict[str, Any]) -> None:
        super().add(entry)
        self._save(entry["delivery_id"])

    def update(
        self,
        delivery_id: str,
        *,
        state: str | None = None,
        attempt: dict[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        if delivery_id not in self._entries:  # an event another process logged (a redelivery asked here)
            self.take_over(delivery_id)
        super().update(delivery_id, state=state, attempt=attempt, **fields)
        self._save(delivery_id)
        if attempt is not None and not attempt.get("duplicate"):
            self._attempted(delivery_id)
        if state in FINAL_STATES:
            self._settled(delivery_id)

    def take_over(self, delivery_id: str) -> None:
        """Before sending an event another process began: start from its entry (attempts so far)."""
        shared = self.get(delivery_id)
        if shared is not None and super().get(delivery_id) is None:
            super().add(shared)

    def get(self, delivery_id: str) -> dict[str, Any] | None:
        raw = self._r.hget(self._entries_key, delivery_id)
        return jsonio.loads(raw) if raw is not None else super().get(delivery_id)

    def entries(self, job_id: str | None = None) -> list[dict[str, Any]]:
        ids = self._r.zrange(self._order_key, 0, -1)
        raws = self._r.hmget(self._entries_key, ids) if ids else []
        found = [jsonio.loads(raw) for raw in raws if raw is not None]
        return [e for e in found if job_id is None or e["job_id"] == job_id]

    def page(
        self, job_id: str | None, after: int | None, limit: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """As ``DeliveryLog.page`` over every process's entries, oldest first; the cursor is an entry's place in
        creation order (its score, microseconds), so a page never repeats or skips an entry still kept."""
        picked: list[dict[str, Any]] = []
        scores: list[int] = []
        low = "-inf" if after is None else f"({after}"
        while len(picked) <= limit:  # bounded: each round reads the next scored ids, and stops at the end
            ids = self._r.zrangebyscore(self._order_key, low, "+inf", start=0, num=PAGE_READ, withscores=True)
            if not ids:
                break
            raws = self._r.hmget(self._entries_key, [i for i, _ in ids])
            for (_, score), raw in zip(ids, raws, strict=True):
                entry = jsonio.loads(raw) if raw is not None else None
                if entry is not None and (job_id is None or entry["job_id"] == job_id):
                    picked.append(entry)
                    scores.append(int(score))
            low = f"({int(ids[-1][1])}"
        more = len(picked) > limit
        return picked[:limit], scores[limit - 1] if more else None

    def clear(self) -> None:
        super().clear()
        self._r.delete(self._entries_key, self._order_key)

    def wait(self, job_id: str | None, count: int | None, timeout: float) -> list[dict[str, Any]]:
        """As ``DeliveryLog.wait``, over every process's entries (looked at every 50 ms while someone waits)."""
        deadline = time.monotonic() + timeout
        while True:  # bounded by the deadline
            mine = self.entries(job_id)
            if (count is None or len(mine) >= count) and all(e["state"] in FINAL_STATES for e in mine):
                return mine
            if time.monotonic() >= deadline:
                states = [(e["event"], e["state"]) for e in mine]
                raise TimeoutError(
                    f"webhook deliveries not settled after {timeout} s (count wanted {count}): {states}"
                )
            time.sleep(POLL)

    def _save(self, delivery_id: str) -> None:
        entry = super().get(delivery_id)
        if entry is not None:
            keys = [self._entries_key, self._order_key]
            self._save_script(
                keys=keys, args=[delivery_id, jsonio.dumps(entry), time.time_ns() // 1000, self._size]
            )
