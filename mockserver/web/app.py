"""``create_app``: the Flask app over one ``MockService``; nothing runs at import."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from mockserver.config.settings import Settings
from mockserver.contract.openapi import build
from mockserver.core.clock import Clock
from mockserver.core.scenarios import load_file
from mockserver.service import MockService
from mockserver.web import admin, api, errors, pipeline
from mockserver.web.context import attach
from mockserver.web.fastpath import FastPath
from mockserver.web.http import json_response
from mockserver.web.journal import JournalMiddleware

access_log = logging.getLogger("creatify_mock.access")


def create_app(
    settings: Settings | None = None, clock: Clock | None = None, *, fast_path: bool = True
) -> Flask:
    """A Flask app serving the mock; ``mockserver.web.context.service(app)`` is its MockService.

    ``fast_path=False`` leaves every call to Flask: the tests compare both ways, answer for answer."""
    settings = settings or Settings()
    service = MockService(settings, clock)
    if settings.scenarios:
        service.load_scenarios(load_file(settings.scenarios), settings.scenarios)
    app = Flask("mockserver")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # OPTIONS is answered in JSON by the API's views, and is a JSON 405 elsewhere.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    attach(app, service)
    if settings.log_requests:
        _access_log(app)
    errors.register(app)  # first: trailing-slash redirects are answered in JSON before anything else
    pipeline.register(app)  # authentication -> rate limit and credits -> scenario faults
    api.register(app)
    admin.register(app)
    openapi_doc = build()

    @app.get("/openapi.json")
    def openapi() -> Response:
        return json_response(openapi_doc)

    if fast_path:  # inside the journal: fast answers are journaled like the rest
        app.wsgi_app = FastPath(app.wsgi_app, service, settings.log_requests)  # type: ignore[method-assign]
    if service.journal_enabled:  # last: the middleware wraps the finished app
        app.wsgi_app = JournalMiddleware(  # type: ignore[method-assign]
            app.wsgi_app, service.record_request, settings.max_body_bytes
        )
    return app


def _access_log(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        access_log.info(
            '%s "%s %s" %s %.1fms',
            request.remote_addr,
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            took,
        )
        return response
