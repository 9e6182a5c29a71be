"""The OpenAPI 3.1 document of the imitated API (``GET /openapi.json``), assembled from ``schemas/``.

Each family's paths come from a function of their own (``api_paths`` for ``/api/``), the components from
``openapi_components`` (only those the paths and webhooks reach), the mock's admin API from ``openapi_admin``.
"""

from __future__ import annotations

from typing import Any

from mockserver.config.settings import DOCUMENTED_MODELS
from mockserver.config.version import mock_version
from mockserver.contract.openapi_components import COMPONENT, component_name, reachable, schema_ref
from mockserver.contract.openapi_parts import (
    answer,
    body,
    drf_errors,
    operation,
    path_parameter,
    query_parameter,
)
from mockserver.contract.openapi_sse import SSE, sse_paths

__all__ = ["COMPONENT", "IDS_PATTERN", "MAX_IDS", "UUID_PATTERN", "api_paths", "build", "component_name"]

MAX_IDS = 100
#: One job id as the mock writes them (any case); the ``ids`` filter takes exactly these.
UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: Blanks the ``ids`` filter ignores around ids: spaces, tabs and line breaks, spelled out (``\s`` differs
#: between regex engines and Python's ``str.strip``, which also strips control characters such as U+001E;
#: a line break must count because Python's ``$`` matches before a final one).
IDS_BLANKS = " \t\r\n"
#: ``?ids=``: up to 100 ids separated by commas; blanks around them and empty items are ignored.
IDS_PATTERN = (
    rf"^[ \t\r\n,]*(?:{UUID_PATTERN}(?:[ \t\r\n]*,[ \t\r\n,]*{UUID_PATTERN}){{0,{MAX_IDS - 1}}})?[ \t\r\n,]*$"
)
DEFAULT_SERVER = "http://127.0.0.1:8000"
TEXT = "Text generation"
WEBHOOKS = "Webhooks"
API = "/api/text_generator/"
API_ITEM = "/api/text_generator/{id}/"
#: What the mock answers outside the operations, which OpenAPI can only say in prose: an operation in the
#: document means "supported", and tools (Schemathesis) check that undeclared methods answer 405.
OUTSIDE_OPERATIONS = (
    'Other methods answer 405 {"detail": "Method \\"PUT\\" not allowed."} once the credentials are accepted '
    "(as Django REST Framework checks them first). The path without its trailing slash answers 308 with "
    "Location set to this path (method and body kept when followed)."
)

DESCRIPTION = (
    "Creatify's text generation API as creatify-mock imitates it, built from the JSON Schemas in its schemas/ "
    "folder. The real API is at https://api.creatify.ai. Statuses marked as assumptions are the mock's choice "
    "where Creatify documents none; scenario rules can make the mock answer any other status on purpose. "
    "The mock's own admin API is described at /__admin/openapi.json."
)


def _job_id() -> dict[str, Any]:
    return path_parameter("id", "The job's id", {"type": "string", "format": "uuid"})


def api_paths() -> dict[str, Any]:
    """The ``/api/`` family (Django REST Framework style)."""
    ids = query_parameter(
        "ids",
        "Comma-separated job ids (at most 100) to return only those.",
        {"type": "string", "pattern": IDS_PATTERN},
    )
    return {
        API: {
            "description": OUTSIDE_OPERATIONS,
            "post": operation(
                "createTextGeneration",
                "Create a text generation job",
                TEXT,
                {
                    "201": answer(schema_ref("job"), "The new job, status pending"),
                    **drf_errors(400, 401, 402, 413, 415, 429),
                },
                description="Starts an asynchronous generation; poll the job or give a webhook_url.",
                requestBody=body("create_request"),
            ),
            "get": operation(
                "listTextGenerations",
                "List the caller's jobs",
                TEXT,
                {
                    "200": answer(schema_ref("job_list"), "The caller's jobs, newest first"),
                    **drf_errors(400, 401, 429),
                },
                description="A plain JSON array (no page envelope), as the API's other list endpoints answer.",
                parameters=[ids],
            ),
        },
        API_ITEM: {
            "description": OUTSIDE_OPERATIONS,
            "get": operation(
                "getTextGeneration",
                "Read one job",
                TEXT,
                {"200": answer(schema_ref("job"), "The job as it is now"), **drf_errors(401, 404, 429)},
                description="The job's status moves pending -> running -> done | failed as time passes.",
                parameters=[_job_id()],
            ),
        },
    }


def webhooks() -> dict[str, Any]:
    """What the mock POSTs to a job's ``webhook_url`` (OpenAPI 3.1 ``webhooks``)."""
    headers = [
        ("X-Webhook-Id", "The delivery id: the same on every retry of one event"),
        ("X-Webhook-Event", "The job status this event reports"),
        ("X-Webhook-Attempt", "1, 2, ..."),
        ("X-Webhook-Timestamp", "Unix seconds when the attempt was sent"),
        ("X-Webhook-Signature", "With --webhook-secret: sha256= + hex HMAC-SHA256 of '<timestamp>.' + body"),
    ]
    return {
        "jobStatusChanged": {
            "post": operation(
                "jobStatusChanged",
                "A job's status changed",
                WEBHOOKS,
                {"2XX": {"description": "Received; any other answer (or none) is retried with backoff"}},
                description="The body is the job as GET /api/text_generator/{id}/ showed it at that transition.",
                parameters=[
                    {
                        "name": n,
                        "in": "header",
                        "required": n != "X-Webhook-Signature",
                        "description": d,
                        "schema": {"type": "string"},
                    }
                    for n, d in headers
                ],
                requestBody=body("webhook_payload", "The job at this transition"),
                security=[],
            )
        }
    }


def build(server_url: str | None = None, models: tuple[str, ...] = DOCUMENTED_MODELS) -> dict[str, Any]:
    """The document; ``server_url`` is where it is served (the live mock's own URL), ``models`` the models the
    ``/sse/`` family accepts (``--models``)."""
    paths = {**api_paths(), **sse_paths(models)}
    hooks = webhooks()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Creatify text generation API (creatify-mock)",
            "version": mock_version(),
            "description": DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
            "contact": {"name": "creatify-mock"},
        },
        "servers": [{"url": server_url or DEFAULT_SERVER, "description": "creatify-mock"}],
        "tags": [
            {"name": TEXT, "description": "Asynchronous text generation jobs"},
            {"name": SSE, "description": "The same jobs: async, sync and streamed as Server-Sent Events"},
            {"name": WEBHOOKS, "description": "Calls the mock makes to a job's webhook_url"},
        ],
        "paths": paths,
        "webhooks": hooks,
        "components": {
            "schemas": reachable([paths, hooks]),
            "securitySchemes": {
                "ApiId": {"type": "apiKey", "in": "header", "name": "X-API-ID", "description": "API ID"},
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY", "description": "API key"},
            },
        },
        "security": [{"ApiId": [], "ApiKey": []}],
    }
