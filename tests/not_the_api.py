"""Servers on 127.0.0.1 that are not the API: a static HTML site, another JSON API, one that implements no method.

The contract kit must say so in one line after at most two calls, instead of a traceback per test.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = b"<!DOCTYPE HTML>\n<html lang='en'><head><title>Directory listing</title></head><body></body></html>\n"


class NotTheApi:
    """``kind``: ``html`` (404 HTML pages, 501 HTML for POST, like ``python -m http.server``), ``json404`` (JSON
    404 on every path) or ``501`` (501 with no body on everything)."""

    def __init__(self, kind: str) -> None:
        self.calls: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.calls.append(f"{self.command} {self.path}")
                if kind == "json404":
                    status, content_type, body = (
                        404,
                        "application/json",
                        json.dumps({"message": "no route"}).encode(),
                    )
                elif kind == "501":
                    status, content_type, body = 501, "text/plain", b""
                else:
                    status, content_type, body = (501 if self.command == "POST" else 404), "text/html", PAGE
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> NotTheApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
