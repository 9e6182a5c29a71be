"""Admin API for jobs and time: health, reset, jobs, advance, clock."""

from __future__ import annotations

from flask import Blueprint, Response, request

from mockserver.core.models import JobStatus
from mockserver.core.store import Conflict
from mockserver.web.admin.auth import check_token, checked_body
from mockserver.web.admin.paging import page_args, paged
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response

bp = Blueprint("admin", __name__, url_prefix="/__admin")
bp.before_request(check_token)


@bp.get("/health")
def health() -> Response:
    return json_response(service().health())


@bp.post("/reset")
def reset() -> Response:
    service().reset()
    return json_response({"reset": True})


@bp.get("/jobs")
def jobs() -> Response:
    """Every job of every account (``?account=ID`` for one), newest first, a page at a time."""
    limit, cursor = page_args()
    return paged(*service().jobs_page(request.args.get("account") or None, limit, cursor))


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> Response:
    found = service().get(None, job_id)
    if found is None:
        raise ApiError(404, "Not found.")
    return json_response(found)


@bp.post("/jobs/<job_id>/advance")
def advance(job_id: str) -> Response:
    body = checked_body("admin_advance")
    status = JobStatus(body["status"]) if "status" in body else None
    try:
        moved = service().advance(job_id, status, body.get("response_text"), body.get("failed_reason"))
    except KeyError:
        raise ApiError(404, "Not found.") from None
    except Conflict as exc:
        raise ApiError(409, str(exc)) from None
    return json_response(moved)


@bp.get("/clock")
def clock() -> Response:
    return json_response({"now": service().now()})


@bp.post("/clock/advance")
def clock_advance() -> Response:
    body = checked_body("admin_clock_advance")
    return json_response({"now": service().advance_clock(float(body["seconds"]))})
