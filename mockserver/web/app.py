"""``create_app``: the Flask app over one ``MockService``; nothing runs at import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from mockserver import replay
from mockserver.config.settings import Settings
from mockserver.config.values import parse_rules
from mockserver.contract.openapi import build
from mockserver.contract.openapi_admin import build_admin
from mockserver.core import jsonio
from mockserver.core.clock import Clock
from mockserver.core.scenarios import load_file
from mockserver.service import MockService
from mockserver.web import admin, api, apidocs, cors, dashboard, errors, pipeline, sse
from mockserver.web.context import attach
from mockserver.web.fastpath import FAST_PATH_KEY, FastPath
from mockserver.web.journal import JournalMiddleware
from mockserver.web.routing import LazyRule

MAX_DOCUMENTS = 16


class _MockFlask(Flask):
    """Flask with URL builders compiled on first use (routing.py), its static rule included."""

    url_rule_class = LazyRule


def create_app(
    settings: Settings | None = None, clock: Clock | None = None, *, fast_path: bool = True
) -> Flask:
    """A Flask app serving the mock; ``mockserver.web.context.service(app)`` is its MockService.

    ``fast_path=False`` leaves every call to Flask: the tests compare both ways, answer for answer."""
    settings = settings or Settings()
    service = MockService(settings, clock)
    rules = load_file(settings.scenarios) if settings.scenarios else []
    inline = parse_rules(settings.scenario_rules)
    if rules or inline:
        where = " + ".join(filter(None, [settings.scenarios, "scenario_rules" if inline else ""]))
        service.load_scenarios([*rules, *inline], where)
    if settings.replay:
        recording = replay.read(settings.replay)
        service.load_replay(replay.ReplayBook(recording, settings.replay_speed, settings.replay_strict))
    app = _MockFlask("mockserver")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # OPTIONS is answered in JSON by the API's views, and is a JSON 405 elsewhere.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    attach(app, service)
    cors.register(app)  # first: a preflight is answered before redirects, authentication and faults
    errors.register(app)  # trailing-slash redirects are answered in JSON before anything else
    pipeline.register(app)  # authentication -> rate limit and credits -> scenario faults
    api.register(app)
    sse.register(app)
    admin.register(app)
    dashboard.register(app)
    _documents(app, settings.models)
    apidocs.register(app)  # /docs: Swagger UI for both documents, from files installed with the mock

    if fast_path:  # inside the journal: fast answers are journaled like the rest
        fast = FastPath(app.wsgi_app, service)  # the server writes the access line
        app.extensions[FAST_PATH_KEY] = fast
        app.wsgi_app = fast  # type: ignore[method-assign]
    if service.journal_enabled:  # last: the middleware wraps the finished app
        app.wsgi_app = JournalMiddleware(  # type: ignore[method-assign]
            app.wsgi_app, service.record_request, settings.max_body_bytes, service.finish_request
        )
    return app


def _documents(app: Flask, models: tuple[str, ...]) -> None:
    """The OpenAPI documents, each naming the URL it was fetched from as its server (built once per URL)."""
    built: dict[tuple[str, str], bytes] = {}

    def serve(name: str, make: Callable[[str], dict[str, Any]]) -> Response:
        server = request.host_url.rstrip("/")
        key = (name, server)
        if key not in built:
            if len(built) >= MAX_DOCUMENTS:  # Host comes from the client: keep a bounded few
                built.clear()
            built[key] = jsonio.dumps(make(server))
        return Response(built[key], 200, content_type="application/json")

    app.add_url_rule("/openapi.json", "openapi", lambda: serve("api", lambda url: build(url, models)))
    app.add_url_rule("/__admin/openapi.json", "admin_openapi", lambda: serve("admin", build_admin))
