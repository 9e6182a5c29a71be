"""The WSGI middleware that makes an answer wait for the state file: a 201 (or any answer) goes out only once the
changes its request made are committed (``--state-file``; without one the app is not wrapped at all).

Outermost, so every path is covered (the fast path, Flask, the admin API, a stream's first bytes): the commit
happens when the app calls ``start_response``, before the status line can reach the client. A read that moved
nothing waits for nothing; a call that is not a read (POST, PUT, PATCH, DELETE) also commits the rest of the
state it may have changed (balances, scenarios, the clock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
READS = frozenset({"GET", "HEAD", "OPTIONS"})


class Durable(Protocol):
    def begin(self) -> None: ...

    def settle(self, touch: bool) -> None: ...


class DurableAnswers:
    """Wraps ``app.wsgi_app``: ``begin`` as the call arrives, ``settle`` before its status line."""

    def __init__(self, app: WSGIApp, state: Durable) -> None:
        self.app = app
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        state = self.state
        state.begin()
        touch = environ.get("REQUEST_METHOD", "GET") not in READS

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            state.settle(touch)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)
