"""The kit's client, budget and webhook receiver, against scripted servers on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import pytest
import requests

from contract_tests.checks import ContractViolation
from contract_tests.client import Budget, ContractClient
from contract_tests.receiver import WebhookReceiver
from mockserver.contract.schemas import data_dir

PENDING: dict[str, Any] = json.loads((data_dir("fixtures") / "responses" / "job_pending.json").read_text())


class Scripted:
    """Answers each request with the next (status, headers, body) of ``script``; records what it got."""

    def __init__(self, script: list[tuple[int, dict[str, str], Any]]) -> None:
        self.script, self.seen = list(script), []  # type: ignore[var-annotated]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.seen.append((self.command, self.path, dict(self.headers), raw))
                status, headers, body = outer.script.pop(0)
                payload = json.dumps(body).encode()
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def scripted() -> Iterator[type[Scripted]]:
    servers: list[Scripted] = []

    class Tracked(Scripted):
        def __init__(self, script: list[tuple[int, dict[str, str], Any]]) -> None:
            super().__init__(script)
            servers.append(self)

    yield Tracked
    for server in servers:
        server.close()


def body_of(job: dict[str, Any]) -> dict[str, Any]:
    return {"model_name": job["model_name"], "messages": job["messages"]}


def test_create_sends_credentials_and_checks_the_answer(scripted: type[Scripted]) -> None:
    server = scripted([(201, {}, PENDING)])
    client = ContractClient(server.url, "id-1", "key-1")
    assert client.create(body_of(PENDING))["id"] == PENDING["id"]
    method, path, headers, _ = server.seen[0]
    assert (method, path, headers["X-API-ID"], headers["X-API-KEY"]) == (
        "POST",
        "/api/text_generator/",
        "id-1",
        "key-1",
    )
    client.close()


def test_429_is_waited_out_for_its_retry_after(scripted: type[Scripted]) -> None:
    server = scripted([(429, {"Retry-After": "0.2"}, {"detail": "slow down"}), (201, {}, PENDING)])
    client = ContractClient(server.url, "id", "key")
    started = time.monotonic()
    client.create(body_of(PENDING))
    assert time.monotonic() - started >= 0.2 and len(server.seen) == 2
    assert client.report.to_json()["observations"]["rate_limit_429"][0]["retry_after"] == "0.2"
    client.close()


def test_a_wrong_answer_raises_a_violation_quoting_the_request(scripted: type[Scripted]) -> None:
    server = scripted([(200, {}, PENDING)])
    client = ContractClient(server.url, "id", "key")
    with pytest.raises(ContractViolation, match=r"expected 201 for create; got 200\n    caused by: POST"):
        client.create(body_of(PENDING))
    client.close()


def test_budget_skips_when_spent_and_charges_unplanned_jobs() -> None:
    budget = Budget(1)
    budget.take()
    with pytest.raises(pytest.skip.Exception, match="budget exhausted"):
        budget.take()
    budget.charge()
    assert budget.used == 2 and budget.remaining == 0
    assert Budget(None).remaining is None


def test_receiver_keeps_each_jobs_events_apart_and_waits_with_a_timeout() -> None:
    with WebhookReceiver() as receiver:
        first, second = receiver.url_for(), receiver.url_for()
        assert first != second and first.startswith("http://127.0.0.1:")
        requests.post(first, json={"id": "a", "status": "running"}, timeout=5)
        requests.post(first, json={"id": "a", "status": "done"}, timeout=5)
        events = receiver.wait(first, until_terminal=True, timeout=5)
        assert [e.body["status"] for e in events] == ["running", "done"]
        assert events[0].headers["Content-Type"] == "application/json"
        started = time.monotonic()
        assert receiver.wait(second, until_terminal=False, timeout=0.2) == []
        assert 0.2 <= time.monotonic() - started < 2
