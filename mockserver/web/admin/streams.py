"""Admin API for open streams: see them, and release a held one (manual timing) chunk by chunk."""

from __future__ import annotations

from flask import Blueprint, Response

from mockserver.web.admin.auth import check_token, checked_body
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response

bp = Blueprint("admin_streams", __name__, url_prefix="/__admin/streams")
bp.before_request(check_token)


@bp.get("")
def streams() -> Response:
    """Open streams: ``job_id``, ``chunks`` planned, ``sent``, ``released`` and whether they are ``gated``."""
    return json_response(service().open_streams())


@bp.post("/<job_id>/release")
def release(job_id: str) -> Response:
    """``{"chunks": N}`` lets N more chunks through; no body lets the stream run to its end."""
    body = checked_body("admin_stream_release")
    released = service().release_stream(job_id, body.get("chunks"))
    if released is None:
        raise ApiError(404, f"No open stream for job {job_id}.")
    return json_response(released)
