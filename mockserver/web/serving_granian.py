"""Serving the app with granian (a Rust HTTP/1.1 server) in a thread of this process, stoppable like waitress.

granian parses HTTP and moves bytes in Rust, then calls the WSGI app on a few Python threads: about a third of
waitress's cost per call. Its own ``Server`` forks worker processes, which would split the mock's state from
the process that owns it (``MockServer``, the CLI's signal handling); so this runs one granian worker in a
thread, as granian's free-threaded server does, with one listening socket bound here so the port is known
before serving starts. That reaches below granian's public API: the version is pinned in ``pyproject.toml``
and ``tests/test_servers.py`` runs the HTTP tests through it.

Differences from waitress, all in the README: HTTP that never reaches the app (a malformed request line or
header) is answered by granian with an empty-bodied 400, not JSON; bodies are read whole before the app sees
them (the app still answers 413 over ``--max-body-bytes``); the scenario fault ``disconnect`` is a 503.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from granian import _futures, _granian, wsgi
from granian.http import HTTP1Settings

from mockserver.config.settings import Settings
from mockserver.web.inherited import inherited_socket
from mockserver.web.serving import tune_gc

BACKLOG = 1024
#: granian's Rust runtime threads (I/O, parsing); Python work runs on ``Settings.threads`` blocking threads.
RUNTIME_THREADS = 1
#: Calls queued for the Python threads at most; beyond, granian waits before reading more requests.
BACKPRESSURE = 1024
IDLE_THREAD_SECONDS = 30
STOP_TIMEOUT = 5.0
#: What every environ holds besides the request's own keys (granian's runner also copies ``os.environ`` into
#: each one: a variable named ``HTTP_X_API_ID`` would then pose as a request header).
BASE_ENVIRON: dict[str, Any] = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "SCRIPT_NAME": "",
    "SERVER_SOFTWARE": "creatify-mock (granian)",
    "wsgi.errors": sys.stderr,
    "wsgi.input_terminated": True,
    "wsgi.multiprocess": False,
    "wsgi.multithread": True,
    "wsgi.run_once": False,
    "wsgi.version": (1, 0),
}

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: granian's compiled worker and helpers; their type stubs lag the code, so they are used untyped.
native: Any = _granian
new_scheduler: Any = _futures._new_cbscheduler
Response: Any = wsgi.Response
ResponseIterWrap: Any = wsgi.ResponseIterWrap


def _runner(app: WSGIApp) -> Callable[[Any, dict[str, Any]], int]:
    """granian's WSGI glue (``granian.wsgi._callback_wrapper``) without the copy of ``os.environ``."""

    def run(proto: Any, scope: dict[str, Any]) -> int:
        response = Response()
        result = app(BASE_ENVIRON | scope, response)
        if isinstance(result, list):
            proto.response_bytes(response.status, response.headers, b"".join(result))
        else:
            proto.response_iter(response.status, response.headers, ResponseIterWrap(result))
        return int(response.status)

    return run


class GranianServer:
    """The same surface as ``serving.Server``: bound at construction, ``serve_forever`` until ``shutdown``."""

    def __init__(self, app: WSGIApp, settings: Settings) -> None:
        self._app = app
        self._threads = settings.threads
        self._host = settings.host
        # Bound here, not by granian: its listeners set SO_REUSEPORT, so a second mock on a busy port would
        # silently share it instead of failing to start.
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        self._socket = inherited_socket() or socket.create_server(
            (settings.host, settings.port), family=family, backlog=BACKLOG
        )
        self._port = int(self._socket.getsockname()[1])
        self._listener: Any = native.SocketHolder(os.dup(self._socket.fileno()), False, BACKLOG)
        self._stopping = threading.Event()
        self._signal = native.WorkerSignal()

    @property
    def port(self) -> int:
        return self._port

    @property
    def host(self) -> str:
        return self._host

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Start granian's worker (its Rust threads serve from here on), wait for ``shutdown()``, stop it."""
        if threading.current_thread() is threading.main_thread():
            tune_gc()
        loop = asyncio.new_event_loop()  # granian wants one to schedule on; WSGI calls never use it
        worker = native.WSGIWorker(
            1,
            (None, self._listener),
            None,  # no IPC: metrics are off
            RUNTIME_THREADS,
            512,  # Rust blocking threads (file I/O), unused by WSGI
            self._threads,
            IDLE_THREAD_SECONDS,
            BACKPRESSURE,
            "1",  # HTTP/1.1 only, as waitress
            HTTP1Settings(),
            None,
            None,  # no static files
            False,  # no TLS: (enabled, cert, key, password, protocol, ca, crl, verify)
            None,
            None,
            None,
            "tls1.3",
            None,
            [],
            False,
            (None, None),  # metrics
        )
        try:
            scheduler = new_scheduler(loop, _runner(self._app), impl_asyncio=False)
            worker.serve_mtr(scheduler, loop, self._signal)
            self._stopping.wait()
        finally:
            self._signal.set()
            loop.close()
            self._socket.close()
            self._listener = None  # granian's copy of the socket: dropping it closes the port

    def shutdown(self) -> None:
        self._stopping.set()
