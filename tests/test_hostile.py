"""Hostile input over real sockets: each gets a JSON error or a closed connection in bounded time, and the
server keeps answering everyone else. (Malformed JSON bodies and the plain size limit are in test_errors.py.)"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, Client, valid_body

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

LIMIT = 16384
WAIT = 10.0  # seconds any single hostile exchange may take


@pytest.fixture(scope="module")
def live() -> Iterator[MockServer]:
    options: dict[str, Any] = {"max_body_bytes": LIMIT, "webhook_allow_hosts": "127.0.0.1"}
    with MockServer(timing="instant", **options) as mock:
        yield mock


def address(mock: MockServer) -> tuple[str, int]:
    host, port = mock.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def exchange(mock: MockServer, raw: bytes, wait: float = WAIT) -> bytes:
    """Send raw bytes, read until the server closes or ``wait`` passes; returns what came back."""
    deadline = time.monotonic() + wait
    chunks: list[bytes] = []
    with socket.create_connection(address(mock), timeout=wait) as sock:
        with contextlib.suppress(OSError):  # the server may answer and close before it has read everything
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if answered(b"".join(chunks)):  # a kept-alive connection would only idle from here on
                break
    return b"".join(chunks)


def answered(reply: bytes) -> bool:
    """One whole response (head and ``Content-Length`` bytes of body) has arrived."""
    head, sep, body = reply.partition(b"\r\n\r\n")
    lengths = [
        line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    ]
    return bool(sep and lengths) and len(body) >= int(lengths[0])


def json_error(reply: bytes) -> tuple[int, dict[str, object]]:
    """(status, JSON body) of the first response in ``reply``."""
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"content-type: application/json" in head.lower(), head
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        len(body),
    )
    return status, json.loads(body[:length])


def post_raw(body: bytes, extra: bytes = b"") -> bytes:
    return (
        b"POST " + API.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-API-ID: a\r\nX-API-KEY: b\r\nConnection: close\r\n"
        + extra
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


def still_serving(mock: MockServer) -> None:
    assert Client(mock).post(json=valid_body()).status_code == 201


def padded(size: int) -> bytes:
    """A valid create body of exactly ``size`` bytes."""
    base = json.dumps(valid_body(system_instruction="")).encode()
    pad = size - len(base)
    return json.dumps(valid_body(system_instruction="x" * pad)).encode()


def test_a_body_exactly_at_the_limit_is_accepted_and_one_byte_more_is_413(live: MockServer) -> None:
    client = Client(live)
    headers = {"Content-Type": "application/json"}
    assert len(padded(LIMIT)) == LIMIT
    assert client.post(data=padded(LIMIT), headers=headers).status_code == 201
    response = client.post(data=padded(LIMIT + 1), headers=headers)
    assert response.status_code == 413 and "limit" in response.json()["detail"]


def test_a_body_far_over_the_limit_is_refused_by_the_server_in_json(live: MockServer) -> None:
    status, body = json_error(exchange(live, post_raw(b"[" + b"1," * (LIMIT * 40) + b"1]")))
    assert status == 413 and body["detail"]
    still_serving(live)


def test_a_chunked_body_over_the_limit_is_413(live: MockServer) -> None:
    chunk = b"x" * 1000
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(LIMIT // 1000 + 2)) + b"0\r\n\r\n"
    raw = (
        b"POST " + API.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"X-API-ID: a\r\nX-API-KEY: b\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks
    )
    status, _ = json_error(exchange(live, raw))
    assert status == 413
    still_serving(live)


@pytest.mark.parametrize(
    "body",
    [
        b'{"model_name":"m","messages":[{"role":"user"}],"config":' + b'{"a":' * 1000 + b"1" + b"}" * 1001,
        b'{"model_name":"m","messages":' + b"[" * 1500 + b"]" * 1500 + b"}",
    ],
    ids=["deep-object", "deep-array"],
)
def test_deep_nesting_inside_a_field_is_a_parse_error(live: MockServer, body: bytes) -> None:
    status, reply = json_error(exchange(live, post_raw(body)))
    assert status == 400 and str(reply["detail"]).startswith("JSON parse error - ")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("config", b'{"max_output_tokens": 1' + b"0" * 400 + b"}"),
        ("config", b'{"temperature": 1' + b"0" * 300 + b".5}"),
        ("config", b'{"seed": -' + b"9" * 4000 + b"}"),
        ("config", b'{"top_k": ' + b"9" * 5000 + b"}"),
        ("config", b'{"temperature": 1e999}'),
        ("model_name", b"1" + b"0" * 4500),
    ],
    ids=["int-400-digits", "float-300-digits", "int-4000-digits", "int-5000-digits", "1e999", "name-as-int"],
)
def test_huge_numbers_get_an_answer_not_a_crash(live: MockServer, field: str, value: bytes) -> None:
    body = b'{"model_name":"m","messages":[{"role":"user"}],"' + field.encode() + b'":' + value + b"}"
    if field == "model_name":
        body = b'{"messages":[{"role":"user"}],"model_name":' + value + b"}"
    status, reply = json_error(exchange(live, post_raw(body)))
    assert status in (201, 400), reply
    still_serving(live)


def test_nul_characters_in_strings_are_kept_and_escaped(live: MockServer) -> None:
    client = Client(live)
    job = client.create(valid_body(model_name="m\u0000x", messages=[{"role": "user", "content": "a\u0000b"}]))
    assert client.job(job["id"])["messages"][0]["content"] == "a\u0000b"


@pytest.mark.parametrize(
    "raw",
    [
        b"GET " + API.encode() + b" HTTP/1.1\r\nHost: x\r\nX-API-ID: a\x00b\r\nX-API-KEY: b\r\n\r\n",
        b"GET /\x00/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\xff\xfe\x00 garbage \r\n\r\n",
        b"GET " + API.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 300_000 + b"\r\n\r\n",
        b"POST " + API.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST " + API.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
    ],
    ids=[
        "nul-in-header",
        "nul-in-path",
        "binary-request-line",
        "header-300kb",
        "negative-length",
        "huge-length",
    ],
)
def test_broken_http_is_a_json_error_or_a_closed_connection(live: MockServer, raw: bytes) -> None:
    started = time.monotonic()
    reply = exchange(live, raw)
    assert time.monotonic() - started < WAIT
    if reply:
        status, _ = json_error(reply)
        assert 400 <= status < 500
    still_serving(live)


def test_a_million_item_messages_list_within_a_raised_limit_is_answered(live: MockServer) -> None:
    body = b'{"model_name":"m","messages":[' + b",".join([b'{"role":"user"}'] * 1_000_000) + b"]}"
    with live.with_settings(
        max_body_bytes=len(body) + 1,
        max_messages=1_000_000,
        max_container_items=1_000_000,
        webhook_allow_hosts="127.0.0.1",
    ) as big:
        headers = {**big.headers, "Content-Type": "application/json"}
        # plain requests: the conftest client would validate a million items against the schema
        response = requests.post(big.url + API, data=body, headers=headers, timeout=60)
        assert response.status_code == 201
        assert response.content.count(b'"role"') == 1_000_000
        still_serving(big)


@pytest.mark.serial  # a 2 s bound: alone
def test_slow_drip_clients_do_not_starve_the_others(live: MockServer) -> None:
    """Slowloris: many connections each sending a byte now and then; a normal client is still served at once."""
    request = post_raw(json.dumps(valid_body()).encode())
    drips = [socket.create_connection(address(live), timeout=WAIT) for _ in range(50)]
    try:
        for position in range(20):
            for sock in drips:
                sock.sendall(request[position : position + 1])
            started = time.monotonic()
            still_serving(live)
            assert time.monotonic() - started < 2.0
            time.sleep(0.02)
    finally:
        for sock in drips:
            sock.close()
    still_serving(live)


@pytest.mark.parametrize("path", ["//api/text_generator/", "///api/text_generator/"])
def test_extra_leading_slashes_still_need_credentials(live: MockServer, path: str) -> None:
    """werkzeug routes ``//api/...`` like ``/api/...``: authentication must see it the same way."""
    raw = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    reply = exchange(live, raw)
    status, body = json_error(reply)
    assert status == 401 and body == {"detail": "Authentication credentials were not provided."}


