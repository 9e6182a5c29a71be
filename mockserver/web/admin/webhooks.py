"""Admin API for webhooks: the delivery log, redelivery, reset, and the fault knobs for this run."""

from __future__ import annotations

from flask import Blueprint, Response, request

from mockserver.config.values import SettingsError
from mockserver.web.admin.auth import check_token, checked_body
from mockserver.web.admin.paging import page_args, paged
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response

bp = Blueprint("admin_webhooks", __name__, url_prefix="/__admin/webhooks")
bp.before_request(check_token)
MAX_BODY = 65536


@bp.get("")
def deliveries() -> Response:
    """Every event, oldest first (``?job_id=`` for one job's), with payload, target, attempts and state; a page
    at a time."""
    limit, cursor = page_args()
    return paged(*service().deliveries_page(request.args.get("job_id") or None, limit, cursor))


@bp.get("/<delivery_id>")
def delivery(delivery_id: str) -> Response:
    entry = service().delivery(delivery_id)
    if entry is None:
        raise ApiError(404, "Not found.")
    return json_response(entry)


@bp.post("/<delivery_id>/redeliver")
def redeliver(delivery_id: str) -> Response:
    entry = service().redeliver(delivery_id)
    if entry is None:
        raise ApiError(404, "Not found.")
    return json_response(entry, 202)


@bp.post("/reset")
def reset() -> Response:
    service().reset_webhooks()
    return json_response({"reset": True})


@bp.get("/faults")
def faults() -> Response:
    return json_response(service().webhook_faults())


@bp.put("/faults")
def set_faults() -> Response:
    body = checked_body("admin_webhook_faults", MAX_BODY)
    try:
        return json_response(service().set_webhook_faults(body))
    except SettingsError as exc:
        raise ApiError(400, body={"non_field_errors": [str(exc)]}) from None
