"""Many threads creating and polling over real HTTP in instant mode: no job lost, all terminal."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

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


def test_mixed_load_while_the_clock_moves_and_scenarios_reset() -> None:
    """Creates, polls and lists from several accounts while the clock advances and an operator swaps the
    scenario rules: no 5xx, no job lost or duplicated, every webhook event delivered exactly once."""
    import threading

    from mockserver.core.clock import FrozenClock

    from .receiver import Receiver

    workers, per_worker = 4, 50
    statuses: list[int] = []
    stop = threading.Event()
    with Receiver() as receiver, MockServer(clock=FrozenClock(), webhook_backoff=0.05) as mock:

        def client_work(n: int) -> list[str]:
            session = requests.Session()
            session.headers.update({"X-API-ID": f"acct-{n}", "X-API-KEY": "k"})
            made = []
            for i in range(per_worker):
                body = valid_body(
                    webhook_url=receiver.url(), messages=[{"role": "user", "content": f"{n}-{i}"}]
                )
                created = session.post(mock.url + API, json=body, timeout=TIMEOUT)
                statuses.append(created.status_code)
                made.append(created.json()["id"])
                statuses.append(session.get(f"{mock.url}{API}{made[-1]}/", timeout=TIMEOUT).status_code)
                if i % 10 == 0:
                    statuses.append(session.get(mock.url + API, timeout=TIMEOUT).status_code)
            return made

        def operator() -> None:
            rule = {"name": "noop", "match": {"model_name": "never-used"}, "outcome": {"status": "done"}}
            for _ in range(400):  # bounded
                if stop.is_set():
                    return
                mock.advance_clock(0.25)
                requests.put(f"{mock.url}/__admin/scenarios", json={"scenarios": [rule]}, timeout=TIMEOUT)
                requests.delete(f"{mock.url}/__admin/scenarios", json={}, timeout=TIMEOUT)

        ops = threading.Thread(target=operator)
        ops.start()
        try:
            with ThreadPoolExecutor(workers) as pool:
                results = list(pool.map(client_work, range(workers)))
        finally:
            stop.set()
            ops.join(60)
        mock.advance_clock(10)
        log = mock.wait_for_webhooks(count=2 * workers * per_worker, timeout=60)
        calls = receiver.wait_for(2 * workers * per_worker, timeout=30)
        everything = mock.jobs()
    created = [i for ids in results for i in ids]
    assert all(s < 500 for s in statuses) and set(statuses) == {200, 201}
    assert len(created) == len(set(created)) == workers * per_worker
    assert {j["id"] for j in everything} == set(created) and all(j["status"] == "done" for j in everything)
    assert all(e["state"] == "delivered" and len(e["attempts"]) == 1 for e in log)
    events = [(c.json()["id"], c.headers["X-Webhook-Event"]) for c in calls]
    assert len(events) == len(set(events)) == 2 * len(created)
