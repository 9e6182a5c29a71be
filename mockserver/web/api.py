"""The imitated API: ``/api/text_generator/``. Views parse, call the service, serialize; nothing else."""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, g, request

from mockserver.contract.openapi import IDS_BLANKS, MAX_IDS, UUID_PATTERN
from mockserver.core.limits import LimitExceeded
from mockserver.web.accesslog import annotate
from mockserver.web.context import service
from mockserver.web.http import ApiError, count_limits, json_response, over_limit, read_json

bp = Blueprint("api", __name__, url_prefix="/api/text_generator")

_UUID = re.compile(UUID_PATTERN)


@bp.post("/")
def create() -> Response:
    svc = service()
    try:
        body = read_json(request, svc.settings.max_body_bytes, count_limits(svc.settings).check)
    except LimitExceeded as exc:
        raise over_limit(exc) from None
    errors = svc.body_errors("create_request", body)
    if errors is not None:
        return json_response(errors, 400)
    cleaned, webhook_url = svc.clean_create(body)
    job = svc.create(g.account, cleaned, webhook_url, g.get("scenario_rule"))
    annotate(request.environ, job_id=job["id"])
    return json_response(job, 201)


@bp.get("/<job_id>/")
def read(job_id: str) -> Response:
    job = service().get(g.account, job_id)
    if job is None:
        raise ApiError(404, "Not found.")
    return json_response(job)


@bp.get("/")
def list_jobs() -> Response:
    ids = ids_filter(request.args.get("ids"))
    return json_response(service().list(g.account, ids))


@bp.route("/", methods=["OPTIONS"], endpoint="options_list")
@bp.route("/<job_id>/", methods=["OPTIONS"], endpoint="options_detail")
def options(job_id: str | None = None) -> Response:
    """DRF answers OPTIONS with view metadata; the mock gives the same kind of JSON, never an empty HTML body."""
    allowed = "GET, HEAD, OPTIONS" if job_id else "GET, POST, HEAD, OPTIONS"
    name = "Text Generator Instance" if job_id else "Text Generator List"
    body = {"name": name, "description": "", "renders": ["application/json"], "parses": ["application/json"]}
    return json_response(body, headers={"Allow": allowed})


def ids_filter(raw: str | None) -> list[str] | None:
    """``?ids=a,b``: empty means no filter; more than 100 or a malformed id is a 400 keyed ``ids``.

    Exactly the shape ``/openapi.json`` documents (``IDS_PATTERN``): canonical UUIDs, any case.
    """
    if not raw:
        return None
    ids = [part.strip(IDS_BLANKS) for part in raw.split(",") if part.strip(IDS_BLANKS)]
    if len(ids) > MAX_IDS:
        raise ApiError(400, body={"ids": [f"Ensure this field has no more than {MAX_IDS} elements."]})
    bad = [i for i in ids if _UUID.fullmatch(i) is None]
    if bad:
        raise ApiError(400, body={"ids": [f"“{b}” is not a valid UUID." for b in bad[:5]]})
    return [i.lower() for i in ids]


def register(app: Flask) -> None:
    app.register_blueprint(bp)
