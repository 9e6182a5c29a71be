"""The webhook dispatcher on its own: ordering, retries, signatures and the log, with the HTTP post replaced by a
recorder (a unit test of this one module; the real-socket tests are in tests/test_webhooks.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.config import Settings
from mockserver.core.clock import FrozenClock
from mockserver.webhooks import dispatcher as module
from mockserver.webhooks.delivery import AttemptResult, verify
from mockserver.webhooks.dispatcher import Dispatcher

URL = "http://127.0.0.1:9/hook"


class Recorder:
    """Answers attempts from a script of statuses (then 200), and remembers what was sent."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []
        self.lock = threading.Lock()

    def __call__(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float, egress: Any = None
    ) -> AttemptResult:
        with self.lock:
            self.sent.append((url, body, dict(headers)))
            status = self.statuses.pop(0) if self.statuses else 200
        return AttemptResult(status, None, 1.0)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    monkeypatch.setattr(module, "post", rec)
    return rec


def make(**overrides: Any) -> Dispatcher:
    settings = Settings(seed=1, webhook_backoff=0.0, webhook_allow_hosts="127.0.0.1", **overrides)
    return Dispatcher(settings, FrozenClock(), "creatify-mock/test")


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    d = make(webhook_secret="s3cret")
    yield d
    d.close()


def view(status: str, job_id: str = "job-1") -> dict[str, Any]:
    return {"id": job_id, "status": status}


def test_events_of_a_job_are_sent_in_order_and_signed(dispatcher: Dispatcher, recorder: Recorder) -> None:
    for status in ("running", "done"):
        dispatcher.enqueue(URL, view(status))
    entries = dispatcher.log.wait("job-1", 2, timeout=10)
    assert [e["state"] for e in entries] == ["delivered", "delivered"]
    assert [b for _, b, _ in recorder.sent] == [
        b'{"id":"job-1","status":"running"}',
        b'{"id":"job-1","status":"done"}',
    ]
    for _, body, headers in recorder.sent:
        assert verify("s3cret", headers["X-Webhook-Timestamp"], body, headers["X-Webhook-Signature"])


def test_a_failing_receiver_is_retried_until_it_answers(recorder: Recorder) -> None:
    recorder.statuses = [500, 503]
    d = make()
    try:
        d.enqueue(URL, view("done"))
        (entry,) = d.log.wait("job-1", 1, timeout=10)
    finally:
        d.close()
    assert entry["state"] == "delivered"
    assert [a["status_code"] for a in entry["attempts"]] == [500, 503, 200]


def test_attempts_run_out_and_the_event_is_abandoned(recorder: Recorder) -> None:
    recorder.statuses = [500] * 10
    d = make(webhook_max_attempts=2)
    try:
        d.enqueue(URL, view("done"))
        (entry,) = d.log.wait("job-1", 1, timeout=10)
    finally:
        d.close()
    assert entry["state"] == "abandoned" and len(entry["attempts"]) == 2


def test_a_dropped_event_is_logged_and_never_sent(recorder: Recorder) -> None:
    d = make(webhook_drop_rate=1.0)
    try:
        d.enqueue(URL, view("done"))
        (entry,) = d.log.wait("job-1", 1, timeout=10)
    finally:
        d.close()
    assert entry["state"] == "dropped" and recorder.sent == []


def test_close_abandons_what_is_still_queued(recorder: Recorder) -> None:
    d = make(webhook_delay="60")
    d.enqueue(URL, view("done"))
    d.close()
    (entry,) = d.log.entries("job-1")
    assert entry["state"] == "abandoned" and "shut down" in entry["error"]
    assert recorder.sent == []
