"""The small shared state on Redis: the id sequence, balances, rate buckets and the clock offset.

Ids: one ``INCR`` gives the sequence number to whichever process creates; with ``--seed`` the random that draws
the id and the jitter is seeded from the seed and that number, so a seeded team run is reproducible whichever
process took each create (the ids differ from the memory store's sequence, which draws from one random).
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import redis

from mockserver.config.settings import Settings
from mockserver.config.values import parse_credits, parse_error_body
from mockserver.core.accounts import PLACES
from mockserver.core.models import Job
from mockserver.core.storage.redis_codec import TAKE_TOKEN, Keys, unavailable_as_store_error

T = TypeVar("T")


@unavailable_as_store_error
class RedisIds:
    """The global sequence (``INCR``) and a random per sequence number."""

    def __init__(self, client: redis.Redis, keys: Keys, seed: int | None) -> None:
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._k, self._seed = keys, seed

    def allocate(self, draw: Callable[[random.Random], T]) -> tuple[int, T]:
        seq = int(self._r.incr(self._k.seq))
        rng = random.Random(f"{self._seed}:{seq}") if self._seed is not None else random.Random()
        return seq, draw(rng)

    def state(self) -> tuple[int, Any]:
        return int(self._r.get(self._k.seq) or 0), random.Random(self._seed).getstate()

    def restore(self, seq: int | None, random_state: Any | None) -> None:
        if seq is not None:  # never backwards: an id handed out stays handed out
            self._r.eval(
                "if tonumber(redis.call('GET', KEYS[1]) or 0) < tonumber(ARGV[1]) then "
                "redis.call('SET', KEYS[1], ARGV[1]) end",
                1,
                self._k.seq,
                seq,
            )

    def reset(self) -> None:
        self._r.delete(self._k.seq)


@unavailable_as_store_error
class RedisBalances:
    """Balances in one hash; the deduction of a finished job happens in the transition script, not here."""

    def __init__(self, client: redis.Redis, keys: Keys, settings: Settings) -> None:
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._k = keys
        self._configured = parse_credits(settings.credits)
        self.error_status = settings.insufficient_credits_status
        self._error_body = parse_error_body(settings.insufficient_credits_body)
        # The configured balances are written by the first process only: a later one must not refill them.
        if self._r.set(self._k.configured, 1, nx=True):
            self.replace(self._configured)

    @property
    def error_body(self) -> Any:
        return copy.deepcopy(self._error_body)

    def on_transition(self, view: dict[str, Any], job: Job) -> None:
        return None  # deducted atomically with the finish (redis_codec.TRANSITION)

    def exhausted(self, account: str) -> bool:
        balance = self.get(account)
        return balance is not None and balance <= 0

    def get(self, account: str) -> float | None:
        value = self._r.hget(self._k.balances, account)
        return None if value is None else round(float(value), PLACES)

    def set(self, account: str, credits: float | None) -> None:
        if credits is None:
            self._r.hdel(self._k.balances, account)
        else:
            self._r.hset(self._k.balances, account, f"{round(float(credits), PLACES):.6f}")

    def view(self, account: str) -> dict[str, Any]:
        return {"api_id": account, "credits": self.get(account)}

    def all(self) -> dict[str, float]:
        raw = self._r.hgetall(self._k.balances)
        return dict(sorted((k.decode(), round(float(v), PLACES)) for k, v in raw.items()))

    def replace(self, balances: Mapping[str, float]) -> None:
        pipe = self._r.pipeline(transaction=True)
        pipe.delete(self._k.balances)
        if balances:
            pipe.hset(
                self._k.balances, mapping={k: f"{round(float(v), PLACES):.6f}" for k, v in balances.items()}
            )
        pipe.set(self._k.configured, 1)
        pipe.execute()

    def reset(self) -> None:
        self.replace(self._configured)


@unavailable_as_store_error
class RedisRate:
    """Token buckets in Redis, one Lua call per request, on Redis's clock: the limit is global."""

    def __init__(self, client: redis.Redis, keys: Keys, rate: tuple[int, float] | None) -> None:
        self._k, self.rate = keys, rate
        self._take = client.register_script(TAKE_TOKEN)
        self._r: Any = client  # redis-py's return types are unions of every reply shape

    def acquire(self, account: str) -> float:
        if self.rate is None:
            return 0.0
        capacity, period = self.rate
        return float(self._take(keys=[self._k.bucket(account)], args=[capacity, capacity / period]))

    def reset(self) -> None:
        keys = list(self._r.scan_iter(match=self._k.bucket("*"), count=1000))
        if keys:
            self._r.unlink(*keys)


@unavailable_as_store_error
class RedisClock:
    """Wall-clock time plus an offset kept in Redis: ``/__admin/clock/advance`` on one process moves them all.

    The offset is cached; the bus calls ``refresh`` when another process moved it, so reading the time costs
    no round trip."""

    is_real = True

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._k = keys
        self._lock = threading.Lock()
        self._offset_us = 0
        self.refresh()

    def now_us(self) -> int:
        return time.time_ns() // 1000 + self._offset_us

    def advance(self, seconds: float) -> None:
        offset = int(self._r.incrby(self._k.clock, round(seconds * 1_000_000)))
        with self._lock:
            self._offset_us = offset
        self._r.publish(self._k.bus, f"clock:{offset}")

    def refresh(self, offset: int | None = None) -> None:
        if offset is None:
            offset = int(self._r.get(self._k.clock) or 0)
        with self._lock:
            self._offset_us = offset
