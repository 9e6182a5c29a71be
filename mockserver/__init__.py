"""creatify-mock: a local mock of Creatify's text generation API. ``create_app`` builds it; nothing runs at import."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from .clock import Clock
from .settings import Settings

__all__ = ["Settings", "create_app"]

access_log = logging.getLogger("creatify_mock.access")


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Flask:
    """A Flask app serving the mock; its MockService is ``app.extensions["creatify_mock"]``."""
    from . import (
        admin,
        admin_accounts,
        admin_journal,
        admin_scenarios,
        admin_state,
        admin_webhooks,
        api,
        errors,
        limits,
        scenario_hooks,
    )
    from .http import json_response
    from .openapi import build
    from .scenarios import load_file
    from .service import MockService
    from .validation import RequestValidator
    from .version import mock_version

    settings = settings or Settings()
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # OPTIONS is answered in JSON by the API's views, and is a JSON 405 elsewhere.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    service = MockService(settings, clock, user_agent=f"creatify-mock/{mock_version()}")
    app.extensions["creatify_mock"] = service
    app.extensions["creatify_mock.validator"] = RequestValidator("create_request")
    for name in ("admin_advance", "admin_clock_advance", "admin_webhook_faults"):
        app.extensions[f"creatify_mock.validator.{name}"] = RequestValidator(name)
    if settings.log_requests:

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

    errors.register(app)
    api.register(app)
    limits.register(app)  # after authentication sets g.account, before scenario faults (DRF order)
    scenario_hooks.register(app)
    admin.register(app)
    admin_webhooks.register(app)
    admin_scenarios.register(app)
    admin_accounts.register(app)
    admin_state.register(app)
    admin_journal.register(app)  # last: its middleware wraps the finished app
    if settings.scenarios:
        service.load_scenarios(load_file(settings.scenarios), settings.scenarios)
    openapi_doc = build()

    @app.get("/openapi.json")
    def openapi() -> Response:
        return json_response(openapi_doc)

    return app
