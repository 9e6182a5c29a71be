"""Admin API for snapshots: ``GET /__admin/state`` exports the mock's state, ``PUT`` imports one."""

from __future__ import annotations

from flask import Blueprint, Response

from mockserver.web.admin.auth import check_token, checked_body
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response

bp = Blueprint("admin_state", __name__, url_prefix="/__admin/state")
bp.before_request(check_token)


@bp.get("")
def export() -> Response:
    return json_response(service().export_state())


@bp.put("")
def load() -> Response:
    """Replace the parts the body holds (jobs, balances, scenarios, sequence); checked before anything changes."""
    body = checked_body("admin_state")
    svc = service()
    try:
        counts = svc.import_state(body)
    except ValueError as exc:  # StateError, or a scenario rule that does not compile
        raise ApiError(400, body={"non_field_errors": [str(exc)]}) from None
    return json_response({"imported": counts, "now": svc.now()})
