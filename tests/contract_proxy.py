"""A proxy on 127.0.0.1 in front of the embedded mock that breaks one thing, and the pytester runner using it.

Shared by the kit's own tests: a faithful proxy must pass the shipped suite, each broken one must fail it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import pytest
import requests

from mockserver.testing import MockServer

ACCOUNTS = ("proxy-id:proxy-key", "proxy-id-2:proxy-key-2")
Mutate = Callable[[str, str, int, Any], tuple[int, dict[str, str], Any]]
Rewrite = Callable[[dict[str, str], Any], tuple[dict[str, str], Any]]


def _same(method: str, path: str, status: int, body: Any) -> tuple[int, dict[str, str], Any]:
    return status, {}, body


class BrokenProxy:
    """Forwards to ``upstream``; ``rewrite`` may change a request (headers, body), ``mutate`` the answer."""

    def __init__(self, upstream: str, mutate: Mutate = _same, rewrite: Rewrite | None = None) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                body: Any = json.loads(raw) if raw and "json" in headers.get("Content-Type", "") else raw
                if rewrite is not None:
                    headers, body = rewrite(headers, body)
                data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                answer = requests.request(
                    self.command,
                    upstream + self.path,
                    data=data,
                    headers=headers,
                    timeout=10,
                    allow_redirects=False,
                )
                status, extra, out = mutate(
                    self.command, self.path.split("?")[0], answer.status_code, answer.json()
                )
                payload = json.dumps(out).encode()
                self.send_response(status)
                self.send_header("Content-Type", extra.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        proxy.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def upstream() -> Iterator[MockServer]:
    with MockServer(
        timing="realtime", pending_seconds=0.05, running_seconds=0.1, api_key=ACCOUNTS, log_requests=False
    ) as mock:
        yield mock


@pytest.fixture
def run_suite(pytester: pytest.Pytester, upstream: MockServer) -> Iterator[Callable[..., pytest.RunResult]]:
    proxies: list[BrokenProxy] = []

    def run(
        module: str,
        *extra: str,
        mutate: Mutate = _same,
        rewrite: Rewrite | None = None,
        profile: str = "live",
    ) -> pytest.RunResult:
        proxy = BrokenProxy(upstream.url, mutate, rewrite)
        proxies.append(proxy)
        args = [
            "--pyargs",
            f"contract_tests.{module}",
            "-p",
            "contract_tests.plugin",
            "-p",
            "no:cacheprovider",
        ]
        args += [
            "--contract-base-url",
            proxy.url,
            "--contract-poll-interval",
            "0.02",
            "--contract-poll-timeout",
            "2",
        ]
        args += [
            "--contract-api-id",
            "proxy-id",
            "--contract-api-key",
            "proxy-key",
            "--contract-max-jobs",
            "200",
        ]
        args += [
            "--contract-api-id-2",
            "proxy-id-2",
            "--contract-api-key-2",
            "proxy-key-2",
            "--contract-profile",
            profile,
        ]
        return pytester.runpytest_inprocess(*args, *extra)

    yield run
    for proxy in proxies:
        proxy.close()


def on(method: str, path_part: str, change: Callable[[int, Any], tuple[int, Any]]) -> Mutate:
    """A mutation applied only to ``method`` calls whose path contains ``path_part``."""

    def mutate(m: str, path: str, status: int, body: Any) -> tuple[int, dict[str, str], Any]:
        if m == method and path_part in path:
            status, body = change(status, body)
        return status, {}, body

    return mutate


def _job_read(path: str) -> bool:
    return path.count("/") == 4 and path.startswith("/api/text_generator/")
