"""RedisEviction against a real redis-server: a round's size is bounded (a prefix far over its bound is trimmed a
batch at a time, not read whole), and the lease is released only by its holder."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import redis

from mockserver.core.models import Job, Schedule
from mockserver.core.storage import redis_evict
from mockserver.core.storage.redis_codec import Keys
from mockserver.core.storage.redis_evict import RedisEviction
from mockserver.core.storage.redis_jobs import RedisJobStore

START = 1_000_000


def fill(store: RedisJobStore, n: int) -> None:
    request = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}
    for seq in range(1, n + 1):
        store._store(Job(f"job-{seq}", "acct", seq, request, None, START, Schedule(None, None)))


@pytest.fixture
def parts(redis_url: str) -> Any:
    client = redis.Redis.from_url(redis_url)
    keys = Keys(f"evict-{uuid.uuid4().hex[:10]}:")
    yield client, keys, RedisJobStore(client, keys, lambda job, blocking: None, max_jobs=10)
    client.close()


def test_a_round_drops_at_most_one_batch_oldest_first(parts: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, keys, store = parts
    monkeypatch.setattr(redis_evict, "MAX_BATCH", 7)
    fill(store, 40)
    eviction = RedisEviction(client, keys, 10)
    assert eviction.round(30, START) == 7  # the excess is 30; one round reads and drops one batch
    left = [i.decode() for i in client.zrange(keys.jobs, 0, -1)]
    assert left == [f"job-{seq}" for seq in range(8, 41)]
    assert all(client.exists(keys.job(f"job-{seq}")) == 0 for seq in range(1, 8))
    assert client.zcard(keys.account("acct")) == 33 and not client.exists(keys.evicting)


def test_the_lease_is_taken_by_one_and_released_only_by_its_holder(parts: Any) -> None:
    client, keys, store = parts
    fill(store, 12)
    eviction = RedisEviction(client, keys, 10)
    client.set(keys.evicting, b"other")
    assert eviction.round(2, START) == 0 and client.zcard(keys.jobs) == 12  # another process is at it
    assert client.get(keys.evicting) == b"other"
    eviction._release(keys=[keys.evicting], args=["mine"])  # a holder whose lease ran out deletes nothing
    assert client.get(keys.evicting) == b"other"
