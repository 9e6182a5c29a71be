"""Open streams on Redis: a stream served by one process is seen (``/__admin/streams``) and released
(``/__admin/streams/{id}/release``, manual timing) through any process.

The process that serves a stream writes what it sent; a release anywhere raises the count in one script call and
publishes ``job:<id>`` on the bus, which wakes the serving process's waiter at once.
"""

from __future__ import annotations

import time
from typing import Any

import redis

from mockserver.core.storage.redis_codec import Keys, unavailable_as_store_error
from mockserver.core.streams import OpenStream, StreamBook

#: KEYS: the stream's hash, the bus; ARGV: chunks to add ('' for all), job id. The new count, or nil.
RELEASE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local total = tonumber(redis.call('HGET', KEYS[1], 'chunks'))
local more = total
if ARGV[1] ~= '' then more = tonumber(ARGV[1]) end
local released = math.min(total, tonumber(redis.call('HGET', KEYS[1], 'released')) + more)
redis.call('HSET', KEYS[1], 'released', released)
redis.call('PUBLISH', KEYS[2], 'job:' .. ARGV[2])
return released
"""


@unavailable_as_store_error
class RedisStreamBook(StreamBook):
    """``StreamBook`` whose streams live in Redis: a hash per stream, its text apart, an index by opening time."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        super().__init__()
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._k = keys
        self._index = f"{keys.prefix}streams"
        self._release = client.register_script(RELEASE)

    def _key(self, job_id: str) -> str:
        return f"{self._k.prefix}stream:{job_id}"

    def open(self, job_id: str, chunks: int, gated: bool) -> None:
        pipe = self._r.pipeline(transaction=True)
        pipe.hset(
            self._key(job_id), mapping={"chunks": chunks, "gated": int(gated), "released": 0, "sent": 0}
        )
        pipe.delete(self._key(job_id) + ":text")
        pipe.zadd(self._index, {job_id: time.time_ns()})
        pipe.execute()

    def close(self, job_id: str) -> None:
        pipe = self._r.pipeline(transaction=True)
        pipe.delete(self._key(job_id), self._key(job_id) + ":text")
        pipe.zrem(self._index, job_id)
        pipe.execute()

    def get(self, job_id: str) -> OpenStream | None:
        pipe = self._r.pipeline(transaction=False)
        pipe.hgetall(self._key(job_id))
        pipe.get(self._key(job_id) + ":text")
        fields, text = pipe.execute()
        if not fields:
            return None
        number = {k.decode(): int(v) for k, v in fields.items()}
        return OpenStream(
            job_id,
            number["chunks"],
            bool(number["gated"]),
            number["released"],
            number["sent"],
            (text or b"").decode("utf-8"),
        )

    def released(self, job_id: str) -> int:
        chunks, gated, released = self._r.hmget(self._key(job_id), "chunks", "gated", "released")
        if chunks is None:
            return 0
        return int(released) if int(gated) else int(chunks)

    def sent(self, job_id: str, text: str) -> None:
        if self._r.exists(self._key(job_id)):
            pipe = self._r.pipeline(transaction=True)
            pipe.hincrby(self._key(job_id), "sent", 1)
            pipe.append(self._key(job_id) + ":text", text.encode("utf-8"))
            pipe.execute()

    def release(self, job_id: str, chunks: int | None) -> OpenStream | None:
        done = self._release(
            keys=[self._key(job_id), self._k.bus], args=["" if chunks is None else chunks, job_id]
        )
        return None if done is None else self.get(job_id)

    def views(self) -> list[dict[str, Any]]:
        ids = [i.decode() for i in self._r.zrange(self._index, 0, -1)]
        found = (self.get(job_id) for job_id in ids)
        return [s.view() for s in found if s is not None]

    def clear(self) -> None:
        ids = [i.decode() for i in self._r.zrange(self._index, 0, -1)]
        keys = [k for job_id in ids for k in (self._key(job_id), self._key(job_id) + ":text")]
        self._r.delete(self._index, *keys)

    def __len__(self) -> int:
        return int(self._r.zcard(self._index))
