"""A small streaming server on 127.0.0.1 for the recording proxy's tests: Server-Sent Events sent one chunk at a
time, each only after the test let it go (so a proxy that buffered would be caught without timing anything)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GATE_TIMEOUT = 10.0


def sse(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\r\n\r\n".encode()


class StreamingTarget:
    """``POST /sse/text_generator/stream/`` answers ``chunks`` as SSE; chunk n+1 waits for ``release(n+1)``."""

    def __init__(self, chunks: list[bytes], gated: bool = True) -> None:
        self.chunks = chunks
        self.gates = [threading.Event() for _ in chunks]
        if not gated:
            for gate in self.gates:
                gate.set()
        self.gates[0].set()
        self.sent_at: list[float] = []
        self.requests: list[dict[str, Any]] = []
        self.timed_out = False
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                target.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                start = time.monotonic()
                for gate, chunk in zip(target.gates, target.chunks, strict=True):
                    if not gate.wait(GATE_TIMEOUT):
                        target.timed_out = True
                        break
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
                    target.sent_at.append(time.monotonic() - start)
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def release(self, index: int) -> None:
        self.gates[index].set()

    def __enter__(self) -> StreamingTarget:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for gate in self.gates:
            gate.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
