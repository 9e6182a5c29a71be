"""Two ``creatify-mock serve`` processes on one real redis-server behave as one mock (issue 19's "Done when").

Every test gets its own key prefix on the session's redis-server, so tests never share state.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from .conftest import API, TIMEOUT, valid_body
from .receiver import Receiver
from .round_robin import RoundRobin
from .test_operations import HEADERS, Cli, servers, wait_until

pytestmark = pytest.mark.slow  # subprocesses and a redis-server: `make test` runs it
__all__ = ["servers"]  # the fixture, used by name
ADMIN = {"Content-Type": "application/json"}
SUITE = [
    *(sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "-p", "contract_tests.plugin"),
    *("-p", "no:cacheprovider", "-q", "--contract-api-id", "rr-id", "--contract-api-key", "rr-key"),
    *("--contract-api-id-2", "rr-id-2", "--contract-api-key-2", "rr-key-2", "--contract-max-jobs", "400"),
    *("--contract-poll-interval", "0.02", "--contract-poll-timeout", "5"),
]


def shared(redis_url: str, *extra: str) -> tuple[str, ...]:
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    return ("--store", redis_url, "--store-prefix", prefix, "--webhook-backoff", "0.2", *extra)


def delivering_pid(redis_url: str, args: tuple[str, ...]) -> int:
    """The PID of the process whose consumer holds the one pending webhook event (consumers are named
    ``host-pid-tag``): the delivery log is shared, so it cannot tell."""
    prefix = args[args.index("--store-prefix") + 1]
    client = redis.Redis.from_url(redis_url)
    try:
        pending = client.xpending_range(f"{prefix}webhooks", "mock", "-", "+", 10)
    finally:
        client.close()
    assert len(pending) == 1, pending
    consumer = bytes(pending[0]["consumer"])  # type: ignore[arg-type]  # redis-py: a union of reply shapes
    return int(consumer.decode().split("-")[-2])


def status_of(cli: Cli, job_id: str) -> tuple[int, Any]:
    answer = requests.get(f"{cli.url}{API}{job_id}/", headers=HEADERS, timeout=TIMEOUT)
    return answer.status_code, answer.json()


def admin(cli: Cli, method: str, path: str, body: Any = None) -> Any:
    answer = requests.request(
        method, cli.url + path, json=body if body is not None else {}, headers=ADMIN, timeout=TIMEOUT
    )
    assert answer.status_code < 300, answer.text
    return answer.json()


def settled_deliveries(cli: Cli, count: int) -> list[dict[str, Any]]:
    """The shared delivery log, read through ``cli``, once it holds ``count`` entries, all final."""

    def check() -> list[dict[str, Any]] | None:
        entries = admin(cli, "GET", "/__admin/webhooks")
        done = len(entries) >= count and all(e["state"] in ("delivered", "abandoned") for e in entries)
        return list(entries) if done else None

    return list(wait_until(check, timeout=30, what=f"{count} settled deliveries"))


def test_two_processes_on_one_redis_act_as_one_mock(redis_url: str, servers: Callable[..., Cli]) -> None:
    args = shared(redis_url, "--timing", "manual")
    with Receiver() as receiver:
        a, b = servers(*args), servers(*args)
        assert admin(a, "PUT", "/__admin/accounts/ops", {"credits": 100})["credits"] == 100
        jobs = []
        for i in range(6):
            maker, other = (a, b) if i % 2 == 0 else (b, a)
            job = maker.create(webhook_url=receiver.url())
            code, seen = status_of(other, job["id"])
            assert code == 200 and seen["status"] == "pending"
            assert other.get(API)[0]["id"] == job["id"]  # listed first on the other process
            jobs.append(job)
        for i, job in enumerate(jobs):
            mover, other = (a, b) if i % 2 else (b, a)
            assert (
                admin(mover, "POST", f"/__admin/jobs/{job['id']}/advance", {"status": "done"})["status"]
                == "done"
            )
            code, seen = status_of(other, job["id"])
            assert code == 200 and seen["status"] == "done"
        entries = settled_deliveries(a, 2 * len(jobs))
        assert len(entries) == 2 * len(jobs) and admin(b, "GET", "/__admin/webhooks") == entries
        calls = receiver.wait_for(2 * len(jobs))
        assert len(calls) == 2 * len(jobs)  # every event settled, none sent twice
        by_job: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for call in calls:
            by_job[call.json()["id"]].append((call.headers["X-Webhook-Event"], call.headers["X-Webhook-Id"]))
        for job in jobs:
            events = by_job[job["id"]]
            assert sorted(e for e, _ in events) == ["done", "running"]
            assert len({i for _, i in events}) == 2
        used = sum(status_of(a, job["id"])[1]["credits_used"] for job in jobs)
        assert admin(b, "GET", "/__admin/accounts/ops")["credits"] == pytest.approx(round(100 - used, 6))
        a.stop(signal.SIGKILL)
        for job in jobs:
            assert status_of(b, job["id"])[0] == 200
        restarted = servers(*args)
        b.stop(signal.SIGKILL)
        for job in jobs:
            assert status_of(restarted, job["id"])[0] == 200
        assert restarted.get(API)[0]["id"] == jobs[-1]["id"]


def test_every_family_and_the_admin_api_alternately_on_two_processes(
    redis_url: str, servers: Callable[..., Cli]
) -> None:
    args = shared(redis_url, "--timing", "manual", "--rate-limit", "1000/minute")
    a, b = servers(*args), servers(*args)
    sse = "/sse/text_generator/"
    # /api/ on one, /sse/ on the other: one store, two representations
    job = a.create()
    answer = requests.get(f"{b.url}{sse}{job['id']}/", headers=HEADERS, timeout=TIMEOUT)
    assert answer.status_code == 200 and answer.json()["response_function_calls"] == []
    made = requests.post(b.url + sse, json=valid_body(), headers=HEADERS, timeout=TIMEOUT).json()
    assert [j["id"] for j in a.get(API)] == [made["id"], job["id"]]
    # a sync call held open on one process is woken by an admin move on the other (the pub/sub bus)
    result: list[Any] = []
    waiter = threading.Thread(
        target=lambda: result.append(
            requests.post(a.url + sse, json=valid_body(sync=True), headers=HEADERS, timeout=30)
        )
    )
    waiter.start()
    pending = wait_until(lambda: len(b.get(API)) == 3 and b.get(API)[0], what="the sync call's job")
    admin(b, "POST", f"/__admin/jobs/{pending['id']}/advance", {"status": "done"})
    waiter.join(30)
    assert result and result[0].status_code == 201 and result[0].json()["status"] == "done"
    # the journal of either process shows every process's calls
    journal = admin(a, "GET", "/__admin/requests")
    assert {(e["method"], e["path"]) for e in journal} >= {("POST", sse), ("GET", f"{sse}{job['id']}/")}
    admin(a, "PUT", "/__admin/webhooks/faults", {"drop_rate": 0.5})
    knobs = wait_until(lambda: admin(b, "GET", "/__admin/webhooks/faults")["drop_rate"] == 0.5, what="faults")
    assert knobs  # webhook fault knobs set on one process are every process's
    # admin reads and moves on either process
    assert admin(a, "GET", f"/__admin/jobs/{made['id']}")["status"] == "pending"
    assert admin(b, "POST", f"/__admin/jobs/{made['id']}/advance", {})["status"] == "running"
    assert status_of(a, made["id"])[1]["status"] == "running"
    exported = admin(a, "GET", "/__admin/state")
    assert {j["id"] for j in exported["jobs"]} == {job["id"], made["id"], pending["id"]}
    before = admin(a, "GET", "/__admin/clock")
    admin(b, "POST", "/__admin/clock/advance", {"seconds": 3600})
    after = wait_until(
        lambda: admin(a, "GET", "/__admin/clock") != before and admin(a, "GET", "/__admin/clock")
    )
    assert after != before  # a clock move on one process moves every process's clock
    admin(a, "PUT", "/__admin/accounts/ops", {"credits": 0})
    refused = requests.post(b.url + API, json=valid_body(), headers=HEADERS, timeout=TIMEOUT)
    assert refused.status_code == 402  # a balance set on one process is the other's too
    admin(b, "DELETE", "/__admin/accounts/ops")
    rule = {"name": "busy", "match": {"times": 2}, "http": {"status": 503}}
    admin(a, "POST", "/__admin/scenarios", rule)  # added on one process: counted on both
    codes = wait_until(
        lambda: (
            requests.post(b.url + API, json=valid_body(), headers=HEADERS, timeout=TIMEOUT).status_code == 503
        ),
        what="the rule reaching the other process",
    )
    assert codes
    answers = [
        requests.post(c.url + API, json=valid_body(), headers=HEADERS, timeout=TIMEOUT) for c in (a, b)
    ]
    assert [r.status_code for r in answers] == [503, 201]
    assert admin(b, "GET", "/__admin/scenarios") == []  # used up everywhere
    admin(b, "POST", "/__admin/reset")
    assert status_of(a, job["id"])[0] == 404 and a.get(API) == []
    assert admin(a, "GET", "/__admin/accounts/ops")["credits"] is None
    fresh = b.create()
    assert a.get(API)[0]["id"] == fresh["id"]
    assert admin(a, "GET", "/__admin/health")["jobs"] == 1


def test_a_stream_on_one_process_ends_and_reads_done_on_the_other(
    redis_url: str, servers: Callable[..., Cli]
) -> None:
    args = shared(redis_url, "--pending-seconds", "0.1", "--running-seconds", "0.3")
    a, b = servers(*args), servers(*args)
    with requests.post(
        a.url + "/sse/text_generator/stream/", json=valid_body(), headers=HEADERS, timeout=30, stream=True
    ) as answer:
        assert answer.status_code == 200
        text = answer.text
    final = [line for line in text.splitlines() if line.startswith("data:")][-1]
    job_id = json.loads(final[len("data:") :])["creatify"]["id"]
    code, seen = status_of(b, job_id)
    assert code == 200 and seen["status"] == "done"


def test_kill_9_mid_delivery_hands_the_event_to_the_other_process_with_its_id(
    redis_url: str, servers: Callable[..., Cli]
) -> None:
    args = shared(redis_url, "--timing", "manual", "--webhook-timeout", "60")
    with Receiver(hold=60) as receiver:
        a, b = servers(*args), servers(*args)
        job = a.create(webhook_url=receiver.url())
        admin(b, "POST", f"/__admin/jobs/{job['id']}/advance", {})
        first = receiver.wait_for(1, timeout=15)[0]
        delivery_id = first.headers["X-Webhook-Id"]
        holder, survivor = (a, b) if delivering_pid(redis_url, args) == a.proc.pid else (b, a)
        holder.stop(signal.SIGKILL)  # mid-delivery: the receiver has not answered
        receiver.hold = 0
        receiver._release.set()
        admin(survivor, "POST", f"/__admin/jobs/{job['id']}/advance", {"status": "done"})
        calls = receiver.wait_for(3, timeout=40)  # running (again, from the survivor) and done
        again = [c for c in calls[1:] if c.headers["X-Webhook-Id"] == delivery_id]
        assert again and again[0].headers["X-Webhook-Attempt"] == "2"
        assert {c.headers["X-Webhook-Event"] for c in calls} == {"running", "done"}
        logged = settled_deliveries(survivor, 2)
        taken = next(e for e in logged if e["delivery_id"] == delivery_id)
        assert [a["attempt"] for a in taken["attempts"]][-1] == 2 and taken["state"] == "delivered"
        assert status_of(survivor, job["id"])[0] == 200


def test_the_shipped_contract_suite_passes_against_two_processes_behind_a_round_robin_proxy(
    redis_url: str, servers: Callable[..., Cli], tmp_path: Path
) -> None:
    keys = ("--api-key", "rr-id:rr-key", "--api-key", "rr-id-2:rr-key-2")
    args = shared(redis_url, "--pending-seconds", "0.05", "--running-seconds", "0.1", *keys)
    a, b = servers(*args), servers(*args)
    with RoundRobin([a.url, b.url]) as proxy:
        run = subprocess.run(
            [*SUITE, "--contract-base-url", proxy.url],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        assert min(proxy.counts) > 10  # both processes answered a real share of the suite


def test_a_held_stream_on_one_process_is_released_through_the_other(
    redis_url: str, servers: Callable[..., Cli]
) -> None:
    args = shared(redis_url, "--timing", "manual")
    a, b = servers(*args), servers(*args)
    lines: list[str] = []

    def read() -> None:
        with requests.post(
            a.url + "/sse/text_generator/stream/", json=valid_body(), headers=HEADERS, timeout=60, stream=True
        ) as answer:
            lines.extend(line for line in answer.iter_lines(decode_unicode=True) if line)

    reader = threading.Thread(target=read)
    reader.start()
    held = wait_until(
        lambda: admin(b, "GET", "/__admin/streams"), what="the stream seen on the other process"
    )
    assert held[0]["gated"] and held[0]["released"] == 0
    admin(b, "POST", f"/__admin/streams/{held[0]['job_id']}/release", {"chunks": 1})
    assert wait_until(lambda: admin(a, "GET", "/__admin/streams")[0]["sent"] >= 1, what="one chunk sent")
    admin(b, "POST", f"/__admin/streams/{held[0]['job_id']}/release")  # to its end
    reader.join(60)
    final = json.loads([line for line in lines if line.startswith("data:")][-1][len("data:") :])
    assert final["creatify"]["id"] == held[0]["job_id"] and final["creatify"]["status"] == "done"
    assert status_of(b, held[0]["job_id"])[1]["status"] == "done"
