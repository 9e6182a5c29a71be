"""``WebhookReceiver``: a real webhook endpoint on 127.0.0.1 for a test suite — what each user used to hand-write.

It records every call, checks the mock's signature (``X-Webhook-Signature``, see ``mockserver.webhooks.delivery``)
when given the secret, fails on demand (a status, a delay, a dropped connection) and waits for N events::

    with WebhookReceiver(secret="s") as hooks, MockServer(webhook_secret="s") as mock:
        ...create a job with webhook_url=hooks.url...
        done = hooks.wait_for(2, timeout=10)[-1].json()
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mockserver.webhooks.delivery import verify

MAX_BODY = 1024 * 1024
MAX_CALLS = 10_000


@dataclass(frozen=True)
class WebhookCall:
    """One POST as received, and how it was answered (``answered`` is None for a dropped connection)."""

    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None
    signature_valid: bool | None  # None: no secret to check against

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def delivery_id(self) -> str | None:
        return self.header("X-Webhook-Id")

    @property
    def event(self) -> str | None:
        """The job status this call reports (``X-Webhook-Event``)."""
        return self.header("X-Webhook-Event")


@dataclass(frozen=True)
class Fault:
    """How to answer one coming call instead of 200: a status, a delay before answering, or no answer at all."""

    status: int = 500
    delay: float = 0.0
    drop: bool = False


class WebhookReceiver:
    """A webhook endpoint on ``127.0.0.1`` (a free port); answers 200 unless told to fail."""

    def __init__(self, secret: str | None = None, *, status: int = 200) -> None:
        self.secret = secret
        self.status = status
        self._calls: list[WebhookCall] = []
        self._faults: deque[Fault] = deque()
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> WebhookReceiver:
        if self._server is None:
            self._stopping.clear()
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.receiver = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="webhook-receiver", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()  # releases answers held by a delay
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

    # -- what a test uses ----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The URL to give as ``webhook_url``."""
        return self.url_for("/webhook")

    def url_for(self, path: str) -> str:
        """Another path on this receiver (calls keep their path: one per job, if you like)."""
        if self._server is None:
            raise RuntimeError("WebhookReceiver is not started: use it as a context manager or call start()")
        return f"http://127.0.0.1:{self._server.server_address[1]}/{path.lstrip('/')}"

    def fail(self, status: int = 500, *, times: int = 1, delay: float = 0.0, drop: bool = False) -> None:
        """Answer the next ``times`` calls with ``status`` (after ``delay`` seconds), or drop their connection."""
        with self._cond:
            self._faults.extend(Fault(status, delay, drop) for _ in range(times))

    @property
    def calls(self) -> list[WebhookCall]:
        """Every call so far, oldest first (failed and dropped ones included)."""
        with self._cond:
            return list(self._calls)

    def events(self, *, unique: bool = False) -> list[Any]:
        """The bodies of the calls answered 2xx, parsed; ``unique`` keeps one per ``X-Webhook-Id``."""
        seen: set[str | None] = set()
        out = []
        for call in self.calls:
            if call.answered is None or not 200 <= call.answered < 300:
                continue
            if unique and call.delivery_id in seen:
                continue
            seen.add(call.delivery_id)
            out.append(call.json())
        return out

    def wait_for(self, count: int, timeout: float = 10.0, *, path: str | None = None) -> list[WebhookCall]:
        """Block until ``count`` calls arrived (on ``path``, when given); TimeoutError saying what did arrive."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout

        def matching() -> list[WebhookCall]:
            return [c for c in self._calls if path is None or c.path == "/" + path.lstrip("/")]

        with self._cond:
            while len(matching()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [(c.event, c.answered) for c in matching()]
                    raise TimeoutError(
                        f"wanted {count} webhook call(s) in {timeout} s, got {len(got)}: {got}"
                    )
                self._cond.wait(min(left, 0.5))
            return matching()

    def assert_signed(self) -> None:
        """Every call so far carried a valid signature for ``secret``."""
        __tracebackhide__ = True
        if self.secret is None:
            raise AssertionError("WebhookReceiver has no secret to verify signatures with")
        bad = [(c.event, c.delivery_id) for c in self.calls if not c.signature_valid]
        if bad:
            raise AssertionError(f"{len(bad)} call(s) without a valid signature: {bad}")

    def clear(self) -> None:
        """Forget the calls and pending faults (between tests on a shared receiver)."""
        with self._cond:
            self._calls.clear()
            self._faults.clear()

    # -- the handler's side --------------------------------------------------------------------------------
    def _answer_for(self, headers: dict[str, str], body: bytes) -> tuple[Fault | None, bool | None]:
        valid = None
        if self.secret is not None:
            get = {k.lower(): v for k, v in headers.items()}
            timestamp, signed = get.get("x-webhook-timestamp", ""), get.get("x-webhook-signature", "")
            valid = bool(timestamp.isascii() and signed) and verify(self.secret, timestamp, body, signed)
        with self._cond:
            fault = self._faults.popleft() if self._faults else None
        return fault, valid

    def _record(self, call: WebhookCall) -> None:
        with self._cond:
            if len(self._calls) < MAX_CALLS:
                self._calls.append(call)
            self._cond.notify_all()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: WebhookReceiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that left is not the test's failure


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        receiver = self.server.receiver
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length) if length > 0 else b""
        headers = dict(self.headers.items())
        fault, valid = receiver._answer_for(headers, body)
        status = receiver.status if fault is None else fault.status
        if valid is False:
            status = 401  # what a real handler does with a bad signature
        dropped = fault is not None and fault.drop
        receiver._record(WebhookCall(self.path, headers, body, None if dropped else status, valid))
        if fault is not None and fault.delay > 0:  # recorded on arrival, answered (if still wanted) later
            receiver._stopping.wait(fault.delay)
        if dropped:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass
