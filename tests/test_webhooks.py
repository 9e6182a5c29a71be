"""Webhook delivery to a real receiver on 127.0.0.1: payloads, headers, retries, timeouts, order, the log."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mockserver.contract import schemas
from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, Client, valid_body
from .receiver import Receiver

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

FAST = {"webhook_backoff": 0.05, "webhook_timeout": 2.0, "webhook_allow_hosts": "127.0.0.1"}


@pytest.fixture
def mock_options() -> dict[str, Any]:
    return dict(FAST)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def hooked(receiver: Receiver, **fields: Any) -> dict[str, Any]:
    return valid_body(webhook_url=receiver.url(), **fields)


def test_running_and_done_events_carry_the_job_as_get_shows_it(
    client: Client, mock: MockServer, receiver: Receiver
) -> None:
    job = client.create(hooked(receiver))
    mock.advance_clock(1)
    (running,) = receiver.wait_for(1)
    assert running.json() == client.job(job["id"])
    assert running.json()["status"] == "running"
    mock.advance_clock(2)
    _, done = receiver.wait_for(2)
    assert done.json() == client.job(job["id"])
    assert done.json()["status"] == "done" and done.json()["response_text"]
    for call, event in ((running, "running"), (done, "done")):
        schemas.validate("webhook_payload", call.json())
        assert call.headers["Content-Type"] == "application/json"
        assert call.headers["User-Agent"].startswith("creatify-mock/")
        assert call.headers["X-Webhook-Event"] == event and call.headers["X-Webhook-Attempt"] == "1"
        assert call.path == "/hook"
    assert running.headers["X-Webhook-Id"] != done.headers["X-Webhook-Id"]
    log = mock.wait_for_webhooks(job["id"], count=2)
    assert [(e["event"], e["state"], e["payload"]) for e in log] == [
        ("running", "delivered", running.json()),
        ("done", "delivered", done.json()),
    ]


def test_failed_event(client: Client, mock: MockServer, receiver: Receiver) -> None:
    job = client.create(hooked(receiver, config={"temperature": 3.5}))
    mock.advance_clock(3)
    _, failed = receiver.wait_for(2)
    assert failed.json()["status"] == "failed" and failed.json()["failed_reason"]
    assert failed.json() == client.job(job["id"])


@pytest.mark.parametrize("mock_options", [{**FAST, "webhook_events": "terminal"}])
def test_terminal_only(client: Client, mock: MockServer, receiver: Receiver) -> None:
    job = client.create(hooked(receiver))
    mock.advance_clock(3)
    assert [e["event"] for e in mock.wait_for_webhooks(job["id"], count=1)] == ["done"]
    assert [c.headers["X-Webhook-Event"] for c in receiver.calls] == ["done"]


@pytest.mark.parametrize("mock_options", [{**FAST, "webhook_events": "terminal", "webhook_backoff": 0.1}])
def test_500_twice_then_200_is_three_attempts_with_growing_gaps(client: Client, mock: MockServer) -> None:
    with Receiver(statuses=[500, 500]) as flaky:
        job = client.create(hooked(flaky))
        mock.advance_clock(3)
        calls = flaky.wait_for(3)
        (entry,) = mock.wait_for_webhooks(job["id"], count=1)
    assert entry["state"] == "delivered"
    assert [a["status_code"] for a in entry["attempts"]] == [500, 500, 200]
    assert [a["next_retry_at"] is not None for a in entry["attempts"]] == [True, True, False]
    assert {c.headers["X-Webhook-Id"] for c in calls} == {entry["delivery_id"]}
    assert [c.headers["X-Webhook-Attempt"] for c in calls] == ["1", "2", "3"]
    first_gap, second_gap = calls[1].at - calls[0].at, calls[2].at - calls[1].at
    assert 0.1 <= first_gap < second_gap


@pytest.mark.parametrize(
    "mock_options",
    [{**FAST, "webhook_events": "terminal", "webhook_timeout": 0.2, "webhook_max_attempts": 2}],
)
def test_a_receiver_that_never_answers_times_out_and_is_retried(client: Client, mock: MockServer) -> None:
    with Receiver(hold=5.0) as silent:
        job = client.create(hooked(silent))
        mock.advance_clock(3)
        (entry,) = mock.wait_for_webhooks(job["id"], count=1)
        assert len(silent.wait_for(2)) == 2
    assert entry["state"] == "abandoned"
    assert [a["error"] for a in entry["attempts"]] == ["timeout after 0.2 s"] * 2


@pytest.mark.parametrize("mock_options", [{**FAST, "webhook_events": "terminal", "webhook_max_attempts": 3}])
def test_a_closed_port_is_retried_then_abandoned(client: Client, mock: MockServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    job = client.create(valid_body(webhook_url=f"http://127.0.0.1:{port}/hook"))
    mock.advance_clock(3)
    (entry,) = mock.wait_for_webhooks(job["id"], count=1)
    assert entry["state"] == "abandoned" and len(entry["attempts"]) == 3
    assert all("ConnectionRefused" in a["error"] for a in entry["attempts"])
    listed = requests.get(
        f"{mock.url}/__admin/webhooks", params={"job_id": job["id"]}, timeout=TIMEOUT
    ).json()
    assert listed == [entry]


@pytest.mark.parametrize("mock_options", [{**FAST, "timing": "instant"}])
def test_done_waits_while_running_is_retried(client: Client, mock: MockServer) -> None:
    with Receiver(statuses=[503, 503]) as flaky:
        job = client.create(hooked(flaky))
        client.job(job["id"])  # instant: both transitions now
        calls = flaky.wait_for(4)
        mock.wait_for_webhooks(job["id"], count=2)
    assert [c.headers["X-Webhook-Event"] for c in calls] == ["running", "running", "running", "done"]


@pytest.mark.parametrize("mock_options", [{**FAST, "webhook_secret": "whsec-test"}])
def test_signature_verifies_and_a_tampered_body_does_not(
    client: Client, mock: MockServer, receiver: Receiver
) -> None:
    from .docs_examples import example

    namespace: dict[str, Any] = {}
    exec(compile(example("verify-signature"), "docs/reference/webhooks.md", "exec"), namespace)
    verify = namespace["verify_creatify_mock_webhook"]
    client.create(hooked(receiver))
    mock.advance_clock(1)
    (call,) = receiver.wait_for(1)
    assert verify("whsec-test", call.headers, call.body)
    assert not verify("whsec-test", call.headers, call.body.replace(b"running", b"done"))
    assert not verify("other-secret", call.headers, call.body)


def test_api_calls_never_wait_on_deliveries(mock: MockServer, client: Client) -> None:
    with Receiver(hold=10.0) as slow:
        job = client.create(hooked(slow))
        mock.advance_clock(1)
        slow.wait_in_flight()
        assert client.post(json=valid_body()).status_code == 201
        assert client.get(f"{API}{job['id']}/").status_code == 200
        assert slow.in_flight == 1  # the delivery is still held open by the receiver


@pytest.mark.parametrize(
    "mock_options", [{**FAST, "timing": "instant", "webhook_workers": 100, "webhook_timeout": 5.0}]
)
def test_200_jobs_to_a_receiver_that_sleeps_1s_all_delivered(mock: MockServer, client: Client) -> None:
    with Receiver(hold=1.0) as slow:
        ids = [client.create(hooked(slow))["id"] for _ in range(200)]
        for job_id in ids:
            client.job(job_id)
        log = mock.wait_for_webhooks(count=400, timeout=60)
        calls = slow.wait_for(400, timeout=10)
    assert all(e["state"] == "delivered" and len(e["attempts"]) == 1 for e in log)
    assert sorted((c.json()["id"], c.headers["X-Webhook-Event"]) for c in calls) == sorted(
        (i, s) for i in ids for s in ("running", "done")
    )


def test_redeliver_and_reset_through_the_admin_api(
    client: Client, mock: MockServer, receiver: Receiver
) -> None:
    job = client.create(hooked(receiver))
    mock.advance_clock(1)
    (entry,) = mock.wait_for_webhooks(job["id"], count=1)
    response = requests.post(
        f"{mock.url}/__admin/webhooks/{entry['delivery_id']}/redeliver", json={}, timeout=TIMEOUT
    )
    assert response.status_code == 202
    first, again = receiver.wait_for(2)
    assert again.headers["X-Webhook-Id"] == first.headers["X-Webhook-Id"] and again.body == first.body
    assert again.headers["X-Webhook-Attempt"] == "2"
    assert (
        requests.post(f"{mock.url}/__admin/webhooks/nope/redeliver", json={}, timeout=TIMEOUT).status_code
        == 404
    )
    assert requests.post(f"{mock.url}/__admin/webhooks/reset", json={}, timeout=TIMEOUT).json() == {
        "reset": True
    }
    assert requests.get(f"{mock.url}/__admin/webhooks", timeout=TIMEOUT).json() == []


@pytest.mark.parametrize("mock_options", [{**FAST, "webhook_allow_hosts": "localhost"}])
def test_hosts_outside_the_allow_list_are_never_called(
    client: Client, mock: MockServer, receiver: Receiver
) -> None:
    job = client.create(hooked(receiver))
    mock.advance_clock(1)
    (entry,) = mock.wait_for_webhooks(job["id"], count=1)
    assert entry["state"] == "abandoned" and "allow-hosts" in entry["attempts"][0]["error"]
    assert len(entry["attempts"]) == 1  # no retry can help: abandoned at once
    assert receiver.calls == []


def test_pending_deliveries_are_logged_abandoned_at_shutdown(receiver: Receiver) -> None:
    with Receiver(default=500) as failing:
        mock = MockServer(timing="instant", webhook_backoff=30, webhook_allow_hosts="127.0.0.1").start()
        try:
            client = Client(mock)
            job = client.create(hooked(failing))
            client.job(job["id"])
            failing.wait_for(1)
        finally:
            mock.stop()
    states = {e["event"]: (e["state"], e.get("error")) for e in mock.webhooks(job["id"])}
    assert states["running"][0] == "abandoned" and "shut down" in str(states["running"][1])
    assert states["done"][0] == "abandoned"


def test_a_job_nobody_polls_still_sends_its_events(receiver: Receiver) -> None:
    with MockServer(pending_seconds=0.05, running_seconds=0.05, webhook_allow_hosts="127.0.0.1") as mock:
        Client(mock).create(hooked(receiver))
        calls = receiver.wait_for(2)
    assert [c.json()["status"] for c in calls] == ["running", "done"]


def test_reset_while_a_delivery_is_out_then_the_same_seeded_job_again() -> None:
    options: dict[str, Any] = {
        "timing": "instant",
        "seed": 3,
        "webhook_allow_hosts": "127.0.0.1",
        "webhook_events": "terminal",
    }
    with Receiver(hold=0.5) as slow, MockServer(**options) as mock:
        client = Client(mock)
        first = client.create(hooked(slow))
        client.job(first["id"])
        slow.wait_in_flight()
        mock.reset()
        again = client.create(hooked(slow))
        assert again["id"] == first["id"]  # seeded: the same id after a reset
        client.job(again["id"])
        (entry,) = mock.wait_for_webhooks(again["id"], count=1, timeout=10)
    assert entry["state"] == "delivered" and [a["attempt"] for a in entry["attempts"]] == [1]


def test_a_delivery_acknowledged_during_shutdown_is_logged_delivered() -> None:
    with Receiver(hold=0.3) as slow:
        mock = MockServer(
            timing="instant", webhook_allow_hosts="127.0.0.1", webhook_events="terminal"
        ).start()
        client = Client(mock)
        job = client.create(hooked(slow))
        client.job(job["id"])
        slow.wait_in_flight()
        mock.stop(timeout=5)
        slow.wait_for(1)
        (entry,) = mock.wait_for_webhooks(job["id"], count=1, timeout=10)
    assert entry["state"] == "delivered" and entry["attempts"][0]["status_code"] == 200


@pytest.mark.parametrize("mock_options", [{**FAST, "timing": "instant", "webhook_drop_rate": 1.0, "seed": 1}])
def test_redelivering_a_dropped_event_sends_it(client: Client, mock: MockServer, receiver: Receiver) -> None:
    job = client.create(hooked(receiver))
    client.job(job["id"])
    entries = mock.wait_for_webhooks(job["id"], count=2)
    assert {e["state"] for e in entries} == {"dropped"}
    requests.post(
        f"{mock.url}/__admin/webhooks/{entries[0]['delivery_id']}/redeliver", json={}, timeout=TIMEOUT
    )
    (call,) = receiver.wait_for(1)
    assert call.headers["X-Webhook-Id"] == entries[0]["delivery_id"]
    assert mock.wait_for_webhooks(job["id"], count=2)[0]["state"] == "delivered"


@pytest.mark.parametrize(
    "mock_options",
    [
        {
            **FAST,
            "timing": "instant",
            "webhook_queue_size": 1,
            "webhook_log_size": 3,
            "webhook_events": "terminal",
        }
    ],
)
def test_queue_and_log_are_bounded(client: Client, mock: MockServer) -> None:
    with Receiver(hold=0.5) as slow:
        ids = [client.create(hooked(slow))["id"] for _ in range(4)]
        for job_id in ids:
            client.job(job_id)
        log = mock.wait_for_webhooks(timeout=10)
    assert len(log) == 3  # the log keeps three entries
    assert any(e["error"] == "webhook queue full (--webhook-queue-size)" for e in log)
