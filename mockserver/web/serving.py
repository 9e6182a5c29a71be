"""The one HTTP server: uvicorn's event loop (uvloop, httptools) in front of the WSGI app, stoppable from any thread.

Why this design (measurements in ``docs/server.md``): an event loop holds thousands of idle, slow or streaming
connections for the price of a few objects each, so streams, sync calls and manual-timing holds cost no thread
while they wait and slow clients cannot lock others out; the hot ``/api/`` calls are answered inline on the loop
(``web.bridge``); everything else is the Flask app on ``--threads`` pool threads.

The socket is bound at construction (the port is known before serving starts; a busy port fails there). The
loop runs in the thread that calls ``serve_forever``; ``shutdown`` may come from any thread or a signal handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import socket
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn

try:
    import uvloop
except ImportError:  # Windows: asyncio's own loop (slower, same behaviour)
    uvloop = None  # type: ignore[assignment]
from flask import Flask

from mockserver.config.settings import Settings
from mockserver.web import collector, protocol
from mockserver.web.bridge import Bridge, Host
from mockserver.web.context import service
from mockserver.web.fastpath import FAST_PATH_KEY
from mockserver.web.inherited import inherited_socket

#: Any WSGI application: the mock's Flask app, or the recording proxy.
WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
BACKLOG = 4096
#: A connection idle between requests is closed after this many seconds.
KEEP_ALIVE_SECONDS = 30


def raise_open_files() -> None:
    """Let this process hold as many sockets as the system allows it (each connection is one)."""
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class _Uvicorn(uvicorn.Server):
    """uvicorn's server without its signal handling (the CLI installs its own: state file, SIGHUP reload), and
    stopped at once: uvicorn looks at ``should_exit`` every 0.1 s, so each stop took 0.1 to 0.2 s — 30 s of a test
    suite that starts a mock per test."""

    _loop: asyncio.AbstractEventLoop | None = None
    _woken: asyncio.Event | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        self._loop, self._woken = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):  # uvicorn's own loop, but woken by ``wake`` too
            counter = (counter + 1) % 864_000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._woken.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown without its fixed 0.1 s pause after asking connections to close: wait only while
        some are still open (at most that long). Stopping always forces the exit (``Server.shutdown``), so
        uvicorn's wait for open connections and tasks would not apply; no lifespan runs (``lifespan="off"``)."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        until = loop.time() + 0.1
        while self.server_state.connections and loop.time() < until:
            await asyncio.sleep(0.005)
        # What is still open (an event feed between frames, a client that does not read) is dropped, and its
        # answer sees the client gone and returns (within 0.1 s more): cancelled with the loop instead, each
        # one was logged by uvicorn as "Exception in ASGI application".
        for connection in list(self.server_state.connections):
            connection.transport.abort()
        until = loop.time() + 0.1
        while self.server_state.tasks and loop.time() < until:
            await asyncio.sleep(0.005)
        for server in self.servers:
            await server.wait_closed()

    def wake(self) -> None:
        """Look at ``should_exit`` now (from any thread)."""
        loop, woken = self._loop, self._woken
        if loop is not None and woken is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed already
                loop.call_soon_threadsafe(woken.set)


class Server:
    """Serves ``app`` on ``settings.host:port``."""

    def __init__(self, app: WSGIApp, settings: Settings) -> None:
        self._app = app
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        # A ``serve --workers N`` worker accepts on the socket its supervisor bound; otherwise bind our own.
        inherited = inherited_socket()
        self._socket = inherited or socket.create_server(
            (settings.host, settings.port), family=family, backlog=BACKLOG
        )
        self._host = settings.host
        self._port = int(self._socket.getsockname()[1])
        self._pool = ThreadPoolExecutor(settings.threads, thread_name_prefix="creatify-mock")
        fast = getattr(app, "extensions", {}).get(FAST_PATH_KEY)
        self.bridge = Bridge(
            app,
            self._pool,
            # Bodies up to twice the limit reach the app, which answers a JSON 413; beyond, the server does.
            max(2 * settings.max_body_bytes, settings.max_body_bytes + 65536),
            fast.owns if fast is not None else None,
            settings.log_requests,
            fast.instant if fast is not None else None,
        )
        config = uvicorn.Config(
            self.bridge,
            http=protocol.configure(self.bridge, settings.header_timeout, settings.body_timeout),
            proxy_headers=False,
            loop="none",
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
            backlog=BACKLOG,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=1,
        )
        for name in ("uvicorn", "uvicorn.error"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._server = _Uvicorn(config)
        self._stopping = threading.Event()

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
        """Run the event loop until ``shutdown()``; then drop every connection and stop the pool."""
        tuned = threading.current_thread() is threading.main_thread()
        if tuned:
            collector.tune()
        raise_open_files()
        try:
            if not self._stopping.is_set():
                _run(self._serve(tuned))
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self.bridge.opener.shutdown(wait=False, cancel_futures=True)
            self._socket.close()

    async def _serve(self, tuned: bool) -> None:
        self.bridge.host = Host(asyncio.get_running_loop())
        if tuned:  # cancelled with the other tasks when the server stops (``_run``)
            asyncio.get_running_loop().create_task(collector.collect_fully())
        self._server.force_exit = self._stopping.is_set()
        await self._server.serve(sockets=[self._socket])

    def shutdown(self) -> None:
        if isinstance(self._app, Flask):  # the mock (not the recording proxy): open streams and sync calls
            service(self._app).stop_waiting()  # end now, not at their timeout
        self._stopping.set()
        self._server.should_exit = True
        self._server.force_exit = True  # do not wait for open streams to end
        self._server.wake()


def _run(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run`` on a uvloop loop (Python 3.10 has no ``loop_factory``); what is left is cancelled."""
    loop = uvloop.new_event_loop() if uvloop is not None else asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(main)
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
