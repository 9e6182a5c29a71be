"""The embedded ``MockServer`` on the Redis store (``MockServer(store="redis://…")``), and what a client sees
when that store goes away: a JSON 503 in the family's shape, never a 500 or a hang."""

from __future__ import annotations

import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body
from .redis_server import RedisServer


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
