"""A webhook receiver on a real socket (127.0.0.1, free port) that records calls and answers as scripted."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    at: float  # time.monotonic() when the body was read
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """``statuses`` are answered in turn (then ``default``); ``hold`` seconds are waited before answering."""

    def __init__(self, statuses: list[int] | None = None, default: int = 200, hold: float = 0.0) -> None:
        self.script = list(statuses or [])
        self.default = default
        self.hold = hold
        self.calls: list[Call] = []
        self.in_flight = 0
        self._lock = threading.Condition()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.calls.append(Call(time.monotonic(), self.path, dict(self.headers), body))
                    status = receiver.script.pop(0) if receiver.script else receiver.default
                    receiver.in_flight += 1
                    receiver._lock.notify_all()
                try:
                    if receiver.hold:
                        receiver._release.wait(receiver.hold)
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the mock gave up (timeout): nothing to answer
                finally:
                    with receiver._lock:
                        receiver.in_flight -= 1
                        receiver._lock.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 512

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Call]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.calls) >= count, timeout):
                raise TimeoutError(f"receiver got {len(self.calls)} calls, wanted {count}, in {timeout} s")
            return list(self.calls)

    def wait_in_flight(self, timeout: float = 10.0) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: self.in_flight > 0, timeout):
                raise TimeoutError("no delivery arrived")
