"""HTTP helpers shared by the blueprints: JSON responses and the request-body reader."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from flask import Request, Response

from mockserver.config.settings import Settings
from mockserver.core import jsonio
from mockserver.core.jsonio import is_json_media_type
from mockserver.core.limits import CountLimits, LimitExceeded

RAW_BODY_KEY = "creatify_mock.raw_body"
#: A check of the parsed body that runs before the rest of the parse (``CountLimits.check``).
Check = Callable[[Any], None]


@functools.lru_cache(maxsize=8)
def count_limits(settings: Settings) -> CountLimits:
    """The create bodies' count limits, built once per settings."""
    return CountLimits(
        settings.max_messages,
        settings.max_tools,
        settings.max_function_declarations,
        settings.max_container_items,
    )


def over_limit(exc: LimitExceeded) -> ApiError:
    """The /api/ family's answer to a body over a count limit: DRF's field error naming the limit."""
    return ApiError(400, body={exc.field: [exc.message]})


class ApiError(Exception):
    """An error answered as JSON in the API's own shape (``{"detail": ...}`` unless ``body`` is given)."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(detail or str(body))
        self.status = status
        self.body = body if body is not None else {"detail": detail}
        self.headers = dict(headers or {})


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    response = Response(jsonio.dumps(data), status, content_type="application/json")
    if headers:  # after: a scenario's own headers may replace the Content-Type
        response.headers.update(headers)
    return response


def read_json(request: Request, max_bytes: int, check: Check | None = None) -> Any:
    """The parsed body; ``{}`` for an empty body (as DRF); 413 over the limit, 415 for non-JSON, 400 if malformed;
    ``check`` (count limits) may raise ``LimitExceeded`` before the rest of the parse."""
    raw = read_body(request.environ, request.content_length, request.stream.read, max_bytes)
    return decode_body(raw, request.mimetype, request.headers.get("Content-Type", ""), check)


def read_body(
    environ: dict[str, Any], length: int | None, read: Callable[[int], bytes], max_bytes: int
) -> bytes:
    """The raw body, read once per request (scenario matching and the view may both need it); 413 over the limit.

    Shared by the Flask views and the fast path, so both refuse the same bodies with the same words."""
    if length is not None and length > max_bytes:
        raise ApiError(413, f"Request body is {length} bytes; the limit is {max_bytes} bytes.")
    raw: bytes | None = environ.get(RAW_BODY_KEY)
    if raw is None:
        raw = environ[RAW_BODY_KEY] = read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ApiError(413, f"Request body is over the limit of {max_bytes} bytes.")
    return raw


def decode_body(raw: bytes, mimetype: str, content_type: str, check: Check | None = None) -> Any:
    """``{}`` for no body (as DRF), 415 for a body that is not JSON, 400 for malformed JSON, else the value."""
    if not raw:
        return {}
    if not is_json_media_type(mimetype):
        raise ApiError(415, f'Unsupported media type "{content_type}" in request.')
    try:
        return jsonio.loads(raw, check)
    except jsonio.JSONParseError as exc:
        raise ApiError(400, str(exc)) from None
