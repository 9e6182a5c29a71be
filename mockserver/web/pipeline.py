"""The ordered request pipeline of every ``/api/`` and ``/sse/`` call: authentication, then rate limit and credits, then
scenario faults — the order Django REST Framework applies (authenticate, throttle, then the view).

Each step answers in the API's own error shape (``families.shaped`` words it for ``/sse/``) or lets the call
through; the decisions are the service's.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import math
import time

from flask import Flask, Response, g, request
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from mockserver.core.limits import LimitExceeded
from mockserver.core.scenarios import RequestInfo, Rule
from mockserver.service import MockService
from mockserver.web import streaming
from mockserver.web.accesslog import annotate
from mockserver.web.context import service
from mockserver.web.families import family_of, shaped
from mockserver.web.http import ApiError, count_limits, json_response, read_json

CREATE_ENDPOINT = "api.create"
#: Calls that create a job (and so need credits), in both families.
CREATE_ENDPOINTS = frozenset({CREATE_ENDPOINT, "sse.create", "sse.stream"})
OPERATIONS = {
    CREATE_ENDPOINT: "create",
    "api.read": "read",
    "api.list_jobs": "list",
    "sse.create": "create",
    "sse.stream": "create",
    "sse.read": "read",
    "sse.list_jobs": "list",
}


def authenticate() -> None:
    """Before every /api/ and /sse/ call that routes (or is a wrong method, as DRF authenticates before 405).

    Runs on every request, so it reads the WSGI environ directly (one proxy lookup, not one per header).
    """
    req = request._get_current_object()  # type: ignore[attr-defined]
    environ = req.environ
    if family_of(environ.get("PATH_INFO", "")) is None:  # as werkzeug routes ``//api/...``
        return
    exc = req.routing_exception
    if exc is not None and not isinstance(exc, MethodNotAllowed):
        return
    api_id = environ.get("HTTP_X_API_ID", "")
    error = credentials_error(service(), api_id, environ.get("HTTP_X_API_KEY", ""))
    if error is not None:
        raise error
    g.account = api_id


def credentials_error(svc: MockService, api_id: str, api_key: str) -> ApiError | None:
    """The answer to missing or wrong credentials (as configured, or as a replayed recording holds it), or None
    when the pair is accepted. The Flask pipeline and the fast path both call this."""
    if not api_id or not api_key:
        status, body, headers = svc.credentials_error(missing=True)
        return ApiError(status, body=body, headers=headers)
    accepted = _accepted(svc.settings.api_key)
    if accepted and not hmac.compare_digest(accepted.get(api_id, "").encode(), api_key.encode()):
        status, body, headers = svc.credentials_error(missing=False)
        return ApiError(status, body=body, headers=headers)
    return None


@functools.lru_cache(maxsize=8)
def _accepted(pairs: tuple[str, ...]) -> dict[str, str]:
    """``Settings.api_keys`` parsed once per distinct setting, not on every request."""
    return dict(pair.split(":", 1) for pair in pairs)


def throttled(wait: float) -> ApiError:
    """DRF's Throttled: ``Retry-After`` in whole seconds (at least 1) and the same number in the message."""
    seconds = max(1, math.ceil(wait))
    unit = "second" if seconds == 1 else "seconds"
    detail = f"Request was throttled. Expected available in {seconds} {unit}."
    return ApiError(429, detail, headers={"Retry-After": str(seconds)})


def limit() -> None:
    """After authentication: the rate limit on every authenticated call, then the balance on a create."""
    account = g.get("account")
    if account is None or streaming.again(request.environ) is not None:
        return  # the run after a latency's wait: admitted (rate budget, credits) when the call came
    creating = request.endpoint in CREATE_ENDPOINTS and request.method == "POST"
    error = limit_error(service(), account, creating)
    if error is not None:
        raise error


def limit_error(svc: MockService, account: str, creating: bool) -> ApiError | None:
    """Take one call from the account's rate budget (429 when over it), then, for a create, check its balance.

    The Flask pipeline and the fast path both call this, once per call: it spends the rate budget."""
    wait = svc.throttle(account)
    if wait > 0:
        return throttled(wait)
    if creating and not svc.may_create(account):
        status, body = svc.insufficient_credits()
        return ApiError(status, body=body)
    return None


def apply_scenarios() -> Response | None:
    """Runs after authentication (so faults reach only authenticated calls, as on the real API)."""
    taken = streaming.again(request.environ)
    if isinstance(taken, Rule):  # the run after this call's latency: the rule it took then, no wait now
        rule, delay = taken, 0.0
    else:
        found = _take_rule()
        if found is None:
            return None
        rule, delay = found
    annotate(request.environ, rule=rule.id)
    if delay > 0 and streaming.wait_then_again(request.environ, delay, rule):
        return Response(status=204)  # never sent: the server waits on its loop, then runs the call again
    if delay > 0:  # no server that can wait (the test client): this thread sleeps
        time.sleep(delay)
    http = rule.spec.get("http")
    if http is None:
        g.scenario_rule = rule
        return None
    if http.get("disconnect"):
        return _disconnect()
    status = http.get("status", 500)
    if "raw" in http:  # a replayed answer that was not JSON: given back as the text it was
        return Response(
            str(http["raw"]), status, http.get("headers"), content_type="text/plain; charset=utf-8"
        )
    body_out = http["body"] if "body" in http else {"detail": HTTP_STATUS_CODES.get(status, "Error")}
    return json_response(shaped(request.path, body_out), status, http.get("headers"))


def _take_rule() -> tuple[Rule, float] | None:
    """The scenario rule that fits this call (counted against its ``times``) and its latency, if any."""
    svc = service()
    operation = OPERATIONS.get(request.endpoint or "")
    if operation is None or request.routing_exception is not None or not svc.scenarios_active:
        return None
    body = None
    if operation == "create":
        # A bad body (or one over a count limit) still matches body-free rules; the view reports it.
        with contextlib.suppress(ApiError, LimitExceeded):
            body = read_json(request, svc.settings.max_body_bytes, count_limits(svc.settings).check)
    family = family_of(request.path) or "api"
    return svc.take_rule(RequestInfo(operation, g.account, request.headers, body, family, request.path))


def _disconnect() -> Response:
    """Close the client's connection with no answer (the server sends nothing after an abort)."""
    if not streaming.host(request.environ).abort(request.environ):  # no server (test client): closest answer
        raise ApiError(503, "The scenario asked for a dropped connection, which this server cannot do.")
    return Response(status=500)


def register(app: Flask) -> None:
    """The steps, in order, ahead of every view."""
    app.before_request(authenticate)
    app.before_request(limit)
    app.before_request(apply_scenarios)
