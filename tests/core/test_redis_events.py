"""The Redis event feed: events published by one process are read by a subscriber on another, in ``seq`` order,
resumable from a ``seq``, and a feed whose Redis is gone never raises into the caller."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from mockserver.core.storage.redis_events import RedisEventFeed

from ..redis_server import free_port


@pytest.fixture
def feeds(redis_url: str) -> Iterator[tuple[RedisEventFeed, RedisEventFeed]]:
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    clients = [redis.Redis.from_url(redis_url) for _ in range(2)]
    yield RedisEventFeed(clients[0], prefix, lambda: 1.5), RedisEventFeed(clients[1], prefix, lambda: 2.5)
    for client in clients:
        client.close()


def test_events_of_every_process_reach_a_subscriber_in_order(
    feeds: tuple[RedisEventFeed, RedisEventFeed],
) -> None:
    one, other = feeds
    live = other.subscribe()
    one.publish("job.created", {"n": 1}, job_id=lambda: "job-1")  # named by a function: at once, shared
    other.publish("clock.moved", lambda: {"seconds": 5})  # data made by a function: made at once, shared
    events = live.get(5.0)
    assert [(e.seq, e.kind, e.job_id, e.at) for e in events] == [
        (1, "job.created", "job-1", 1.5),
        (2, "clock.moved", None, 2.5),
    ]
    assert events[1].data == {"seconds": 5}
    assert live.get(0.05) == []
    resumed = one.subscribe(since_seq=1)
    assert [e.seq for e in resumed.get(5.0)] == [2]
    live.close()
    assert live.get(1.0) == []


def test_a_feed_without_its_redis_never_raises() -> None:
    client = redis.Redis(
        host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )
    try:
        feed = RedisEventFeed(client, "gone:", lambda: 0.0)
        feed.publish("job.created", {})  # logged, not raised
        assert feed.subscribe(since_seq=0).get(0.1) == []
    finally:
        client.close()
