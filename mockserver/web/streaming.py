"""What a long answer (a stream, a sync call) needs from the HTTP server, and how it hands its body over.

A view whose answer waits (a stream, a sync create) returns a WSGI body that can also be iterated
asynchronously (``AsyncBody``) and registers it with ``defer``: the server (``web.bridge``) then drives it on its
event loop, so the wait holds no thread, and stops it when the client leaves. Under a plain WSGI server
(werkzeug's test client) the same body is iterated in the calling thread, waits and all.

The server also puts a ``StreamHost`` in the WSGI environ under ``HOST_KEY``: ``abort()`` drops the connection
(the scenario faults ``disconnect`` and ``drop_after``). Without one (the test client), ``NO_HOST`` cannot.

A scenario's ``latency`` is waited the same way (``wait_then_again``): the call stops short, the server waits on
its loop and then runs the call again with what the first run decided (the rule it took) kept in the environ, so
a thousand calls waiting out a minute hold no thread. Under a plain WSGI server the caller sleeps instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any, Protocol

HOST_KEY = "creatify_mock.stream_host"
ASYNC_BODY_KEY = "creatify_mock.async_body"
#: Set by the server: it can wait on its loop and run a call again (``wait_then_again``).
CAN_WAIT_KEY = "creatify_mock.can_wait"
#: Set by a call for the server: seconds to wait before running it again / what it decided, for that run.
WAIT_KEY, AGAIN_KEY = "creatify_mock.wait", "creatify_mock.again"


class StreamHost(Protocol):
    def abort(self, environ: MutableMapping[str, Any]) -> bool: ...


class AsyncBody(Protocol):
    """A body the server may drive on its event loop instead of iterating it in a thread.

    ``whole``: one answer sent with a ``Content-Length`` once complete (a sync create); otherwise each piece is
    sent as it comes (a stream). ``close`` stops it (the client left, or the answer ended); the job goes on."""

    whole: bool

    def __iter__(self) -> Iterator[bytes]: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    def close(self) -> None: ...


class _NoHost:
    def abort(self, environ: MutableMapping[str, Any]) -> bool:
        return False


NO_HOST: StreamHost = _NoHost()


def host(environ: MutableMapping[str, Any]) -> StreamHost:
    found = environ.get(HOST_KEY)
    return found if found is not None else NO_HOST


def defer(environ: MutableMapping[str, Any], body: AsyncBody) -> AsyncBody:
    """Offer ``body`` to the server for asynchronous driving; returns it, to be the WSGI body as well."""
    environ[ASYNC_BODY_KEY] = body
    return body


def wait_then_again(environ: MutableMapping[str, Any], seconds: float, decided: object) -> bool:
    """Ask the server to wait ``seconds`` on its loop, then run this call again with ``decided`` in the environ
    (``again``); the answer of this run is dropped. False when the server cannot (the caller sleeps instead)."""
    if not environ.get(CAN_WAIT_KEY):
        return False
    environ[WAIT_KEY] = seconds
    environ[AGAIN_KEY] = decided
    return True


def again(environ: MutableMapping[str, Any]) -> object | None:
    """What the first run of this call decided, when this is the run after its wait (else None)."""
    return None if WAIT_KEY in environ else environ.get(AGAIN_KEY)
