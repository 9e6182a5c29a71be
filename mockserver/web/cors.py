"""CORS, on by default, so a browser app on another origin can call the mock (``--cors-origins``, ``--no-cors``).

A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered first, before
authentication, the rate limit and scenario faults: a browser never sends credentials on a preflight, so a
401 there would block every real call. Every other answer to an allowed origin carries
``Access-Control-Allow-Origin``.

The admin API (``/__admin/``) belongs to the person running the mock, not to the web pages open in their browser:
it gets no CORS at all unless ``--admin-cors-origins`` names origins (``--cors-origins`` never covers it).
"""

from __future__ import annotations

from flask import Flask, Response, request

from mockserver.web.context import service

#: What the API's clients send: credentials, the body type, and what the admin API takes.
ALLOWED_HEADERS = "X-API-ID, X-API-KEY, Content-Type, Authorization, X-Admin-Token, X-Creatify-Mock"
ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
#: Headers a page may read from an answer (besides the always-readable ones).
EXPOSED_HEADERS = "Retry-After, Location, WWW-Authenticate, X-Next-Cursor, Link"
MAX_AGE = "600"


ADMIN_PREFIX = "/__admin"


def is_admin(path: str) -> bool:
    """Whether ``path`` is the admin API's (``/__admin`` or below it)."""
    path = "/" + path.lstrip("/")  # as werkzeug routes ``//__admin/...``
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def _allowed(origin: str) -> str | None:
    """The ``Access-Control-Allow-Origin`` value for ``origin``, or None when it is not allowed."""
    settings = service().settings
    spec = settings.admin_cors_origins if is_admin(request.path) else settings.cors_origins
    origins = {o.strip().rstrip("/") for o in spec.replace(" ", ",").split(",") if o.strip()}
    if "*" in origins:
        return "*"
    return origin if origin.rstrip("/") in origins else None


def preflight() -> Response | None:
    """Answer a CORS preflight at once (204), before anything that could refuse it."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    origin = request.headers.get("Origin")
    if not origin:
        return None
    response = Response(status=204)
    allow = _allowed(origin)
    if allow is not None:
        response.headers["Access-Control-Allow-Origin"] = allow
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        asked = [h.strip() for h in request.headers.get("Access-Control-Request-Headers", "").split(",")]
        names = ALLOWED_HEADERS.split(", ")
        names += [h for h in asked if h and h.lower() not in {n.lower() for n in names}]
        response.headers["Access-Control-Allow-Headers"] = ", ".join(names)
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    response.headers["Vary"] = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    return response


def decorate(response: Response) -> Response:
    """Every answer to an allowed origin says so (and that it varies by origin when not ``*``)."""
    origin = request.headers.get("Origin")
    if origin and "Access-Control-Allow-Origin" not in response.headers:
        allow = _allowed(origin)
        if allow is not None:
            response.headers["Access-Control-Allow-Origin"] = allow
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            if allow != "*":
                response.vary.add("Origin")
    return response


def register(app: Flask) -> None:
    """Before every other hook (call it first), so preflights skip authentication; ``--no-cors`` skips it."""
    if not service(app).settings.cors:
        return
    app.before_request(preflight)
    app.after_request(decorate)
