"""Calling a WSGI app once and taking its answer apart, for the server (``web.bridge``, ``web.protocol``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mockserver.web.streaming import ASYNC_BODY_KEY

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: Answer: status, headers, then either the whole body (bytes), a WSGI iterator to pull, or an AsyncBody
#: with the WSGI body to close after it.
Answer = tuple[int, list[tuple[bytes, bytes]], Any]


def call(app: WSGIApp, environ: dict[str, Any]) -> Answer:
    """Run the WSGI app; a body of known length is read whole here (in whichever thread this runs)."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return _no_write

    result = app(environ, start_response)
    deferred = environ.get(ASYNC_BODY_KEY)
    if not started and deferred is None:  # WSGI allows start_response at the first iteration
        result = _Started(result)
    status = int(started[0][:3]) if started else 500
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (started[1] if started else [])]
    if deferred is not None:
        return status, headers, (deferred, result)
    sized = isinstance(result, list | tuple) or any(name == b"content-length" for name, _ in headers)
    if not sized:
        return status, headers, iter(result)
    try:
        return status, headers, b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


class _Started:
    """A WSGI body whose first piece was taken (so that ``start_response`` has run), given back whole."""

    def __init__(self, body: Iterable[bytes]) -> None:
        self._body = body
        self._rest = iter(body)
        self._first = next(self._rest, b"")

    def __iter__(self) -> Iterator[bytes]:
        yield self._first
        yield from self._rest

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


def _no_write(data: bytes) -> None:
    raise NotImplementedError("the WSGI write() callable is not supported: return the body instead")
