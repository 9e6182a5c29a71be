"""Which HTTP server serves the app (``--server``): granian or waitress, behind one small interface."""

from __future__ import annotations

from typing import Protocol

from flask import Flask

from mockserver.config.settings import Settings
from mockserver.web.serving import Server
from mockserver.web.serving_granian import GranianServer


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


def make_server(app: Flask, settings: Settings) -> HTTPServer:
    """The server ``settings.server`` names, bound to ``settings.host:port``; OSError when it cannot listen."""
    if settings.server == "waitress":
        return Server(app, settings)
    return GranianServer(app, settings)
