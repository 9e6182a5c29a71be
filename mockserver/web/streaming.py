"""What a long answer (a stream, a sync call) needs from the HTTP server, whichever server it is.

The server puts a ``StreamHost`` in the WSGI environ under ``HOST_KEY``: ``hold()`` while a request keeps its
worker for seconds (a thread-pool server adds a worker meanwhile, so short calls never queue behind streams),
``begin()`` to send the status and headers before the first event is due (WSGI servers otherwise wait for the
first non-empty chunk), ``flush()`` after each event (send it now, not when a buffer fills), ``abort()`` to
drop the connection.
Under a server that provides none (werkzeug's test client), ``NO_HOST`` does nothing and streams still work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

HOST_KEY = "creatify_mock.stream_host"


class StreamHost(Protocol):
    def hold(self) -> AbstractContextManager[None]: ...

    def begin(self, environ: Mapping[str, Any]) -> None: ...

    def flush(self, environ: Mapping[str, Any]) -> None: ...

    def abort(self, environ: Mapping[str, Any]) -> bool: ...


class _NoHost:
    def hold(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def begin(self, environ: Mapping[str, Any]) -> None:
        return None

    def flush(self, environ: Mapping[str, Any]) -> None:
        return None

    def abort(self, environ: Mapping[str, Any]) -> bool:
        return False


NO_HOST: StreamHost = _NoHost()


def host(environ: Mapping[str, Any]) -> StreamHost:
    found = environ.get(HOST_KEY)
    return found if found is not None else NO_HOST
