"""The one typed way from a Flask app to its ``MockService`` (no string keys scattered through the views)."""

from __future__ import annotations

from flask import Flask, current_app

from mockserver.service import MockService

EXTENSION = "creatify_mock"


def attach(app: Flask, service: MockService) -> None:
    app.extensions[EXTENSION] = service


def service(app: Flask | None = None) -> MockService:
    """The service of ``app``, or of the app handling the current request."""
    found = (app or current_app).extensions[EXTENSION]
    assert isinstance(found, MockService)
    return found
