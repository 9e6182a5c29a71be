"""RedisEviction against a real redis-server: a round counts under the lease and drops at most one batch (a prefix
far over its bound is trimmed a batch at a time), drops a job only if it is still what the round read, releases
only its own lease; and the trimming thread never misses a create that came while it was ending."""

from __future__ import annotations

import threading
import time
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
    yield client, keys, RedisJobStore(client, keys, lambda job, blocking: None)
    client.close()


def left(client: Any, keys: Keys) -> list[str]:
    return [i.decode() for i in client.zrange(keys.jobs, 0, -1)]


def test_a_round_counts_under_the_lease_and_drops_at_most_one_batch(
    parts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, keys, store = parts
    monkeypatch.setattr(redis_evict, "MAX_BATCH", 7)
    fill(store, 40)
    eviction = RedisEviction(client, keys, 10, lambda: START)
    assert eviction.round() == 7  # 30 over the bound; one round reads and drops one batch
    assert left(client, keys) == [f"job-{seq}" for seq in range(8, 41)]
    assert all(client.exists(keys.job(f"job-{seq}")) == 0 for seq in range(1, 8))
    assert client.zcard(keys.account("acct")) == 33 and not client.exists(keys.evicting)
    for _ in range(4):
        eviction.round()
    assert (
        len(left(client, keys)) == 10 and eviction.round() == 0
    )  # at the bound: counted again, nothing more


def test_a_job_that_changed_since_the_round_read_it_is_not_dropped(parts: Any) -> None:
    client, keys, store = parts
    fill(store, 2)
    eviction = RedisEviction(client, keys, 1, lambda: START)
    read = client.hget(keys.job("job-1"), "d")
    client.hset(keys.job("job-1"), "d", read + b" ")  # moved (or created again) by another process meanwhile
    job_keys = [keys.job("job-1"), keys.jobs, keys.account("acct"), keys.watch]
    assert eviction._drop(keys=job_keys, args=[read, "job-1"]) == 0 and client.exists(keys.job("job-1"))
    assert "job-1" in left(client, keys)


def test_the_lease_is_taken_by_one_and_released_only_by_its_holder(parts: Any) -> None:
    client, keys, store = parts
    fill(store, 12)
    eviction = RedisEviction(client, keys, 10, lambda: START)
    client.set(keys.evicting, b"other")
    assert eviction.round() is None and client.zcard(keys.jobs) == 12  # another process is at it
    eviction._release(keys=[keys.evicting], args=["mine"])  # a holder whose lease ran out deletes nothing
    assert client.get(keys.evicting) == b"other"


def test_a_create_that_comes_while_the_thread_ends_is_not_missed(parts: Any) -> None:
    client, keys, _ = parts
    eviction = RedisEviction(client, keys, 10, lambda: START)
    calls: list[int] = []
    gate = threading.Event()

    def rounds() -> None:  # the first pass blocks until the second create has come
        calls.append(1)
        if len(calls) == 1:
            assert gate.wait(5)

    eviction._rounds = rounds  # type: ignore[method-assign]
    eviction.after_add(11)
    eviction.after_add(11)  # the thread is busy: it must look again before it ends
    gate.set()
    deadline = time.monotonic() + 5
    while eviction._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls == [1, 1] and eviction._thread is None
    eviction.close()
    eviction.after_add(11)
    assert eviction._thread is None  # closed: no more trimming
