"""The recording proxy: a WSGI app that forwards API calls to ONE target and writes down every exchange.

Never an open proxy: the target is fixed at startup (the Host header and absolute request URIs are ignored),
only ``/api/text_generator…`` and ``/sse/text_generator…`` paths are forwarded, and nothing else is. Answers are
passed through as they arrive — a stream chunk by chunk, each chunk's offset noted — so a client sees the
target's own pacing. The caller's credentials go to the target and nowhere else (see ``scrub``).
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson

from mockserver.record import scrub
from mockserver.record.writer import RecordingWriter
from mockserver.replay.recording import Chunk, Exchange

log = logging.getLogger("creatify_mock.record")

#: The API's paths, one segment at a time: letters, digits, ``-`` and ``_`` only (no dots, no escapes).
ALLOWED_PATH = re.compile(r"/(?:api|sse)/text_generator(?:/[A-Za-z0-9_-]+)*/?")
REFUSED_METHODS = frozenset({"CONNECT", "TRACE"})
STREAM_TYPES = ("text/event-stream", "application/x-ndjson")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
#: Hears of each finished exchange, with the caller's credentials headers (kept in memory only).
OnExchange = Callable[[Exchange, dict[str, str]], None]


class RecordingProxy:
    """``app(environ, start_response)``; ``on_exchange`` hears of every finished exchange (the follower)."""

    def __init__(
        self,
        target: str,
        writer: RecordingWriter,
        client: httpx.Client,
        scrubber: scrub.Scrubber,
        max_body_bytes: int = 1024 * 1024,
    ) -> None:
        self.target = target.rstrip("/")
        self.writer = writer
        self.client = client
        self.scrubber = scrubber
        self.max_body_bytes = max_body_bytes
        self.listeners: list[OnExchange] = []
        self._seq = itertools.count(1)
        self._seq_lock = threading.Lock()
        self._started = time.monotonic()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        method = environ["REQUEST_METHOD"].upper()
        path = environ.get("PATH_INFO", "")
        if ALLOWED_PATH.fullmatch(path) is None:
            return _refuse(
                start_response,
                404,
                f"creatify-mock record forwards only /api/text_generator/ and "
                f"/sse/text_generator/ paths to {self.target}; {path!r} is not one",
            )
        if method in REFUSED_METHODS:
            return _refuse(start_response, 405, f"creatify-mock record does not forward {method}")
        if self.writer.full:
            return _refuse(
                start_response,
                503,
                f"creatify-mock record stopped: {self.writer.path} reached "
                f"--max-bytes {self.writer.max_bytes}; start a new recording",
            )
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > self.max_body_bytes:
            return _refuse(start_response, 413, f"request body over {self.max_body_bytes} bytes")
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        return self.forward(method, path, environ.get("QUERY_STRING", ""), headers, body, start_response)

    def forward(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        start_response: StartResponse | None = None,
        origin: str = "client",
    ) -> Iterator[bytes]:
        """Send the call upstream and yield its answer as it comes; the exchange is written when it ends."""
        arrived = time.monotonic()
        exchange = self._exchange(arrived, method, path, query, headers, body, origin)
        return self._send(exchange, arrived, headers, body, start_response, query)

    def poll(self, path: str, credentials: dict[str, str]) -> Exchange:
        """The follower's read of a job (``origin: follow``), recorded like any other call."""
        headers = {**credentials, "Accept": "application/json"}
        arrived = time.monotonic()
        exchange = self._exchange(arrived, "GET", path, "", headers, b"", "follow")
        for _ in self._send(exchange, arrived, headers, b"", None):
            pass
        return exchange

    def _send(
        self,
        exchange: Exchange,
        arrived: float,
        headers: dict[str, str],
        body: bytes,
        start_response: StartResponse | None,
        query: str = "",
    ) -> Iterator[bytes]:
        """The upstream call (with the raw query: the recorded one has secrets masked)."""
        url = f"{self.target}{exchange.path}" + (f"?{query}" if query else "")
        upstream_headers = {**scrub.forwarded(headers), "Accept-Encoding": "identity"}
        request = self.client.build_request(exchange.method, url, headers=upstream_headers, content=body)
        try:
            response = self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            self._finish(exchange, arrived, {})
            return _refuse(start_response, 502, f"creatify-mock record cannot reach {self.target}: {exc}")
        credentials = {k: v for k, v in headers.items() if k.lower() in ("x-api-id", "x-api-key")}
        return self._relay(response, exchange, arrived, start_response, credentials)

    def _exchange(
        self,
        arrived: float,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        origin: str,
    ) -> Exchange:
        lower = {k.lower(): v for k, v in headers.items()}
        account = self.scrubber.account(lower.get("x-api-id", ""), lower.get("x-api-key", ""))
        return Exchange(
            seq=0,
            at=round(arrived - self._started, 6),
            method=method,
            path=path,
            query=scrub.query(query),
            origin=origin,
            account=account,
            auth="present" if lower.get("x-api-id") and lower.get("x-api-key") else "missing",
            request_headers=scrub.request_headers(headers.items()),
            request_body=_parse(body, lower.get("content-type", "")),
            status=502,
            response_headers={},
            response_body=None,
            duration_ms=0.0,
        )

    def _relay(
        self,
        response: httpx.Response,
        exchange: Exchange,
        arrived: float,
        start_response: StartResponse | None,
        credentials: dict[str, str],
    ) -> Iterator[bytes]:
        exchange.status = response.status_code
        exchange.response_headers = scrub.response_headers(response.headers.multi_items())
        content_type = response.headers.get("content-type", "")
        streamed = content_type.startswith(STREAM_TYPES) or "content-length" not in response.headers
        out_headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in scrub.HOP_BY_HOP and k.lower() not in ("content-length", "content-encoding")
        ]
        if "content-length" in response.headers and "content-encoding" not in response.headers:
            out_headers.append(("Content-Length", response.headers["content-length"]))
        if start_response is not None:
            start_response(f"{response.status_code} {response.reason_phrase}", out_headers)
        pieces: list[bytes] = []
        chunks: list[Chunk] = []
        try:
            for piece in response.iter_bytes():
                offset = (time.monotonic() - arrived) * 1000
                if exchange.first_byte_ms is None:
                    exchange.first_byte_ms = round(offset, 3)
                pieces.append(piece)
                chunks.append(Chunk(round(offset, 3), piece.decode("utf-8", "replace")))
                yield piece
        except httpx.HTTPError as exc:
            exchange.error = f"the target's answer broke off: {type(exc).__name__}: {exc}"
        except GeneratorExit:
            exchange.error = "the client went away before the answer ended"
            raise
        finally:
            response.close()
            whole = b"".join(pieces)
            exchange.response_body = (
                _parse(whole, content_type) if not streamed else whole.decode("utf-8", "replace")
            )
            if streamed:
                exchange.chunks = chunks
            self._finish(exchange, arrived, credentials)

    def _finish(self, exchange: Exchange, arrived: float, credentials: dict[str, str]) -> None:
        exchange.duration_ms = round((time.monotonic() - arrived) * 1000, 3)
        with self._seq_lock:
            exchange.seq = next(self._seq)
            self.writer.write(exchange.to_json())
        for listener in self.listeners:
            listener(exchange, credentials)


def _parse(raw: bytes, content_type: str) -> Any:
    """JSON when it is JSON, else the text (undecodable bytes replaced), else None for an empty body."""
    if not raw:
        return None
    if "json" in content_type.lower():
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return raw.decode("utf-8", "replace")


def _refuse(start_response: StartResponse | None, status: int, detail: str) -> Iterator[bytes]:
    """The proxy's own answer (never the target's): JSON ``{"detail": ...}`` with ``X-Creatify-Record``."""
    body = orjson.dumps({"detail": detail})
    if start_response is not None:
        reason = {
            404: "Not Found",
            405: "Method Not Allowed",
            413: "Content Too Large",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }[status]
        start_response(
            f"{status} {reason}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("X-Creatify-Record", "refused"),
            ],
        )
    return iter([body])
