"""HTTP helpers shared by the blueprints: JSON responses and the request-body reader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Request, Response

from mockserver.core import jsonio
from mockserver.core.jsonio import is_json_media_type

RAW_BODY_KEY = "creatify_mock.raw_body"


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


def read_json(request: Request, max_bytes: int) -> Any:
    """The parsed body; ``{}`` for an empty body (as DRF); 413 over the limit, 415 for non-JSON, 400 if malformed."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise ApiError(413, f"Request body is {length} bytes; the limit is {max_bytes} bytes.")
    raw = request.environ.get(RAW_BODY_KEY)
    if raw is None:  # read once: scenario matching and the view may both need the body
        raw = request.environ[RAW_BODY_KEY] = request.stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ApiError(413, f"Request body is over the limit of {max_bytes} bytes.")
    if not raw:
        return {}
    if not is_json_media_type(request.mimetype):
        shown = request.headers.get("Content-Type", "")
        raise ApiError(415, f'Unsupported media type "{shown}" in request.')
    try:
        return jsonio.loads(raw)
    except jsonio.JSONParseError as exc:
        raise ApiError(400, str(exc)) from None
