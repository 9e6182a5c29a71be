"""The fast path: a small WSGI dispatcher in front of Flask for the three hot ``/api/`` calls.

Flask's request context, routing and hooks cost more per call than the mock's own work; this answers
``POST /api/text_generator/``, ``GET /api/text_generator/`` and ``GET /api/text_generator/{id}/`` straight from
the WSGI environ, through the same service facade, the same pipeline decisions (``credentials_error``,
``limit_error``), the same body reader and validators and the same error bodies and headers. It owns nothing
else: any other path or method, a scenario rule in force, an ``Origin`` header (CORS), a body without a
``Content-Length`` or over the limit, or anything it does not read the way werkzeug would, goes to Flask
untouched — always decided before a side effect (the rate budget) is spent, so no call is counted twice.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.http import HTTP_STATUS_CODES, parse_options_header

from mockserver.core import jsonio
from mockserver.service import MockService
from mockserver.web.accesslog import annotate
from mockserver.web.api import ids_filter
from mockserver.web.http import ApiError, decode_body, read_body
from mockserver.web.pipeline import credentials_error, limit_error

PREFIX = "/api/text_generator/"
NOT_FOUND = "Not found."
UNEXPECTED = {"detail": "A server error occurred in the mock; see its log."}
JSON_HEADER = ("Content-Type", "application/json")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
#: What a handler answers: status, JSON-ready body, extra headers.
Answer = tuple[int, Any, dict[str, str]]

log = logging.getLogger("creatify_mock")
access_log = logging.getLogger("creatify_mock.access")


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

    def __init__(self, app: WSGIApp, svc: MockService, log_requests: bool) -> None:
        self.app = app
        self.svc = svc
        self.log_requests = log_requests
        self.max_bytes = svc.settings.max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        handler = self._route(environ)
        if handler is None:
            return self.app(environ, start_response)
        started = time.perf_counter()
        status, body, headers = self._answer(environ, handler)
        payload = jsonio.dumps(body)
        out = [JSON_HEADER, ("Content-Length", str(len(payload)))]
        if headers:
            out += headers.items()
        start_response(_status_line(status), out)
        if self.log_requests:
            _log(environ, status, started)
        return [payload]

    def _route(self, environ: dict[str, Any]) -> Callable[[dict[str, Any], str], Answer] | None:
        """The handler this call would reach in Flask, or None to let Flask answer it."""
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX) or "HTTP_ORIGIN" in environ or self.svc.scenarios_active:
            return None
        rest = path[len(PREFIX) :]
        method = environ.get("REQUEST_METHOD")
        if not rest:
            if method == "GET":
                return self._list if environ.get("QUERY_STRING", "").isascii() else None
            if method == "POST":
                length = environ.get("CONTENT_LENGTH", "")
                fits = length.isascii() and length.isdigit() and int(length) <= self.max_bytes
                return self._create if fits else None
            return None
        if (
            method == "GET"
            and rest.endswith("/")
            and "/" not in rest[:-1]
            and rest.isascii()
            and len(rest) > 1
        ):
            return self._read
        return None

    def _answer(self, environ: dict[str, Any], handler: Callable[[dict[str, Any], str], Answer]) -> Answer:
        """Authentication, then rate limit and credits, then the view: DRF's order, as in ``pipeline``."""
        try:
            api_id = environ.get("HTTP_X_API_ID", "")
            error = credentials_error(self.svc, api_id, environ.get("HTTP_X_API_KEY", "")) or limit_error(
                self.svc, api_id, handler == self._create
            )
            if error is not None:
                raise error
            return handler(environ, api_id)
        except ApiError as exc:
            return exc.status, exc.body, exc.headers
        except Exception:
            log.exception(
                "unexpected error on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            )
            return 500, UNEXPECTED, {}

    def _create(self, environ: dict[str, Any], account: str) -> Answer:
        length = int(environ["CONTENT_LENGTH"])
        stream = environ["wsgi.input"]
        raw = read_body(environ, length, lambda size: stream.read(min(size, length)), self.max_bytes)
        content_type = environ.get("CONTENT_TYPE", "")
        body = decode_body(raw, _mimetype(content_type), content_type)
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


def _log(environ: dict[str, Any], status: int, started: float) -> None:
    """The access log line Flask's ``after_request`` hook writes (``app._access_log``), in the same format."""
    query = environ.get("QUERY_STRING", "")
    access_log.info(
        '%s "%s %s" %s %.1fms',
        environ.get("REMOTE_ADDR"),
        environ.get("REQUEST_METHOD"),
        f"{environ.get('PATH_INFO', '')}?{query}".rstrip("?"),
        status,
        (time.perf_counter() - started) * 1000,
    )
