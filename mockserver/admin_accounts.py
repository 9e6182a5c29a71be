"""Admin API for credit balances: ``GET /__admin/accounts``, ``GET``/``PUT``/``DELETE /__admin/accounts/{id}``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, current_app, request

from .admin import check_token
from .http import ApiError, json_response, read_json
from .validation import RequestValidator

if TYPE_CHECKING:
    from .accounts import Accounts

bp = Blueprint("admin_accounts", __name__, url_prefix="/__admin/accounts")
bp.before_request(check_token)
VALIDATOR = "creatify_mock.validator.admin_account"


def accounts() -> Accounts:
    """The balances, after settling jobs that ended unread (their credits count at once)."""
    svc = current_app.extensions["creatify_mock"]
    svc.store.tick(svc.clock.now_us())
    return svc.accounts


@bp.get("")
def every_account() -> Response:
    """Every account that has a balance (the others are unlimited)."""
    return json_response([{"api_id": k, "credits": v} for k, v in accounts().all().items()])


@bp.get("/<api_id>")
def account(api_id: str) -> Response:
    """``credits: null`` means unlimited."""
    return json_response(accounts().view(api_id))


@bp.put("/<api_id>")
def set_account(api_id: str) -> Response:
    """``{"credits": N}`` sets the balance; ``{"credits": null}`` makes the account unlimited."""
    body = read_json(request, 65536)
    validator: RequestValidator = current_app.extensions[VALIDATOR]
    errors = validator.errors(body)
    if errors is not None:
        raise ApiError(400, body=errors)
    accounts().set(api_id, body["credits"])
    svc = current_app.extensions["creatify_mock"]
    svc.store.rewatch(api_id)  # its jobs already running now count against the balance when they end
    svc.scheduler.start()
    return json_response(accounts().view(api_id))


@bp.delete("/<api_id>")
def unlimited(api_id: str) -> Response:
    accounts().set(api_id, None)
    return json_response(accounts().view(api_id))


def register(app: Flask) -> None:
    app.extensions[VALIDATOR] = RequestValidator("admin_account")
    app.register_blueprint(bp)
