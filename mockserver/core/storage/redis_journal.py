"""The request journal of every process on one Redis (``/__admin/requests`` on any process shows every call).

An entry is written once, when its answer is complete (the web layer sets ``duration_ms`` last), into a capped
Redis Stream with a global id: one script call per journaled request. A call still being answered is not yet in
the shared journal (the memory journal shows it at once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis

from mockserver.core import jsonio
from mockserver.core.clock import Clock
from mockserver.core.journal import BODY_CAP, Entry, Journal, select
from mockserver.core.storage.redis_codec import Keys, unavailable_as_store_error

log = logging.getLogger("creatify_mock.journal")
#: KEYS: the id counter, the stream; ARGV: the entry's JSON, the bound.
SAVE = """
local id = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'id', id, 'e', ARGV[1])
"""


class SharedEntry(Entry):
    """An entry that saves itself when its answer is complete (``duration_ms`` is the web layer's last write)."""

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        saver = self.__dict__.get("_saver")
        if name == "duration_ms" and saver is not None:
            saver(self)


def _encode(entry: Entry) -> bytes:
    return jsonio.dumps(
        {
            "at": entry.at_us,
            "m": entry.method,
            "p": entry.path,
            "q": entry.query,
            "h": entry.headers,
            "b": entry.body.decode("latin-1"),  # every byte is one character: lossless, and JSON
            "s": entry.status,
            "d": entry.duration_ms,
            "n": entry.body_size,
        }
    )


def _decode(entry_id: int, raw: bytes) -> Entry:
    d = jsonio.loads(raw)
    entry = Entry(
        entry_id, d["at"], d["m"], d["p"], d["q"], [tuple(h) for h in d["h"]], d["b"].encode("latin-1")
    )
    entry.status, entry.duration_ms, entry.body_size = d["s"], d["d"], d["n"]
    return entry


@unavailable_as_store_error
class RedisJournal(Journal):
    """``Journal`` whose entries live in one capped stream shared by every process."""

    def __init__(self, size: int, clock: Clock, client: redis.Redis, keys: Keys) -> None:
        super().__init__(size, clock)
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._ids = f"{keys.prefix}journal-ids"
        self._stream = f"{keys.prefix}journal"
        self._save_script = client.register_script(SAVE)
        self._saver: Callable[[Entry], None] = self._save

    def begin(self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes) -> Entry:
        entry = SharedEntry(0, self._clock.now_us(), method, path, query, headers, body[:BODY_CAP])
        entry.body_size = len(body)
        object.__setattr__(entry, "_saver", self._saver)
        return entry

    def entries(
        self,
        path: str | None = None,
        method: str | None = None,
        status: str | int | None = None,
        since_us: int | None = None,
        api_id: str | None = None,
        before_id: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        raw = self._r.xrevrange(self._stream, count=self.size)
        found = [_decode(int(fields[b"id"]), fields[b"e"]) for _, fields in reversed(raw)]
        return select(found, path, method, status, since_us, api_id, before_id, limit)

    def clear(self) -> int:
        count = len(self)
        self._r.delete(self._stream)
        return count

    def __len__(self) -> int:
        return min(int(self._r.xlen(self._stream)), self.size)

    def _save(self, entry: Entry) -> None:
        """Runs as the answer ends: a journal that cannot be written must not break the call it records."""
        try:
            self._save_script(keys=[self._ids, self._stream], args=[_encode(entry), self.size])
        except redis.RedisError as exc:
            log.warning("journal: %s %s not recorded: %s", entry.method, entry.path, exc)
