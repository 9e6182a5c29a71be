"""The imitated API: ``/api/text_generator/``. Views parse, call the service, serialize; nothing else."""

from __future__ import annotations

import functools
import hmac
import re
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.exceptions import MethodNotAllowed

from . import ranges
from .http import ApiError, json_response, read_json
from .openapi import MAX_IDS, UUID_PATTERN

if TYPE_CHECKING:
    from .service import MockService
    from .validation import RequestValidator

bp = Blueprint("api", __name__, url_prefix="/api/text_generator")

_UUID = re.compile(UUID_PATTERN)
NO_CREDENTIALS = "Authentication credentials were not provided."
BAD_CREDENTIALS = "Incorrect authentication credentials."
CHALLENGE = {"WWW-Authenticate": 'X-API-KEY realm="api"'}


def service() -> MockService:
    return current_app.extensions["creatify_mock"]


def authenticate() -> None:
    """Before every /api/ call that routes (or is a wrong method, as DRF authenticates before 405).

    Runs on every request, so it reads the WSGI environ directly (one proxy lookup, not one per header).
    """
    req = request._get_current_object()  # type: ignore[attr-defined]
    environ = req.environ
    if not environ.get("PATH_INFO", "").lstrip("/").startswith("api/"):  # as werkzeug routes ``//api/...``
        return
    exc = req.routing_exception
    if exc is not None and not isinstance(exc, MethodNotAllowed):
        return
    api_id = environ.get("HTTP_X_API_ID", "")
    api_key = environ.get("HTTP_X_API_KEY", "")
    if not api_id or not api_key:
        raise ApiError(401, NO_CREDENTIALS, headers=CHALLENGE)
    accepted = _accepted(service().settings.api_key)
    if accepted and not hmac.compare_digest(accepted.get(api_id, "").encode(), api_key.encode()):
        raise ApiError(401, BAD_CREDENTIALS, headers=CHALLENGE)
    g.account = api_id


@functools.lru_cache(maxsize=8)
def _accepted(pairs: tuple[str, ...]) -> dict[str, str]:
    """``Settings.api_keys`` parsed once per distinct setting, not on every request."""
    return dict(pair.split(":", 1) for pair in pairs)


@bp.post("/")
def create() -> Response:
    svc = service()
    body = read_json(request, svc.settings.max_body_bytes)
    validator: RequestValidator = current_app.extensions["creatify_mock.validator"]
    errors = validator.errors(body)
    if errors is None and svc.settings.strict_ranges:
        errors = ranges.drf_errors(body.get("config") or {})
    if errors is not None:
        return json_response(errors, 400)
    cleaned = validator.clean(body)
    webhook_url = cleaned.pop("webhook_url", None)
    return json_response(svc.create(g.account, cleaned, webhook_url, g.get("scenario_rule")), 201)


@bp.get("/<job_id>/")
def read(job_id: str) -> Response:
    job = service().get(g.account, job_id)
    if job is None:
        raise ApiError(404, "Not found.")
    return json_response(job)


@bp.get("/")
def list_jobs() -> Response:
    ids = _ids_filter(request.args.get("ids"))
    return json_response(service().list(g.account, ids))


@bp.route("/", methods=["OPTIONS"], endpoint="options_list")
@bp.route("/<job_id>/", methods=["OPTIONS"], endpoint="options_detail")
def options(job_id: str | None = None) -> Response:
    """DRF answers OPTIONS with view metadata; the mock gives the same kind of JSON, never an empty HTML body."""
    allowed = "GET, HEAD, OPTIONS" if job_id else "GET, POST, HEAD, OPTIONS"
    name = "Text Generator Instance" if job_id else "Text Generator List"
    body = {"name": name, "description": "", "renders": ["application/json"], "parses": ["application/json"]}
    return json_response(body, headers={"Allow": allowed})


def _ids_filter(raw: str | None) -> list[str] | None:
    """``?ids=a,b``: empty means no filter; more than 100 or a malformed id is a 400 keyed ``ids``.

    Exactly the shape ``/openapi.json`` documents (``IDS_PATTERN``): canonical UUIDs, any case.
    """
    if not raw:
        return None
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if len(ids) > MAX_IDS:
        raise ApiError(400, body={"ids": [f"Ensure this field has no more than {MAX_IDS} elements."]})
    bad = [i for i in ids if _UUID.fullmatch(i) is None]
    if bad:
        raise ApiError(400, body={"ids": [f"“{b}” is not a valid UUID." for b in bad[:5]]})
    return [i.lower() for i in ids]


def register(app: Flask) -> None:
    app.before_request(authenticate)
    app.register_blueprint(bp)
