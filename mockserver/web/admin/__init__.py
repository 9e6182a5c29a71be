"""The mock's own admin API under ``/__admin/`` (WireMock-style), one blueprint per concern; every view calls
the service facade, exactly as ``MockServer``'s methods do."""

from __future__ import annotations

from flask import Flask

from mockserver.web.admin import accounts, auth, events, jobs, journal, scenarios, state, streams, webhooks


def register(app: Flask) -> None:
    auth.register(app)  # the token and the request-kind check, for every /__admin/ path
    for module in (jobs, webhooks, scenarios, accounts, state, journal, streams, events):
        app.register_blueprint(module.bp)
