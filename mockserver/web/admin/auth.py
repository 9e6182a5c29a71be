"""Who may use the admin API, and the admin API's own body reader, shared by its blueprints.

The admin API belongs to the person running the mock. Two doors stay shut to a web page open in their browser
(docs/security.md): CORS is off for ``/__admin/`` (``web/cors.py``), and a state-changing call must carry
``Content-Type: application/json`` or ``X-Creatify-Mock: 1`` — neither can be sent cross-site without a
preflight, so a form post or a ``fetch`` with ``text/plain`` is refused (415) before it changes anything.
``--admin-token`` then covers every admin path but health and the dashboard's static shell.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Flask, request

from mockserver.web.context import service
from mockserver.web.cors import is_admin
from mockserver.web.http import ApiError, read_json

HEALTH_ENDPOINT = "admin.health"
#: Admin paths served without the token: a liveness probe, and the dashboard's shell (it holds no data).
OPEN_PATHS = frozenset({"/__admin/health", "/__admin/ui"})
OPEN_PREFIXES = ("/__admin/ui/",)
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The header a client may send instead of a JSON content type (any custom header forces a preflight).
INTENT_HEADER = "X-Creatify-Mock"
UNSAFE_KIND = (
    'A state-changing admin call needs "Content-Type: application/json" (an empty body is fine) or the '
    f'header "{INTENT_HEADER}: 1"; got Content-Type {{given}}. A web page cannot send either to another '
    "origin without asking first, which is what keeps the mock's admin API the operator's."
)


def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _bearer(authorization: str) -> str:
    """The credentials of ``Authorization: Bearer <token>``, the scheme in any case (RFC 9110 11.1)."""
    scheme, _, credentials = authorization.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def check_token() -> None:
    """With ``--admin-token``, every admin call but the open paths needs ``X-Admin-Token`` or ``Authorization:
    Bearer``. Idempotent: the app-wide guard calls it, and blueprints may too."""
    token = service().settings.admin_token
    if not token or request.endpoint == HEALTH_ENDPOINT or _is_open(request.path):
        return
    given = request.headers.get("X-Admin-Token") or _bearer(request.headers.get("Authorization", ""))
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(
            401,
            "Admin token missing or wrong: send it in X-Admin-Token or Authorization: Bearer.",
            headers={"WWW-Authenticate": 'Bearer realm="creatify-mock admin"'},
        )


def check_kind() -> None:
    """A state-changing call that a cross-site form or simple request could have sent is a 415."""
    if request.method not in STATE_CHANGING:
        return
    if request.mimetype == "application/json" or request.headers.get(INTENT_HEADER, "").strip() == "1":
        return
    given = request.headers.get("Content-Type")
    raise ApiError(415, UNSAFE_KIND.format(given=f'"{given}"' if given else "none"))


def guard() -> None:
    """Before every call under ``/__admin/`` (blueprints, the OpenAPI document, unknown paths alike)."""
    if not is_admin(request.path):
        return
    check_token()
    check_kind()


def register(app: Flask) -> None:
    app.before_request(guard)


def checked_body(schema: str, max_bytes: int | None = None) -> Any:
    """The JSON body, valid against ``schema``; else a 400 with DRF's error body."""
    svc = service()
    body = read_json(request, svc.settings.max_body_bytes if max_bytes is None else max_bytes)
    errors = svc.body_errors(schema, body)
    if errors is not None:
        raise ApiError(400, body=errors)
    return body
