"""A scenario's ``latency`` waits on the server's event loop, holding no thread: calls waiting out a long latency
(more of them than ``--threads``) leave every other call, of any account and of the admin API, answered at once.
The delayed call itself is answered as before: after its wait, once in the journal, its rate budget spent once."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body, wait_until

SLOW = {"X-API-ID": "slow", "X-API-KEY": "k"}
OTHER = {"X-API-ID": "other", "X-API-KEY": "k"}


def applied(mock: MockServer, name: str) -> int:
    return int(next(r["applied"] for r in mock.rules() if r["id"] == name))


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer(timing="manual", threads=2) as server:
        yield server


def send_create(mock: MockServer) -> socket.socket:
    """A create of the slow account, sent and left waiting for its answer (the socket is the caller's to close)."""
    data = json.dumps(valid_body()).encode()
    head = (
        f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-API-ID: slow\r\nX-API-KEY: k\r\nContent-Length: {len(data)}\r\n\r\n"
    ).encode()
    host, port = mock.url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=TIMEOUT)
    sock.sendall(head + data)
    return sock


def closed_unanswered(sock: socket.socket) -> bool:
    """The server closed (or reset) the connection without a byte of answer (the socket's timeout bounds it)."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_calls_waiting_out_a_latency_hold_no_thread(mock: MockServer) -> None:
    """With 2 threads, six creates waiting out 30 s held both (the other four queued behind them): another
    account's list and the admin API waited 30 s too. Now both answer while the six still wait."""
    mock.add_rule({"name": "slow", "match": {"api_id": "slow", "operation": "create"}, "latency": 30})
    waiting = [send_create(mock) for _ in range(6)]
    try:
        assert wait_until(lambda: applied(mock, "slow") >= 2)
        listed = requests.get(mock.url + API, headers=OTHER, timeout=TIMEOUT)
        assert listed.status_code == 200 and listed.json() == []
        state = requests.get(mock.url + "/__admin/requests", timeout=TIMEOUT)
        assert state.status_code == 200
        assert wait_until(lambda: applied(mock, "slow") == 6)  # all six taken, none answered yet
        assert mock.jobs() == []
    finally:
        for sock in waiting:
            sock.close()


def test_a_delayed_call_is_answered_after_its_wait_once_in_the_journal(mock: MockServer) -> None:
    mock.add_rule({"name": "slow", "match": {"api_id": "slow", "operation": "create"}, "latency": 0.3})
    started = time.monotonic()
    created = requests.post(mock.url + API, json=valid_body(), headers=SLOW, timeout=TIMEOUT)
    assert created.status_code == 201 and time.monotonic() - started >= 0.3
    assert [j["id"] for j in mock.jobs()] == [created.json()["id"]]
    entries = requests.get(mock.url + "/__admin/requests", timeout=TIMEOUT).json()
    assert [(e["method"], e["status"], e["rule"]) for e in entries] == [("POST", 201, "slow")]
    assert entries[0]["job_id"] == created.json()["id"] and entries[0]["duration_ms"] >= 300
    assert applied(mock, "slow") == 1


def test_a_delayed_call_spends_its_rate_budget_once() -> None:
    with MockServer(timing="manual", rate_limit="2/minute") as mock:
        mock.add_rule({"name": "slow", "match": {"api_id": "slow", "operation": "create"}, "latency": 0.05})
        answers = [
            requests.post(mock.url + API, json=valid_body(), headers=SLOW, timeout=TIMEOUT) for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [201, 201, 429]


def test_a_delayed_stream_waits_then_streams() -> None:
    with MockServer(timing="instant") as mock:
        mock.add_rule({"name": "slow", "match": {"family": "sse", "operation": "create"}, "latency": 0.2})
        body = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]}
        started = time.monotonic()
        with requests.post(
            mock.url + "/sse/text_generator/stream/", json=body, headers=SLOW, stream=True, timeout=TIMEOUT
        ) as answer:
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            text = answer.text
        assert time.monotonic() - started >= 0.2 and "data:" in text
        assert applied(mock, "slow") == 1


def test_stopping_the_mock_while_calls_wait_out_a_latency_ends_them_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    with MockServer(timing="manual") as mock:
        mock.add_rule({"name": "slow", "match": {"operation": "create"}, "latency": 30})
        waiting = [send_create(mock) for _ in range(3)]
        try:
            assert wait_until(lambda: applied(mock, "slow") == 3)
            mock.stop()
            assert all(closed_unanswered(sock) for sock in waiting)  # at once, not after 30 s
        finally:
            for sock in waiting:
                sock.close()
    assert mock.jobs() == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def test_a_rule_retired_by_its_own_call_still_answers_that_call_after_the_wait() -> None:
    """``times: 1`` retires the rule as its call takes it: the run after the wait found no rule active, went to
    the fast path, created a job (201, not the rule's 503) and spent the rate budget a second time."""
    with MockServer(timing="manual", rate_limit="2/minute") as mock:
        mock.add_rule({"match": {"operation": "create", "times": 1}, "latency": 0.2, "http": {"status": 503}})
        first = requests.post(mock.url + API, json=valid_body(), headers=SLOW, timeout=TIMEOUT)
        assert first.status_code == 503 and mock.jobs() == []
        second = requests.post(mock.url + API, json=valid_body(), headers=SLOW, timeout=TIMEOUT)
        assert second.status_code == 201  # the first call spent one unit of the budget of two, not two


def test_the_run_after_the_wait_does_not_check_the_balance_again() -> None:
    """The call was admitted when it came (credits checked then), as before the wait moved to the loop."""
    with MockServer(timing="manual") as mock:
        mock.add_rule(
            {"match": {"operation": "create"}, "latency": 1.0, "http": {"status": 503}}
        )  # credits set well within it
        waiting = send_create(mock)
        try:
            assert wait_until(lambda: applied(mock, mock.rules()[0]["id"]) == 1)
            mock.set_credits("slow", 0)
            answer = waiting.recv(4096)
            assert answer.startswith(b"HTTP/1.1 503"), answer[:100]
        finally:
            waiting.close()
