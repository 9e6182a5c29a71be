"""The HTTP server the CLI, ``MockServer`` and the recording proxy serve with (``web.serving``), behind a small
interface so callers need not know it."""

from __future__ import annotations

from typing import Protocol

from mockserver.config.settings import Settings
from mockserver.web.bridge import WSGIApp
from mockserver.web.serving import Server


class HTTPServer(Protocol):
    """Bound at construction (the port is known before serving); ``serve_forever`` until ``shutdown``."""

    @property
    def port(self) -> int: ...

    @property
    def host(self) -> str: ...

    @property
    def url(self) -> str: ...

    def serve_forever(self) -> None: ...

    def shutdown(self) -> None: ...


def make_server(app: WSGIApp, settings: Settings) -> HTTPServer:
    """The server of any WSGI app (the mock's Flask app, the recording proxy, a benchmark's fixed answer), bound
    to ``settings.host:port``; OSError when it cannot listen."""
    return Server(app, settings)
