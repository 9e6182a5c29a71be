"""Serving the app with waitress (a production WSGI server), in the foreground or in a thread, stoppable.

waitress's own ``run()`` only returns when every channel is gone; we drive its event loop ourselves so that
``shutdown()`` from any thread (or a signal) stops it promptly.

Long answers (streams, sync calls) keep their worker thread for seconds. waitress's pool is fixed, so
``WaitressHost.hold()`` grows it by one thread for as long as such an answer runs: the ``--threads`` workers stay
free for short calls however many streams are open (bounded by the connection limit).
"""

from __future__ import annotations

import contextlib
import gc
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, cast

from flask import Flask
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer, create_server
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from mockserver.config.settings import Settings
from mockserver.core import jsonio
from mockserver.web.context import service
from mockserver.web.inherited import inherited_socket
from mockserver.web.streaming import HOST_KEY

#: Where ``_WithHost`` keeps the WSGI ``write`` callable of a request (``begin`` sends the headers with it).
WRITE_KEY = "creatify_mock.write"

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


def _channel(environ: Mapping[str, Any]) -> Any:
    """The waitress channel (connection) of a request: its disconnect probe is a bound method of it."""
    probe = environ.get("waitress.client_disconnected")
    return getattr(probe, "__self__", None)


class WaitressHost:
    """``web.streaming.StreamHost`` for waitress: an elastic worker pool, immediate flushes, dropped sockets."""

    def __init__(self, base_threads: int) -> None:
        self._base = base_threads
        self._held = 0
        self._lock = threading.Lock()
        self.dispatcher: Any = None  # the server's task dispatcher, set once it exists
        self.stopping = False

    @property
    def held(self) -> int:
        """Workers currently held by long answers (each one has been replaced in the pool)."""
        return self._held

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self._resize(+1)
        try:
            yield
        finally:
            self._resize(-1)

    def _resize(self, delta: int) -> None:
        with self._lock:
            self._held += delta
            if self.dispatcher is not None and not self.stopping:
                self.dispatcher.set_thread_count(self._base + self._held)

    def begin(self, environ: Mapping[str, Any]) -> None:
        """Write the status line and headers through the WSGI ``write`` callable ``start_response`` gave."""
        write = environ.get(WRITE_KEY)
        if write is not None:
            write(b"")
            self.flush(environ)

    def flush(self, environ: Mapping[str, Any]) -> None:
        """Wake the event loop so what the worker just wrote goes out now (waitress otherwise waits for 18 KB
        or the loop's next turn)."""
        channel = _channel(environ)
        if channel is not None:
            with contextlib.suppress(OSError):
                channel.server.pull_trigger()

    def abort(self, environ: Mapping[str, Any]) -> bool:
        sock = getattr(_channel(environ), "socket", None)
        if sock is None:
            return False
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        return True


class _WithHost:
    """The app, with the stream host in every request's environ (one dict store per request)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], host: WaitressHost) -> None:
        self.app = app
        self.host = host

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[HOST_KEY] = self.host

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            write = environ[WRITE_KEY] = start_response(status, headers, exc_info)
            return write

        return self.app(environ, start)


def _waitress(app: WSGIApp, settings: Settings, **options: Any) -> Any:
    """waitress on ``host:port``, or on the socket a ``serve --workers N`` supervisor handed down (built as
    waitress's ``sockets=`` does, without that path's lookup of its default listen address 0.0.0.0)."""
    inherited = inherited_socket()
    if inherited is None:
        return cast(Any, create_server)(app, host=settings.host, port=settings.port, **options)
    adj = Adjustments(host=settings.host, port=settings.port, **options)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    info = (inherited.family, inherited.type, inherited.proto, inherited.getsockname())
    return TcpWSGIServer(
        app, {}, True, inherited, dispatcher=dispatcher, adj=adj, sockinfo=info, bind_socket=False
    )


class Server:
    """A waitress server bound at construction (so the port is known before serving starts)."""

    def __init__(self, app: WSGIApp, settings: Settings) -> None:
        self._app = app
        self._stopping = threading.Event()
        self.stream_host = WaitressHost(settings.threads)
        self._server: Any = _waitress(
            _WithHost(app, self.stream_host),
            settings,
            threads=settings.threads,
            ident="creatify-mock",
            # Bodies up to twice the limit reach the app, which answers a JSON 413; beyond, waitress refuses.
            max_request_body_size=max(2 * settings.max_body_bytes, settings.max_body_bytes + 65536),
            channel_timeout=30,
            connection_limit=1000,
            asyncore_use_poll=True,
        )
        self._server.channel_class = JsonErrorChannel
        self.stream_host.dispatcher = self._server.task_dispatcher

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
        self.stream_host.stopping = True
        if isinstance(self._app, Flask):  # the mock (not the recording proxy): open streams and sync calls
            service(self._app).stop_waiting()  # end now, not at their timeout
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
