"""The embedded ``MockServer`` on the Redis store (``MockServer(store="redis://…")``), and what a client sees
when that store goes away: a JSON 503 in the family's shape, never a 500 or a hang."""

from __future__ import annotations

import uuid

import pytest
import requests

from mockserver.core.models import JobStatus
from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body
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
