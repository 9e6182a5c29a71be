"""Serving the app with waitress (a production WSGI server), in the foreground or in a thread, stoppable.

waitress's own ``run()`` only returns when every channel is gone; we drive its event loop ourselves so that
``shutdown()`` from any thread (or a signal) stops it promptly.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterable
from typing import Any, cast

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from mockserver.config.settings import Settings
from mockserver.core import jsonio

#: Any WSGI application: the mock's Flask app, or the recording proxy.
WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
LOOP_TIMEOUT = 0.2
#: Collector thresholds while the server owns the process: young collections stay frequent enough to catch
#: short-lived cycles, full ones become rare (each one walks every stored job: ~100 ms at 100,000 jobs).
GC_THRESHOLDS = (5_000, 20, 100)


def tune_gc() -> None:
    """Move what exists at startup (Flask, jsonschema, Faker: long-lived) out of the collector's sight and make
    full collections rare, so a mock holding many jobs does not pause every few seconds (the p99).

    Process-wide, so only done when the server runs in the main thread (the CLI), never when embedded.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class JsonErrorTask(ErrorTask):
    """Errors waitress answers itself (oversized or malformed HTTP) in the API's JSON shape, not plain text."""

    def execute(self) -> None:
        error: Any = cast(Any, self.request).error  # waitress.utilities.Error: code, reason, body
        body = jsonio.dumps({"detail": f"{error.reason}: {error.body}".rstrip(": ")})
        self.status = f"{error.code} {error.reason}"
        self.response_headers = [("Content-Type", "application/json")]
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    error_task_class = JsonErrorTask


class Server:
    """A waitress server bound at construction (so the port is known before serving starts)."""

    def __init__(self, app: WSGIApp, settings: Settings) -> None:
        self._app = app
        self._stopping = threading.Event()
        self._server: Any = cast(Any, create_server)(
            app,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            ident="creatify-mock",
            # Bodies up to twice the limit reach the app, which answers a JSON 413; beyond, waitress refuses.
            max_request_body_size=max(2 * settings.max_body_bytes, settings.max_body_bytes + 65536),
            channel_timeout=30,
            connection_limit=1000,
            asyncore_use_poll=True,
        )
        self._server.channel_class = JsonErrorChannel

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def host(self) -> str:
        return str(self._server.effective_host)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Run the event loop until ``shutdown()``; then close every connection and the worker threads."""
        socket_map = self._server._map  # waitress keeps its channels here; no public accessor
        if threading.current_thread() is threading.main_thread():
            tune_gc()
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=LOOP_TIMEOUT, map=socket_map, use_poll=True, count=1)
        finally:
            self._server.task_dispatcher.shutdown()
            _close_channels(socket_map)
            wasyncore.close_all(socket_map, ignore_all=True)

    def shutdown(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):  # trigger already closed: the loop is gone
            self._server.pull_trigger()


def _close_channels(socket_map: dict[int, Any]) -> None:
    """Close each connection's buffers too: bodies and answers over 512 KB live in temporary files, which
    ``close_all`` (a bare socket close) would leave open."""
    for channel in list(socket_map.values()):
        if not isinstance(channel, HTTPChannel):
            continue
        with contextlib.suppress(
            Exception
        ):  # best effort at shutdown; the sockets are closed next either way
            for parser in [channel.request, *channel.requests]:
                if parser is not None:
                    parser.close()
            channel.handle_close()
