"""Many threads creating and polling over real HTTP in instant mode: no job lost, all terminal."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body

THREADS, CYCLES = 8, 200


@pytest.mark.parametrize("mock_options", [{"timing": "instant", "threads": 8}])
def test_8_threads_x_200_create_poll_cycles(mock: MockServer) -> None:
    def worker(n: int) -> list[str]:
        session = requests.Session()
        session.headers.update({"X-API-ID": f"acct-{n % 3}", "X-API-KEY": "k"})
        ids = []
        for i in range(CYCLES):
            body = valid_body(messages=[{"role": "user", "content": f"thread {n} job {i}"}])
            created = session.post(mock.url + API, json=body, timeout=TIMEOUT)
            assert created.status_code == 201, created.text
            job_id = created.json()["id"]
            polled = session.get(f"{mock.url}{API}{job_id}/", timeout=TIMEOUT)
            assert polled.status_code == 200 and polled.json()["status"] == "done", polled.text
            ids.append(job_id)
        return ids

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    created = [i for ids in results for i in ids]
    assert len(created) == len(set(created)) == THREADS * CYCLES
    everything = mock.jobs()
    assert {j["id"] for j in everything} == set(created)
    assert all(j["status"] == "done" for j in everything)
    for account in range(3):
        listed = requests.get(
            mock.url + API, headers={"X-API-ID": f"acct-{account}", "X-API-KEY": "k"}, timeout=TIMEOUT
        )
        mine = {i for n, ids in enumerate(results) if n % 3 == account for i in ids}
        assert {j["id"] for j in listed.json()} == mine
