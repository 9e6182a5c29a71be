"""A webhook sink on a real socket: a small threaded HTTP server that records every POST it gets.

Each job gets its own path (``/hooks/<token>``), so events can be told apart even when a target sends a payload
without the job's id. Every method is recorded (a target that calls with GET must be told so, not seem silent).
Waiting for events always has a timeout.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY = 1024 * 1024
MAX_EVENTS = 10_000
POLL_INTERVAL = 0.05  # seconds: how soon stop() is noticed


@dataclass(frozen=True)
class WebhookEvent:
    """One delivery as received: path, headers, raw body, the parsed JSON (None if not JSON), arrival time."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: Any
    received_at: float


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        raw = self._read_body()
        try:
            body: Any = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        event = WebhookEvent(self.command, self.path, dict(self.headers), raw, body, time.monotonic())
        self.server.sink.record(event)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

    def _read_body(self) -> bytes:
        """The body, by Content-Length or in chunks (a target may stream it); at most MAX_BODY bytes kept."""
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
            return self.rfile.read(length) if length else b""
        parts: list[bytes] = []
        for _ in range(100_000):  # bounded: a chunk header per round
            size = int(self.rfile.readline(64).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline(64)  # the empty line after the last chunk
                break
            parts.append(self.rfile.read(size))
            self.rfile.readline(64)
        return b"".join(parts)[:MAX_BODY]

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a test run's output is for results, not access logs."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sink: WebhookReceiver


class _Server6(_Server):
    address_family = socket.AF_INET6


class WebhookReceiver:
    """Listens on ``host`` (a free port); ``url_for()`` gives a fresh per-job URL, ``wait()`` collects its events."""

    def __init__(self, host: str = "127.0.0.1", public_url: str | None = None) -> None:
        self.host = host
        self._public_url = public_url.rstrip("/") if public_url else None
        self._events: list[WebhookEvent] = []
        self._cond = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> WebhookReceiver:
        server_class = _Server6 if ":" in self.host else _Server
        self._server = server_class((self.host, 0), _Handler)
        self._server.sink = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_INTERVAL,), name="contract-webhooks", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._public_url:
            return self._public_url
        if self._server is None:
            raise RuntimeError("WebhookReceiver is not started")
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}"

    def url_for(self) -> str:
        """A URL no other job uses, so its events are only this job's."""
        return f"{self.base_url}/hooks/{uuid.uuid4().hex}"

    def record(self, event: WebhookEvent) -> None:
        with self._cond:
            if len(self._events) < MAX_EVENTS:
                self._events.append(event)
            self._cond.notify_all()

    def events(self, url: str) -> list[WebhookEvent]:
        path = url[len(self.base_url) :] if url.startswith(self.base_url) else url
        with self._cond:
            return [e for e in self._events if e.path == path]

    def wait(self, url: str, until_terminal: bool, timeout: float) -> list[WebhookEvent]:
        """Events for ``url`` once one arrived (or a done/failed one, with ``until_terminal``), or at ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = self.events(url)
                if got and (not until_terminal or any(_terminal(e) for e in got)):
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    return got
                self._cond.wait(min(left, 0.5))


def _terminal(event: WebhookEvent) -> bool:
    return isinstance(event.body, dict) and event.body.get("status") in ("done", "failed")
