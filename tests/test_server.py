"""The one server at the socket level: malformed framing refused, slow clients timed out while others are
served, and a client that leaves a stream or a sync wait releases it (``docs/server.md``).

Raw sockets to a real server on 127.0.0.1; every wait is bounded, nothing asserts on durations.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator, Mapping

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, Client, valid_body

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

TIMEOUT = 1.0  # the server's header and body timeouts in this module, seconds
WAIT = 15.0  # the most any exchange or condition below is waited for
SSE_BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Write a long story"}]}
SSE = "/sse/text_generator/"


@pytest.fixture(scope="module")
def live() -> Iterator[MockServer]:
    with MockServer(timing="manual", header_timeout=TIMEOUT, body_timeout=TIMEOUT) as mock:
        yield mock


def connect(mock: MockServer) -> socket.socket:
    host, port = mock.url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=WAIT)


def exchange(mock: MockServer, raw: bytes) -> tuple[bytes, bool]:
    """Send ``raw``; read until the server closes (or ``WAIT`` passes). Returns what came back and whether the
    server closed the connection."""
    deadline = time.monotonic() + WAIT
    chunks: list[bytes] = []
    with connect(mock) as sock:
        sock.sendall(raw)
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                return b"".join(chunks), False
            except ConnectionResetError:
                return b"".join(chunks), True
            if not chunk:
                return b"".join(chunks), True
            chunks.append(chunk)
    return b"".join(chunks), False


def head(method: str, path: str, version: bytes = b"HTTP/1.1", eol: bytes = b"\r\n") -> bytes:
    lines = [f"{method} {path} ".encode() + version, b"Host: 127.0.0.1", b"X-API-ID: a", b"X-API-KEY: b"]
    return eol.join(lines) + eol


def refused_or_closed(reply: bytes, closed: bool) -> None:
    """A 400 in JSON (when the server could read enough to answer), and the connection closed either way."""
    assert closed, reply
    if reply:
        status_line, _, rest = reply.partition(b"\r\n")
        assert status_line.startswith(b"HTTP/1.1 400 "), reply
        headers, _, body = rest.partition(b"\r\n\r\n")
        assert b"content-type: application/json" in headers.lower(), reply
        assert "Malformed HTTP request" in json.loads(body)["detail"]


def test_bare_lf_line_ends_are_a_json_400(live: MockServer) -> None:
    reply, closed = exchange(live, head("GET", API, eol=b"\n") + b"\n")
    assert reply.startswith(b"HTTP/1.1 400 ")
    refused_or_closed(reply, closed)


def test_http_9_9_is_a_json_400(live: MockServer) -> None:
    reply, closed = exchange(live, head("GET", API, version=b"HTTP/9.9") + b"\r\n")
    assert reply.startswith(b"HTTP/1.1 400 ")
    refused_or_closed(reply, closed)


def test_content_length_beside_transfer_encoding_is_a_json_400_and_no_smuggled_request(
    live: MockServer,
) -> None:
    smuggled = b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n"
    raw = (
        head("POST", API)
        + b"Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        + smuggled
    )
    reply, closed = exchange(live, raw)
    assert reply.startswith(b"HTTP/1.1 400 ") and reply.count(b"HTTP/1.1 ") == 1, reply
    refused_or_closed(reply, closed)


@pytest.mark.parametrize("size", [b"ffffffffffffffff", b"10000000000000000"])
def test_a_chunk_size_of_2_64_is_refused_or_closed_within_the_body_timeout(
    live: MockServer, size: bytes
) -> None:
    raw = head("POST", API) + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size
    reply, closed = exchange(live, raw + b"\r\n{}")
    refused_or_closed(reply, closed)
    assert Client(live).get().status_code == 200


def test_a_slow_header_socket_is_closed_while_others_are_served(live: MockServer) -> None:
    with connect(live) as slow:
        slow.sendall(b"GET " + API.encode() + b" HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        assert Client(live).get().status_code == 200  # served meanwhile
        slow.settimeout(WAIT)
        assert slow.recv(65536) == b""  # closed by the server (after the header timeout), unanswered


def test_a_slow_body_is_closed(live: MockServer) -> None:
    raw = head("POST", API) + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    reply, closed = exchange(live, raw)
    assert closed and reply == b""


def wait_until(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def open_streams(mock: MockServer) -> list[dict[str, object]]:
    answer = requests.get(mock.url + "/__admin/streams", timeout=WAIT)
    return list(answer.json())


def send_and_leave(mock: MockServer, path: str, body: Mapping[str, object], held: Callable[[], bool]) -> None:
    """Send a call that the mock holds (manual timing), wait until it is held, then drop the connection."""
    data = json.dumps(body).encode()
    raw = head("POST", path) + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(data)
    with connect(mock) as sock:
        sock.sendall(raw + data)
        assert wait_until(held)


def test_a_client_that_leaves_a_held_stream_releases_it_and_the_job_goes_on(live: MockServer) -> None:
    before = {s["job_id"] for s in open_streams(live)}

    def held() -> bool:
        return len(open_streams(live)) > len(before)

    send_and_leave(live, SSE + "stream/", SSE_BODY, held)
    assert wait_until(lambda: not held())
    jobs = requests.get(live.url + "/__admin/jobs", timeout=WAIT).json()
    assert jobs and jobs[0]["status"] == "pending"  # newest first: the job stays, waiting for its admin move


def test_a_client_that_leaves_a_sync_call_releases_its_waiter(live: MockServer) -> None:
    waiters = live.service.waiters
    before = len(waiters)
    send_and_leave(live, SSE, {**SSE_BODY, "sync": True}, lambda: len(waiters) > before)
    assert wait_until(lambda: len(waiters) == before)


def test_a_sync_call_is_answered_when_its_job_ends(live: MockServer) -> None:
    waiters = live.service.waiters
    before = len(waiters)
    data = json.dumps({**SSE_BODY, "sync": True}).encode()
    raw = head("POST", SSE) + b"Content-Type: application/json\r\nConnection: close\r\n"
    with connect(live) as sock:
        sock.sendall(raw + b"Content-Length: %d\r\n\r\n" % len(data) + data)
        assert wait_until(lambda: len(waiters) > before)
        job_id = requests.get(live.url + "/__admin/jobs", timeout=WAIT).json()[0]["id"]  # newest first
        live.advance(job_id, "done")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 201 ")
    assert json.loads(reply.partition(b"\r\n\r\n")[2])["status"] == "done"


def test_still_serving_after_all_that(live: MockServer) -> None:
    assert Client(live).post(json=valid_body()).status_code == 201
