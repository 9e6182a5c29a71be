"""The mock's own admin API under ``/__admin/`` (WireMock-style): health, reset, jobs, advance, clock."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, request

from .clock import isoformat
from .http import ApiError, json_response, read_json
from .models import JobStatus
from .store import Conflict
from .version import mock_version

if TYPE_CHECKING:
    from .service import MockService
    from .validation import RequestValidator

bp = Blueprint("admin", __name__, url_prefix="/__admin")


def service() -> MockService:
    return current_app.extensions["creatify_mock"]


@bp.before_request
def check_token() -> None:
    """With ``--admin-token``, every admin call but health needs ``X-Admin-Token`` or ``Authorization: Bearer``."""
    token = service().settings.admin_token
    if not token or request.endpoint == "admin.health":
        return
    given = request.headers.get("X-Admin-Token") or request.headers.get("Authorization", "").removeprefix(
        "Bearer "
    )
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(
            401, "Admin token missing or wrong: send it in X-Admin-Token or Authorization: Bearer."
        )


def _body(schema: str) -> dict[str, Any]:
    body = read_json(request, service().settings.max_body_bytes)
    validator: RequestValidator = current_app.extensions[f"creatify_mock.validator.{schema}"]
    errors = validator.errors(body)
    if errors is not None:
        raise ApiError(400, body=errors)
    return body


@bp.get("/health")
def health() -> Response:
    svc = service()
    return json_response(
        {
            "status": "ok",
            "version": mock_version(),
            "timing": svc.settings.timing,
            "jobs": len(svc.store),
            "now": isoformat(svc.clock.now_us()),
        }
    )


@bp.post("/reset")
def reset() -> Response:
    service().reset()
    return json_response({"reset": True})


@bp.get("/jobs")
def jobs() -> Response:
    """Every job of every account (``?account=ID`` for one), newest first."""
    return json_response(service().list(request.args.get("account") or None))


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> Response:
    found = service().get(None, job_id)
    if found is None:
        raise ApiError(404, "Not found.")
    return json_response(found)


@bp.post("/jobs/<job_id>/advance")
def advance(job_id: str) -> Response:
    body = _body("admin_advance")
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
    return json_response({"now": isoformat(service().clock.now_us())})


@bp.post("/clock/advance")
def clock_advance() -> Response:
    body = _body("admin_clock_advance")
    svc = service()
    svc.advance_clock(float(body["seconds"]))
    return json_response({"now": isoformat(svc.clock.now_us())})


def register(app: Flask) -> None:
    app.register_blueprint(bp)
