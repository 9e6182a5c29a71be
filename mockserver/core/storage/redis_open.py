"""Opening the Redis store: one connection pool, checked with a PING, and the bundle built on it."""

from __future__ import annotations

import redis

from mockserver.config.settings import Settings
from mockserver.config.values import parse_rate
from mockserver.core.clock import Clock
from mockserver.core.storage.base import Storage, StoreError
from mockserver.core.storage.redis_bus import RedisBus
from mockserver.core.storage.redis_codec import Keys
from mockserver.core.storage.redis_jobs import RedisJobStore
from mockserver.core.storage.redis_journal import RedisJournal
from mockserver.core.storage.redis_scenarios import RedisScenarioBook
from mockserver.core.storage.redis_state import RedisBalances, RedisClock, RedisIds, RedisRate
from mockserver.core.storage.redis_streams import RedisStreamBook
from mockserver.core.store import Finisher


def connect(uri: str) -> redis.Redis:
    """A client for ``uri``, checked: a mock must not start on a store it cannot reach."""
    try:
        client = redis.Redis.from_url(uri, socket_connect_timeout=5, health_check_interval=30)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise StoreError(f"--store {uri}: cannot use this Redis ({exc})") from None
    return client


def open_redis(settings: Settings, finisher: Finisher, clock: Clock | None) -> Storage:
    """The shared bundle; an injected clock (tests) is kept, else the clock offset is shared too."""
    client = connect(settings.store)
    keys = Keys(settings.store_prefix)
    clock = clock or RedisClock(client, keys)
    jobs = RedisJobStore(client, keys, finisher, settings.max_jobs, clock.now_us)
    bus = RedisBus(client, keys.bus)
    scenarios = RedisScenarioBook(client, keys, settings.seed, bus.publish)
    bus.on_scenarios = scenarios.adopt
    return Storage(
        jobs=jobs,
        ids=RedisIds(client, keys, settings.seed),
        balances=RedisBalances(client, keys, settings),
        rate=RedisRate(client, keys, parse_rate(settings.rate_limit)),
        clock=clock,
        scenarios=scenarios,
        streams=RedisStreamBook(client, keys),
        journal=RedisJournal(settings.journal_size, clock, client, keys),
        bus=bus,
        shared=True,
        extras={"client": client, "keys": keys},
    )
