"""Admin API for scenario rules: list, add (one or many), replace, delete one or all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, request

from .admin import check_token
from .http import ApiError, json_response, read_json
from .scenarios import ScenarioError

if TYPE_CHECKING:
    from .scenarios import ScenarioBook

bp = Blueprint("admin_scenarios", __name__, url_prefix="/__admin/scenarios")
bp.before_request(check_token)


def book() -> ScenarioBook:
    return current_app.extensions["creatify_mock"].scenarios


def _body() -> Any:
    return read_json(request, current_app.extensions["creatify_mock"].settings.max_body_bytes)


@bp.get("")
def rules() -> Response:
    """The rules in order, each with its id, remaining ``times`` and how often it applied."""
    return json_response(book().views())


@bp.post("")
def add() -> Response:
    """Append a rule, or a list of rules (``?position=N`` inserts there instead); 201 with what was added."""
    body = _body()
    specs = body if isinstance(body, list) else [body]
    position = request.args.get("position", type=int)
    added = []
    try:
        for offset, spec in enumerate(specs):
            added.append(book().add(spec, None if position is None else position + offset).view())
    except ScenarioError as exc:
        for done in added:
            book().remove(done["id"])
        raise ApiError(400, str(exc)) from None
    return json_response(added if isinstance(body, list) else added[0], 201)


@bp.put("")
def replace_all() -> Response:
    """Replace every rule with ``{"scenarios": [...]}`` (the scenario file's shape)."""
    body = _body()
    if not isinstance(body, dict) or not isinstance(body.get("scenarios"), list):
        raise ApiError(400, body={"scenarios": ["Expected a list of rules under 'scenarios'."]})
    try:
        book().replace(body["scenarios"], "PUT /__admin/scenarios")
    except ScenarioError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(book().views())


@bp.delete("")
def clear() -> Response:
    book().clear()
    return json_response([])


@bp.delete("/<rule_id>")
def remove(rule_id: str) -> Response:
    if not book().remove(rule_id):
        raise ApiError(404, "Not found.")
    return json_response(book().views())


def register(app: Flask) -> None:
    app.register_blueprint(bp)
