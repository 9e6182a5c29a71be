"""Admin API for webhooks: the delivery log, redelivery, reset, and the fault knobs for this run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, current_app, request

from .admin import check_token
from .http import ApiError, json_response, read_json
from .settings import SettingsError

if TYPE_CHECKING:
    from .validation import RequestValidator
    from .webhooks import Dispatcher

bp = Blueprint("admin_webhooks", __name__, url_prefix="/__admin/webhooks")
bp.before_request(check_token)


def dispatcher() -> Dispatcher:
    return current_app.extensions["creatify_mock"].webhooks


@bp.get("")
def deliveries() -> Response:
    """Every event, oldest first (``?job_id=`` for one job's), with payload, target, attempts and state."""
    return json_response(dispatcher().log.entries(request.args.get("job_id") or None))


@bp.get("/<delivery_id>")
def delivery(delivery_id: str) -> Response:
    entry = dispatcher().log.get(delivery_id)
    if entry is None:
        raise ApiError(404, "Not found.")
    return json_response(entry)


@bp.post("/<delivery_id>/redeliver")
def redeliver(delivery_id: str) -> Response:
    entry = dispatcher().redeliver(delivery_id)
    if entry is None:
        raise ApiError(404, "Not found.")
    return json_response(entry, 202)


@bp.post("/reset")
def reset() -> Response:
    dispatcher().reset()
    return json_response({"reset": True})


@bp.get("/faults")
def faults() -> Response:
    return json_response(dispatcher().faults.faults.as_dict())


@bp.put("/faults")
def set_faults() -> Response:
    body = read_json(request, 65536)
    validator: RequestValidator = current_app.extensions["creatify_mock.validator.admin_webhook_faults"]
    errors = validator.errors(body)
    if errors is not None:
        raise ApiError(400, body=errors)
    try:
        return json_response(dispatcher().faults.update(body).as_dict())
    except SettingsError as exc:
        raise ApiError(400, body={"non_field_errors": [str(exc)]}) from None


def register(app: Flask) -> None:
    app.register_blueprint(bp)
