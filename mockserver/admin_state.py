"""Admin API for snapshots: ``GET /__admin/state`` exports the mock's state, ``PUT`` imports one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, current_app, request

from .admin import check_token
from .clock import isoformat
from .http import ApiError, json_response, read_json
from .state import export_state, import_state
from .validation import RequestValidator

if TYPE_CHECKING:
    from .service import MockService

bp = Blueprint("admin_state", __name__, url_prefix="/__admin/state")
bp.before_request(check_token)
VALIDATOR = "creatify_mock.validator.admin_state"


def service() -> MockService:
    return current_app.extensions["creatify_mock"]


@bp.get("")
def export() -> Response:
    return json_response(export_state(service()))


@bp.put("")
def load() -> Response:
    """Replace the parts the body holds (jobs, balances, scenarios, sequence); checked before anything changes."""
    svc = service()
    body = read_json(request, svc.settings.max_body_bytes)
    validator: RequestValidator = current_app.extensions[VALIDATOR]
    errors = validator.errors(body)
    if errors is not None:
        raise ApiError(400, body=errors)
    try:
        counts = import_state(svc, body)
    except ValueError as exc:  # StateError, or a scenario rule that does not compile
        raise ApiError(400, body={"non_field_errors": [str(exc)]}) from None
    return json_response({"imported": counts, "now": isoformat(svc.clock.now_us())})


def register(app: Flask) -> None:
    app.extensions[VALIDATOR] = RequestValidator("admin_state")
    app.register_blueprint(bp)
