"""The fast path: a small WSGI dispatcher in front of Flask for the hot calls of both families.

Flask's request context, routing and hooks cost more per call than the mock's own work; this answers
``POST``/``GET /api/text_generator/``, ``GET /api/text_generator/{id}/``, and their ``/sse/text_generator/``
twins plus ``POST /sse/text_generator/stream/``, straight from the WSGI environ, through the same service
facade, the same pipeline decisions (``credentials_error``, ``limit_error``), the same body reader and
validators, the same answer bodies (a stream's ``Events``, a sync create's ``SyncAnswer``) and the same error
bodies and headers (worded per family by ``families.shaped``). It owns nothing else: any other path or method,
a scenario rule in force, an ``Origin`` header (CORS), a body without a ``Content-Length`` or over the limit, or
anything it does not read the way werkzeug would, goes to Flask untouched — always decided before a side effect
(the rate budget) is spent, so no call is counted twice.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.http import HTTP_STATUS_CODES, parse_options_header

from mockserver.core import jsonio
from mockserver.core.limits import LimitExceeded
from mockserver.core.storage.base import StoreUnavailable
from mockserver.service import MockService
from mockserver.validation.sse import invalid_body
from mockserver.web import streaming
from mockserver.web.accesslog import annotate
from mockserver.web.api import ids_filter
from mockserver.web.errors import unavailable
from mockserver.web.families import shaped
from mockserver.web.http import ApiError, count_limits, decode_body, over_limit, read_body
from mockserver.web.pipeline import credentials_error, limit_error
from mockserver.web.sse import STREAM_HEADERS, Events, SyncAnswer

PREFIX = "/api/text_generator/"
SSE_PREFIX = "/sse/text_generator/"
STREAM_REST = "stream/"
#: Where ``create_app`` keeps the fast path in ``app.extensions``: the server asks it which calls to run inline.
FAST_PATH_KEY = "creatify_mock.fast_path"
#: The handler ``instant`` found, kept in the environ for ``__call__`` (the server asks, then calls: route once).
_ROUTE_KEY = "creatify_mock.fast_route"
NOT_FOUND = "Not found."
UNEXPECTED = {"detail": "A server error occurred in the mock; see its log."}
JSON_HEADER = ("Content-Type", "application/json")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
#: What a handler answers: status, JSON-ready body, extra headers.
Answer = tuple[int, Any, dict[str, str]]

log = logging.getLogger("creatify_mock")


@functools.lru_cache(maxsize=64)
def _status_line(code: int) -> str:
    """The status line werkzeug sends (``201 CREATED``), so both paths put the same bytes on the wire."""
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


@functools.lru_cache(maxsize=64)
def _mimetype(content_type: str) -> str:
    """``request.mimetype`` as werkzeug computes it; clients send few distinct values, so parse each once."""
    return parse_options_header(content_type)[0].lower()


class FastPath:
    """Wraps Flask's ``wsgi_app``; the journal middleware wraps this, so every call is journaled as before."""

    def __init__(self, app: WSGIApp, svc: MockService) -> None:
        self.app = app
        self.svc = svc
        self.max_bytes = svc.settings.max_body_bytes
        self.limits = count_limits(svc.settings)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        handler = environ.pop(_ROUTE_KEY, None) or self._route(environ)
        if handler is None:
            return self.app(environ, start_response)
        status, body, headers = self._answer(environ, handler)
        if isinstance(body, Events | SyncAnswer):  # an answer that waits: the server drives it
            kind = "text/event-stream" if isinstance(body, Events) else "application/json"
            start_response(_status_line(status), [("Content-Type", kind), *headers.items()])
            return streaming.defer(environ, body)
        payload = jsonio.dumps(body)
        out = [JSON_HEADER, ("Content-Length", str(len(payload)))]
        if headers:
            out += headers.items()
        start_response(_status_line(status), out)
        return [payload]

    def owns(self, environ: dict[str, Any]) -> bool:
        """Whether this call is answered here, on the server's event loop (never blocking: an answer that waits
        is handed back as an ``AsyncBody``)."""
        return self._route(environ) is not None

    def instant(self, environ: dict[str, Any]) -> bool:
        """Whether this call is answered here and never waits (no stream, no sync create): the server may then
        answer it as its request ends, with no task of its own."""
        handler = self._route(environ)
        if handler is None or handler in (self._sse_create, self._stream):
            return False
        environ[_ROUTE_KEY] = handler
        return True

    def _route(self, environ: dict[str, Any]) -> Callable[[dict[str, Any], str], Answer] | None:
        """The handler this call would reach in Flask, or None to let Flask answer it."""
        path: str = environ.get("PATH_INFO", "")
        # A call run again after its latency's wait (``streaming.AGAIN_KEY``) goes back to Flask, which applies
        # the rule it took, even when that rule has retired since (``times``) and no other is active.
        if "HTTP_ORIGIN" in environ or self.svc.scenarios_active or streaming.AGAIN_KEY in environ:
            return None
        if path.startswith(PREFIX):
            rest, create, read, listing = path[len(PREFIX) :], self._create, self._read, self._list
        elif path.startswith(SSE_PREFIX):
            rest, create, read, listing = (
                path[len(SSE_PREFIX) :],
                self._sse_create,
                self._sse_read,
                self._sse_list,
            )
            if rest == STREAM_REST and environ.get("REQUEST_METHOD") == "POST":
                rest, create = "", self._stream
            elif rest == STREAM_REST:
                return None  # Flask's 405
        else:
            return None
        method = environ.get("REQUEST_METHOD")
        if not rest:
            if method == "GET":
                return listing if environ.get("QUERY_STRING", "").isascii() else None
            if method == "POST":
                length = environ.get("CONTENT_LENGTH", "")
                fits = length.isascii() and length.isdigit() and int(length) <= self.max_bytes
                return create if fits else None
            return None
        if (
            method == "GET"
            and rest.endswith("/")
            and "/" not in rest[:-1]
            and rest.isascii()
            and len(rest) > 1
        ):
            return read
        return None

    def _answer(self, environ: dict[str, Any], handler: Callable[[dict[str, Any], str], Answer]) -> Answer:
        """Authentication, then rate limit and credits, then the view: DRF's order, as in ``pipeline``."""
        try:
            api_id = environ.get("HTTP_X_API_ID", "")
            error = credentials_error(self.svc, api_id, environ.get("HTTP_X_API_KEY", "")) or limit_error(
                self.svc, api_id, handler in (self._create, self._sse_create, self._stream)
            )
            if error is not None:
                raise error
            return handler(environ, api_id)
        except ApiError as exc:
            return exc.status, shaped(environ["PATH_INFO"], exc.body), exc.headers
        except StoreUnavailable as exc:
            status, body, headers = unavailable(exc)
            return status, shaped(environ["PATH_INFO"], body), headers
        except Exception:
            log.exception(
                "unexpected error on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            )
            return 500, shaped(environ["PATH_INFO"], UNEXPECTED), {}

    def _body(self, environ: dict[str, Any]) -> Any:
        length = int(environ["CONTENT_LENGTH"])
        stream = environ["wsgi.input"]
        raw = read_body(environ, length, lambda size: stream.read(min(size, length)), self.max_bytes)
        content_type = environ.get("CONTENT_TYPE", "")
        return decode_body(raw, _mimetype(content_type), content_type, self.limits.check)

    def _sse_body(self, environ: dict[str, Any]) -> tuple[dict[str, Any], str | None, bool]:
        """As ``web.sse._body``: the family's own 400 for a body it refuses."""
        try:
            body = self._body(environ)
        except LimitExceeded as exc:  # the family's one-string error, naming the limit
            raise ApiError(400, body={"error": invalid_body({exc.field: [exc.message]})}) from None
        error = self.svc.sse_body_error(body)
        if error is not None:
            raise ApiError(400, body={"error": error})
        return self.svc.clean_sse(body)

    def _sse_create(self, environ: dict[str, Any], account: str) -> Answer:
        cleaned, webhook_url, sync = self._sse_body(environ)
        if not sync:
            return 201, self.svc.create_sse(account, cleaned, webhook_url), {}
        return 201, SyncAnswer(self.svc.create_sse_waiting(account, cleaned, webhook_url)), {}

    def _stream(self, environ: dict[str, Any], account: str) -> Answer:
        cleaned, webhook_url, _sync = self._sse_body(environ)  # ``sync`` means nothing on a stream
        return 200, Events(self.svc.open_stream(account, cleaned, webhook_url), environ), STREAM_HEADERS

    def _sse_read(self, environ: dict[str, Any], account: str) -> Answer:
        job = self.svc.get_sse(account, environ["PATH_INFO"][len(SSE_PREFIX) : -1])
        return (404, {"error": NOT_FOUND}, {}) if job is None else (200, job, {})

    def _sse_list(self, environ: dict[str, Any], account: str) -> Answer:
        return 200, self.svc.list_sse(account), {}

    def _create(self, environ: dict[str, Any], account: str) -> Answer:
        try:
            body = self._body(environ)
        except LimitExceeded as exc:
            raise over_limit(exc) from None
        errors = self.svc.body_errors("create_request", body)
        if errors is not None:
            return 400, errors, {}
        cleaned, webhook_url = self.svc.clean_create(body)
        job = self.svc.create(account, cleaned, webhook_url)
        annotate(environ, job_id=job["id"])
        return 201, job, {}

    def _read(self, environ: dict[str, Any], account: str) -> Answer:
        job = self.svc.get(account, environ["PATH_INFO"][len(PREFIX) : -1])
        return (404, {"detail": NOT_FOUND}, {}) if job is None else (200, job, {})

    def _list(self, environ: dict[str, Any], account: str) -> Answer:
        query = environ.get("QUERY_STRING", "")
        # request.args.get("ids"): werkzeug's parse (first value, blanks kept, bad escapes left as they are)
        pairs = parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote") if query else []
        raw = next((value for key, value in pairs if key == "ids"), None)
        return 200, self.svc.list(account, ids_filter(raw)), {}
