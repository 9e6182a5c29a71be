"""Error handlers: every error, even an unexpected one, is JSON in the API's own shape, never HTML."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.routing import RequestRedirect

from mockserver.core.storage.base import StoreUnavailable
from mockserver.web.families import shaped
from mockserver.web.http import ApiError, json_response

log = logging.getLogger("creatify_mock")


def _from_http_exception(exc: HTTPException) -> Response:
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    status = exc.code or 500
    if isinstance(exc, MethodNotAllowed):
        body = {"detail": f'Method "{request.method}" not allowed.'}
    elif isinstance(exc, NotFound):
        body = {"detail": "Not found."}
    elif isinstance(exc, RequestEntityTooLarge):
        body = {"detail": "Request body is over the size limit."}
    else:
        body = {"detail": exc.description or exc.name}
    return json_response(shaped(request.path, body), status, headers)


def redirect_as_json() -> Response | None:
    """Flask answers its trailing-slash redirects itself, in HTML, before any error handler: intercept them."""
    exc = request.routing_exception
    if isinstance(exc, RequestRedirect):
        body = {"detail": f"This path needs a trailing slash; repeat the request at {exc.new_url}"}
        return json_response(shaped(request.path, body), exc.code, {"Location": exc.new_url})
    return None


def _from_api_error(exc: ApiError) -> Response:
    return json_response(shaped(request.path, exc.body), exc.status, exc.headers)


def unavailable(exc: StoreUnavailable) -> tuple[int, dict[str, str], dict[str, str]]:
    """The answer to a call the store could not serve (also the fast path's): 503, retry in a second."""
    log.error("%s", exc)
    return (
        503,
        {"detail": f"The mock's shared store is unavailable; try again shortly. ({exc})"},
        {"Retry-After": "1"},
    )


def _store_unavailable(exc: StoreUnavailable) -> Response:
    status, body, headers = unavailable(exc)
    return json_response(shaped(request.path, body), status, headers)


def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    body = {"detail": "A server error occurred in the mock; see its log."}
    return json_response(shaped(request.path, body), 500)


def register(app: Flask) -> None:
    app.before_request(redirect_as_json)
    app.register_error_handler(ApiError, _from_api_error)
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(StoreUnavailable, _store_unavailable)
    app.register_error_handler(Exception, _unexpected)
