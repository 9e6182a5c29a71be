"""``/docs``: Swagger UI for the mock's two OpenAPI documents, served by the mock itself.

The assets come from the ``flask-swagger-ui`` package (Swagger UI's own distribution files, installed with the
mock), so the page works offline and loads nothing from another origin; the page and its start script are ours so
that both documents are in its selector and Swagger UI's online validator badge is off.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from flask import Flask, Response, abort, redirect, send_from_directory

#: Swagger UI's files, as the package installs them.
ASSETS = Path(str(files("flask_swagger_ui") / "dist"))
SERVED = frozenset(
    {
        "swagger-ui.css",
        "index.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-32x32.png",
    }
)
#: The documents the selector offers, first the imitated API (relative: the page works behind any prefix).
DOCUMENTS = (("The API (/api/ and /sse/)", "openapi.json"), ("Admin API (/__admin/)", "__admin/openapi.json"))

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>creatify-mock: API documentation</title>
  <link rel="stylesheet" href="docs/assets/swagger-ui.css">
  <link rel="stylesheet" href="docs/assets/index.css">
  <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script src="docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="docs/start.js"></script>
</body>
</html>
"""

START = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    urls: %s,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};
"""


def _urls() -> str:
    items = ", ".join(f'{{"name": "{name}", "url": "{url}"}}' for name, url in DOCUMENTS)
    return f"[{items}]"


def register(app: Flask) -> None:
    """``GET /docs`` (the page), ``/docs/start.js`` and ``/docs/assets/<file>``; no credentials needed."""

    def page() -> Response:
        # Relative asset paths resolve against /docs (no slash): "docs/assets/..." -> /docs/assets/...
        return Response(PAGE, 200, content_type="text/html; charset=utf-8")

    def start() -> Response:
        return Response(START % _urls(), 200, content_type="text/javascript; charset=utf-8")

    def asset(name: str) -> Response:
        if name not in SERVED:
            abort(404)
        response = send_from_directory(ASSETS, name, max_age=3600)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    app.add_url_rule("/docs", "docs", page)
    app.add_url_rule("/docs/", "docs_slash", lambda: redirect("/docs", 308))
    app.add_url_rule("/docs/start.js", "docs_start", start)
    app.add_url_rule("/docs/assets/<name>", "docs_asset", asset)
