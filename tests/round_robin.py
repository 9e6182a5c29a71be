"""A small round-robin HTTP proxy on 127.0.0.1: each request goes to the next upstream in turn, bodies are
passed through as they come (Server-Sent Events included). Stands in for the load balancer of a team service."""

from __future__ import annotations

import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class RoundRobin:
    """``with RoundRobin([url_a, url_b]) as proxy: proxy.url`` — alternates per request, counts what each got."""

    def __init__(self, upstreams: list[str]) -> None:
        targets = [urlsplit(u) for u in upstreams]
        turn = itertools.cycle(range(len(targets)))
        lock = threading.Lock()
        self.counts = [0] * len(targets)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                with lock:
                    index = next(turn)
                    proxy.counts[index] += 1
                target = targets[index]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn = http.client.HTTPConnection(target.hostname or "", target.port, timeout=120)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    answer = conn.getresponse()
                    self.send_response(answer.status)
                    for name, value in answer.getheaders():
                        if name.lower() not in HOP_BY_HOP:
                            self.send_header(name, value)
                    length = answer.getheader("Content-Length")
                    if length is not None:
                        self.send_header("Content-Length", length)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    while True:  # ends with the upstream's body
                        chunk = answer.read1(65536)
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                        self.wfile.flush()
                finally:
                    conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> RoundRobin:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
