"""Admin API for scenario rules: list, add (one or many), replace, delete one or all."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from mockserver.core.scenarios import ScenarioError
from mockserver.web.admin.auth import check_token
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response, read_json

bp = Blueprint("admin_scenarios", __name__, url_prefix="/__admin/scenarios")
bp.before_request(check_token)


def _position(raw: str | None) -> int | None:
    """``?position=N``: where the first new rule goes (0 = first); not a whole number >= 0 is a 400."""
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(
            400, body={"position": [f"A whole number >= 0 is required (0 puts the rule first); got {raw!r}."]}
        )
    return int(raw)


def _body() -> Any:
    return read_json(request, service().settings.max_body_bytes)


@bp.get("")
def rules() -> Response:
    """The rules in order, each with its id, remaining ``times`` and how often it applied."""
    return json_response(service().rules())


@bp.post("")
def add() -> Response:
    """Append a rule, or a list of rules (``?position=N`` inserts there instead); 201 with what was added."""
    body = _body()
    specs = body if isinstance(body, list) else [body]
    position = _position(request.args.get("position"))
    try:
        added = service().add_rules(specs, position)
    except ScenarioError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(added if isinstance(body, list) else added[0], 201)


@bp.post("/text")
def add_text() -> Response:
    """``{"text": "..."}``: rules written as YAML or JSON (the dashboard's editor); 201 with what was added."""
    body = _body()
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ApiError(400, body={"text": ["Expected the rules as a string under 'text'."]})
    try:
        return json_response(service().add_rules_text(body["text"]), 201)
    except ScenarioError as exc:
        raise ApiError(400, str(exc)) from None


@bp.post("/restore")
def restore() -> Response:
    """Back to the rules loaded at startup, dropping any added since (a reset does this too)."""
    return json_response(service().restore_rules())


@bp.put("")
def replace_all() -> Response:
    """Replace every rule with ``{"scenarios": [...]}`` (the scenario file's shape)."""
    body = _body()
    if not isinstance(body, dict) or not isinstance(body.get("scenarios"), list):
        raise ApiError(400, body={"scenarios": ["Expected a list of rules under 'scenarios'."]})
    try:
        return json_response(service().replace_rules(body["scenarios"], "PUT /__admin/scenarios"))
    except ScenarioError as exc:
        raise ApiError(400, str(exc)) from None


@bp.delete("")
def clear() -> Response:
    service().clear_rules()
    return json_response([])


@bp.delete("/<rule_id>")
def remove(rule_id: str) -> Response:
    svc = service()
    if not svc.remove_rule(rule_id):
        raise ApiError(404, "Not found.")
    return json_response(svc.rules())
