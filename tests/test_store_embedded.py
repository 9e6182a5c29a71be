"""The embedded ``MockServer`` on the Redis store (``MockServer(store="redis://…")``), and what a client sees
when that store goes away: a JSON 503 in the family's shape, never a 500 or a hang."""

from __future__ import annotations

import uuid

import pytest
import redis
import requests

from mockserver.core.models import JobStatus
from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body, wait_until
from .receiver import Receiver
from .redis_server import RedisServer

pytestmark = pytest.mark.slow  # a redis-server stopped under a live mock: `make test` runs it


def test_an_embedded_mock_on_redis_and_a_lost_store_answers_503() -> None:
    with RedisServer() as redis_server, MockServer(store=redis_server.url, timing="manual") as mock:
        headers = {"X-API-ID": mock.api_id, "X-API-KEY": mock.api_key}
        with MockServer(store=redis_server.url, timing="manual") as other:
            job = requests.post(mock.url + API, json=valid_body(), headers=headers, timeout=TIMEOUT).json()
            seen = requests.get(f"{other.url}{API}{job['id']}/", headers=headers, timeout=TIMEOUT)
            assert seen.status_code == 200 and seen.json()["id"] == job["id"]
        redis_server.stop()
        for path, shape in ((f"{API}{job['id']}/", "detail"), (f"/sse/text_generator/{job['id']}/", "error")):
            answer = requests.get(mock.url + path, headers=headers, timeout=TIMEOUT)
            assert answer.status_code == 503 and answer.headers["Retry-After"] == "1", answer.text
            assert "store is unavailable" in answer.json()[shape]


def test_an_embedded_mock_on_redis_sends_webhooks_again_after_a_stop_and_start(redis_url: str) -> None:
    mock = MockServer(store=redis_url, store_prefix=f"emb-{uuid.uuid4().hex[:8]}:", timing="manual")
    headers = {"X-API-ID": mock.api_id, "X-API-KEY": mock.api_key}
    with Receiver() as receiver:
        for round_ in (1, 2):
            mock.start()
            try:
                body = valid_body(webhook_url=receiver.url())
                job = requests.post(mock.url + API, json=body, headers=headers, timeout=TIMEOUT).json()
                mock.service.advance(job["id"], JobStatus.DONE)
                calls = receiver.wait_for(2 * round_, timeout=20)
                assert {c.json()["id"] for c in calls[-2:]} == {job["id"]}
            finally:
                mock.stop()


def _options(store: str, redis_url: str, **settings: object) -> dict[str, object]:
    if store == "memory":
        return settings
    return {**settings, "store": redis_url, "store_prefix": f"evict-{uuid.uuid4().hex[:8]}:"}


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_max_jobs_bounds_either_store_dropping_the_oldest_terminal_jobs_first(
    store: str, redis_url: str
) -> None:
    """The Redis store kept every job whatever ``--max-jobs`` said (a shared mock under CI traffic grew without
    end); both stores now keep the bound and choose the same victims."""
    with MockServer(**_options(store, redis_url, max_jobs=10, timing="manual")) as mock:  # type: ignore[arg-type]
        headers = {"X-API-ID": mock.api_id, "X-API-KEY": mock.api_key}

        def create() -> str:
            answer = requests.post(mock.url + API, json=valid_body(), headers=headers, timeout=TIMEOUT)
            assert answer.status_code == 201, answer.text
            return str(answer.json()["id"])

        ids = [create() for _ in range(10)]
        for job_id in ids[3:6]:
            mock.advance(job_id, "done")
        newest = create()
        assert wait_until(lambda: len(mock.jobs()) == 10)  # the Redis store trims in the background
        kept = {j["id"] for j in mock.jobs()}
        assert newest in kept
        assert ids[3] not in kept and set(ids[:3]) | set(ids[4:]) <= kept  # the oldest terminal one went
        gone = requests.get(f"{mock.url}{API}{ids[3]}/", headers=headers, timeout=TIMEOUT)
        assert gone.status_code == 404
        newer = [create() for _ in range(12)]
        # Bounded even when nothing is terminal: the oldest went; the terminal ones first.
        assert wait_until(lambda: [j["id"] for j in mock.jobs()] == newer[::-1][:10])
        listed = requests.get(mock.url + API, headers=headers, timeout=TIMEOUT).json()
        assert sorted(j["id"] for j in listed) == sorted(j["id"] for j in mock.jobs())


def test_two_mocks_on_one_redis_keep_one_bound(redis_url: str) -> None:
    options = _options("redis", redis_url, max_jobs=10, timing="manual")
    with MockServer(**options) as first, MockServer(**options) as second:  # type: ignore[arg-type]
        headers = {"X-API-ID": first.api_id, "X-API-KEY": first.api_key}
        made = []
        for i in range(30):
            mock = (first, second)[i % 2]
            answer = requests.post(mock.url + API, json=valid_body(), headers=headers, timeout=TIMEOUT)
            made.append(answer.json()["id"])
        newest_ten = made[:-11:-1]  # newest first
        assert wait_until(lambda: [j["id"] for j in first.jobs()] == newest_ten)
        assert [j["id"] for j in second.jobs()] == newest_ten
        gone = requests.get(f"{second.url}{API}{made[0]}/", headers=headers, timeout=TIMEOUT)
        assert gone.status_code == 404


def test_while_another_process_holds_the_eviction_lease_a_create_leaves_eviction_to_it(
    redis_url: str,
) -> None:
    options = _options("redis", redis_url, max_jobs=5, timing="manual")
    lease = f"{options['store_prefix']}evicting"
    with MockServer(**options) as mock, redis.Redis.from_url(redis_url) as r:  # type: ignore[arg-type]
        headers = {"X-API-ID": mock.api_id, "X-API-KEY": mock.api_key}

        def create() -> None:
            answer = requests.post(mock.url + API, json=valid_body(), headers=headers, timeout=TIMEOUT)
            assert answer.status_code == 201, answer.text

        r.set(lease, b"1")  # as if another process were evicting
        for _ in range(7):
            create()
        assert len(mock.jobs()) == 7
        assert not wait_until(lambda: len(mock.jobs()) < 7, timeout=0.5)  # the holder's to trim
        r.delete(lease)
        create()
        assert wait_until(lambda: len(mock.jobs()) == 5)  # back at the bound
        assert wait_until(lambda: not r.exists(lease))  # the lease released by its holder
