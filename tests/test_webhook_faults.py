"""Deliberate webhook faults at the configured rates, the same with the same seed; the faults admin API."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import TIMEOUT, Client, valid_body
from .receiver import Receiver

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

BASE: dict[str, Any] = {
    "timing": "instant",
    "seed": 11,
    "webhook_backoff": 0.05,
    "webhook_allow_hosts": "127.0.0.1",
}
JOBS = 60


def run(receiver: Receiver, **faults: Any) -> list[dict[str, Any]]:
    """Create JOBS jobs with webhooks, finish them, return the settled delivery log."""
    with MockServer(**BASE, **faults) as mock:
        client = Client(mock)
        ids = [client.create(valid_body(webhook_url=receiver.url()))["id"] for _ in range(JOBS)]
        for job_id in ids:
            client.job(job_id)
        return mock.wait_for_webhooks(count=2 * JOBS, timeout=30)


def test_duplicates_at_the_rate_and_reproducible() -> None:
    with Receiver() as receiver:
        log = run(receiver, webhook_duplicate_rate=0.3)
        dup = [e["delivery_id"] for e in log if e["faults"]["duplicate"]]
        assert 0.15 * 2 * JOBS <= len(dup) <= 0.45 * 2 * JOBS
        calls = receiver.wait_for(2 * JOBS + len(dup))
        by_id: dict[str, int] = {}
        for call in calls:
            by_id[call.headers["X-Webhook-Id"]] = by_id.get(call.headers["X-Webhook-Id"], 0) + 1
        assert sorted(k for k, n in by_id.items() if n == 2) == sorted(dup)
        again = run(receiver, webhook_duplicate_rate=0.3)
    assert [e["faults"] for e in again] == [e["faults"] for e in log]
    assert [e["delivery_id"] for e in again] == [e["delivery_id"] for e in log]


def test_drops_at_the_rate_are_logged_and_never_sent() -> None:
    with Receiver() as receiver:
        log = run(receiver, webhook_drop_rate=0.25)
        dropped = [e for e in log if e["state"] == "dropped"]
        assert 0.1 * 2 * JOBS <= len(dropped) <= 0.4 * 2 * JOBS
        assert all(e["attempts"] == [] for e in dropped)
        sent = {c.headers["X-Webhook-Id"] for c in receiver.calls}
        assert sent.isdisjoint({e["delivery_id"] for e in dropped})
        assert len(sent) == 2 * JOBS - len(dropped)


def test_delays_within_the_range() -> None:
    with Receiver() as receiver:
        log = run(receiver, webhook_delay="0.05-0.2")
    delays = [e["faults"]["delay_seconds"] for e in log]
    assert all(0.05 <= d <= 0.2 for d in delays) and len(set(delays)) > 10


def test_reorder_sends_the_terminal_event_first() -> None:
    with Receiver() as receiver:
        log = run(receiver, webhook_reorder_rate=0.5)
        reordered = {e["job_id"] for e in log if e["faults"]["reordered"]}
        assert 0.25 * JOBS <= len(reordered) <= 0.75 * JOBS
        order: dict[str, list[str]] = {}
        for call in receiver.wait_for(2 * JOBS):
            order.setdefault(call.json()["id"], []).append(call.headers["X-Webhook-Event"])
    for job_id, events in order.items():
        assert events == (["done", "running"] if job_id in reordered else ["running", "done"])


def test_faults_are_settable_per_run_through_the_admin_api() -> None:
    with MockServer(**BASE) as mock, Receiver() as receiver:
        url = f"{mock.url}/__admin/webhooks/faults"
        assert requests.get(url, timeout=TIMEOUT).json() == {
            "duplicate_rate": 0.0,
            "delay": "0",
            "reorder_rate": 0.0,
            "drop_rate": 0.0,
        }
        changed = requests.put(url, json={"drop_rate": 1}, timeout=TIMEOUT)
        assert changed.status_code == 200 and changed.json()["drop_rate"] == 1
        client = Client(mock)
        job = client.create(valid_body(webhook_url=receiver.url()))
        client.job(job["id"])
        assert {e["state"] for e in mock.wait_for_webhooks(job["id"], count=2)} == {"dropped"}
        assert requests.put(url, json={"drop_rate": 2}, timeout=TIMEOUT).status_code == 400
        assert requests.put(url, json={"delay": "soon"}, timeout=TIMEOUT).status_code == 400
        assert requests.put(url, json={"delay": "2-1"}, timeout=TIMEOUT).status_code == 400
        assert requests.put(url, json={"colour": 1}, timeout=TIMEOUT).status_code == 400


@pytest.mark.parametrize(
    "bad", [{"webhook_drop_rate": 1.5}, {"webhook_delay": "x"}, {"webhook_events": "some"}]
)
def test_bad_fault_settings_are_refused(bad: dict[str, Any]) -> None:
    from mockserver.config import Settings, SettingsError

    with pytest.raises(SettingsError):
        Settings().with_overrides(bad)
