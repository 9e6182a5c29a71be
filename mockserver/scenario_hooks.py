"""Applying scenario rules to API calls: latency, an HTTP fault or a dropped connection instead of an answer,
or (for a create) the rule that the view hands to the service to decide the job's outcome and timing."""

from __future__ import annotations

import contextlib
import socket
import time
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, g, request
from werkzeug.http import HTTP_STATUS_CODES

from .http import ApiError, json_response, read_json
from .scenarios import RequestInfo

if TYPE_CHECKING:
    from .service import MockService

OPERATIONS = {"api.create": "create", "api.read": "read", "api.list_jobs": "list"}


def apply_scenarios() -> Response | None:
    """Runs after authentication (so faults reach only authenticated calls, as on the real API)."""
    svc: MockService = current_app.extensions["creatify_mock"]
    operation = OPERATIONS.get(request.endpoint or "")
    if operation is None or request.routing_exception is not None or not svc.scenarios.active:
        return None
    body = None
    if operation == "create":
        with contextlib.suppress(ApiError):  # a bad body still matches body-free rules; the view reports it
            body = read_json(request, svc.settings.max_body_bytes)
    found = svc.scenarios.take(RequestInfo(operation, g.account, request.headers, body))
    if found is None:
        return None
    rule, rng = found
    delay = svc.scenarios.latency(rule, rng)
    if delay > 0:
        time.sleep(delay)
    http = rule.spec.get("http")
    if http is None:
        g.scenario_rule = rule
        return None
    if http.get("disconnect"):
        return _disconnect()
    status = http.get("status", 500)
    body_out = http["body"] if "body" in http else {"detail": HTTP_STATUS_CODES.get(status, "Error")}
    return json_response(body_out, status, http.get("headers"))


def _disconnect() -> Response:
    """Close the client's connection with no answer (waitress exposes its channel through this callable)."""
    probe = request.environ.get("waitress.client_disconnected")
    sock = getattr(getattr(probe, "__self__", None), "socket", None)
    if sock is None:  # not under waitress: the closest honest answer
        raise ApiError(503, "The scenario asked for a dropped connection, which this server cannot do.")
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    return Response(status=500)


def register(app: Flask) -> None:
    app.before_request(apply_scenarios)
