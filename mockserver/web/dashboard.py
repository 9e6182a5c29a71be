"""The dashboard's static shell (``/__admin/ui/``) and the index that ``/``, ``/__admin`` and ``/__admin/`` answer.

The shell and its assets hold no data (everything comes from the admin API and the event feed, which the page
reads with the admin token when the mock has one), so they are served without the token. They ship in the
wheel under ``mockserver/web/ui/`` and load from the mock itself: no CDN, no build step.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, redirect, request, send_from_directory
from werkzeug.exceptions import NotFound

from mockserver.web.http import ApiError, json_response

UI_DIR = Path(__file__).with_name("ui")
UI_PATH = "/__admin/ui/"
bp = Blueprint("dashboard", __name__)
#: No inline scripts or styles, nothing from another origin: the page only talks to the mock.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _index() -> Response:
    """A browser goes to the dashboard; a program gets a JSON map of where things are."""
    if request.accept_mimetypes.accept_html and not request.accept_mimetypes.accept_json:
        return redirect(UI_PATH, 302)  # type: ignore[return-value]
    return json_response(
        {
            "service": "creatify-mock",
            "dashboard": UI_PATH,
            "events": "/__admin/events",
            "health": "/__admin/health",
            "openapi": "/openapi.json",
            "admin_openapi": "/__admin/openapi.json",
        }
    )


def _asset(name: str) -> Response:
    try:
        response = send_from_directory(UI_DIR, name, max_age=0)
    except NotFound:
        raise ApiError(404, "Not found.") from None
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/__admin/ui/")
def shell() -> Response:
    return _asset("index.html")


@bp.get("/__admin/ui/<path:name>")
def asset(name: str) -> Response:
    return _asset(name)


def register(app: Flask) -> None:
    for rule in ("/", "/__admin", "/__admin/"):
        app.add_url_rule(rule, f"index{rule.replace('/', '_')}", _index, strict_slashes=True)
    app.add_url_rule("/__admin/ui", "dashboard_bare", lambda: redirect(UI_PATH, 308))
    app.register_blueprint(bp)