def test_extra_leading_slashes_in_path_info_still_need_credentials() -> None:
    """Behind a server that passes ``//api/...`` through as PATH_INFO, werkzeug still routes it to the API view:
    it was answered without authentication (a 500, no account) before the check normalised the path the same way."""
    from mockserver import create_app
    from mockserver.config.settings import Settings

    app = create_app(Settings(log_requests=False))
    for path in ("//api/text_generator/", "///api/text_generator/"):
        response = app.test_client().get(path, environ_overrides={"PATH_INFO": path})
        assert response.status_code == 401, (path, response.get_data())


@pytest.mark.parametrize(
    "pattern",
    ["(?a)(?u)", "a{4294967296}", "(" * 3000 + ")" * 3000],  # ValueError, OverflowError, RecursionError
)
def test_a_regex_python_cannot_compile_is_a_json_400_not_a_500(live: MockServer, pattern: str) -> None:
    """A declaration's ``pattern`` is checked as a regex (format ``regex``): these three made ``re.compile``
    raise something other than ``re.error``, which escaped as a 500."""
    tools = [{"function_declarations": [{"name": "f", "parameters": {"type": "STRING", "pattern": pattern}}]}]
    for path in ("/sse/text_generator/", "/sse/text_generator/stream/"):
        answer = requests.post(
            live.url + path, json=valid_body(tools=tools), headers=live.headers, timeout=WAIT
        )
        assert answer.status_code == 400, (path, answer.text[:200])
        assert answer.json()["error"].startswith("Invalid request body: "), answer.text[:200]
