"""The journal's WSGI middleware: records every ``/api/`` and ``/sse/`` call as it arrives and how it was answered.

It records raw facts only (WSGI header names, body bytes, status, duration) so the hot path stays cheap; the core
journal masks, decodes and parses when someone reads it.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mockserver.core import journal
from mockserver.core.journal import Entry
from mockserver.web.streaming import WAIT_KEY

JOURNALED_PREFIXES = ("/api/", "/sse/")
ENTRY_KEY = "creatify_mock.journal_entry"  # a call run again after a latency's wait keeps its row

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Recorder = Callable[[str, str, str, list[tuple[str, str]], bytes], Entry]
Finisher = Callable[[Entry], None]


def _headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """Request headers under their WSGI names: renaming waits until someone reads the journal (hot path)."""
    return [
        (key, value)
        for key, value in environ.items()
        if key[:5] == "HTTP_" or (key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value)
    ]


class JournalMiddleware:
    """Wraps ``app.wsgi_app``: reads the body once (bounded), hands the app a copy, records the answer."""

    def __init__(
        self, app: WSGIApp, record: Recorder, max_body_bytes: int, finish: Finisher | None = None
    ) -> None:
        self.app = app
        self.record = record
        self.finish = finish
        self.limit = max_body_bytes + 1  # one more than allowed: the app then still sees the body is too big

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(JOURNALED_PREFIXES):
            return self.app(environ, start_response)
        body = self._take_body(environ)
        kept = environ.get(ENTRY_KEY)
        if kept is None:
            started = time.perf_counter()
            entry = self.record(
                environ.get("REQUEST_METHOD", "GET"),
                path,
                environ.get("QUERY_STRING", ""),
                _headers(environ),
                body,
            )
        else:  # the run after a latency's wait (``streaming.wait_then_again``): the same call, the same row
            entry, started = kept

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            entry.status = int(status[:3])
            for name, value in headers:  # a loop, not a generator: this runs on every call
                if name == "Content-Type" or name.lower() == "content-type":
                    entry.response_type = value
                    break
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        token = journal.current.set(entry)  # the service notes the rule and the job it created on it
        try:
            answer = self.app(environ, capture)
        finally:
            entry.duration_ms = round((time.perf_counter() - started) * 1000, 3)
            journal.current.reset(token)
        if WAIT_KEY in environ:  # this run's answer is dropped; the run after the wait finishes the row
            environ[ENTRY_KEY] = (entry, started)
            entry.status = None
            return answer
        return _Kept(answer, entry, self.finish)

    def _take_body(self, environ: dict[str, Any]) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            length = -1
        if length < 0 and not environ.get("wsgi.input_terminated"):
            return b""
        wanted = self.limit if length < 0 else min(length, self.limit)
        body = environ["wsgi.input"].read(wanted) if wanted > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        return bytes(body)


class _Kept:
    """The answer's body as the server iterates it, its first bytes kept for the journal; once it is sent (or
    the client left), the finished entry goes to ``finish`` (the event feed)."""

    def __init__(self, answer: Iterable[bytes], entry: Entry, finish: Finisher | None) -> None:
        self._answer = answer
        self._entry = entry
        self._finish = finish

    def __iter__(self) -> Iterator[bytes]:
        keep = self._entry.keep_response
        for chunk in self._answer:
            keep(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._answer, "close", None)
            if close is not None:
                close()
        finally:
            if self._finish is not None:
                self._finish(self._entry)
