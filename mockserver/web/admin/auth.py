"""The admin token (``--admin-token``) and the admin API's own body reader, shared by its blueprints."""

from __future__ import annotations

import hmac
from typing import Any

from flask import request

from mockserver.web.context import service
from mockserver.web.http import ApiError, read_json

HEALTH_ENDPOINT = "admin.health"


def check_token() -> None:
    """With ``--admin-token``, every admin call but health needs ``X-Admin-Token`` or ``Authorization: Bearer``."""
    token = service().settings.admin_token
    if not token or request.endpoint == HEALTH_ENDPOINT:
        return
    given = request.headers.get("X-Admin-Token") or request.headers.get("Authorization", "").removeprefix(
        "Bearer "
    )
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(
            401, "Admin token missing or wrong: send it in X-Admin-Token or Authorization: Bearer."
        )


def checked_body(schema: str, max_bytes: int | None = None) -> Any:
    """The JSON body, valid against ``schema``; else a 400 with DRF's error body."""
    svc = service()
    body = read_json(request, svc.settings.max_body_bytes if max_bytes is None else max_bytes)
    errors = svc.body_errors(schema, body)
    if errors is not None:
        raise ApiError(400, body=errors)
    return body
