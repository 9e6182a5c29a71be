"""Admin API for credit balances: ``GET /__admin/accounts``, ``GET``/``PUT``/``DELETE /__admin/accounts/{id}``.

``credits: null`` means unlimited. Balances are read after settling jobs that ended unread (their credits count).
"""

from __future__ import annotations

from flask import Blueprint, Response

from mockserver.web.admin.auth import check_token, checked_body
from mockserver.web.context import service
from mockserver.web.http import json_response

bp = Blueprint("admin_accounts", __name__, url_prefix="/__admin/accounts")
bp.before_request(check_token)
MAX_BODY = 65536


@bp.get("")
def every_account() -> Response:
    """Every account that has a balance (the others are unlimited)."""
    return json_response([{"api_id": k, "credits": v} for k, v in service().all_credits().items()])


@bp.get("/<api_id>")
def account(api_id: str) -> Response:
    return json_response({"api_id": api_id, "credits": service().credits(api_id)})


@bp.put("/<api_id>")
def set_account(api_id: str) -> Response:
    """``{"credits": N}`` sets the balance; ``{"credits": null}`` makes the account unlimited."""
    body = checked_body("admin_account", MAX_BODY)
    return json_response({"api_id": api_id, "credits": service().set_credits(api_id, body["credits"])})


@bp.delete("/<api_id>")
def unlimited(api_id: str) -> Response:
    return json_response({"api_id": api_id, "credits": service().set_credits(api_id, None)})
