"""The OpenAPI 3.1 document, assembled from ``schemas/`` (never written by hand)."""

from __future__ import annotations

import copy
from typing import Any

from mockserver.contract import schemas

COMPONENT = "#/components/schemas/"
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


def component_name(short: str) -> str:
    """``create_request`` -> ``CreateRequest``."""
    return "".join(part.capitalize() for part in short.split("_"))


def _rewrite(node: Any, own: str) -> Any:
    """Point file references at components and local ``#/...`` references into the schema's own component."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if value.startswith("#"):
                    out[key] = COMPONENT + own + value[1:]
                else:
                    out[key] = COMPONENT + component_name(value.split("/")[-1].removesuffix(".schema.json"))
            elif key not in ("$id", "$schema"):
                out[key] = _rewrite(value, own)
        return out
    if isinstance(node, list):
        return [_rewrite(item, own) for item in node]
    return node


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": COMPONENT + ref}}},
    }


def _errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: "Invalid request: field-keyed errors, or {detail} for a body that is not JSON",
        401: "Missing or wrong X-API-ID / X-API-KEY",
        404: "Unknown id, or a job of another account",
        413: "Body over the size limit",
        415: "Content-Type is not JSON",
    }
    out: dict[str, Any] = {}
    for code in codes:
        if code == 400:
            schema = {"anyOf": [{"$ref": COMPONENT + "ErrorFields"}, {"$ref": COMPONENT + "ErrorDetail"}]}
            out["400"] = {"description": texts[400], "content": {"application/json": {"schema": schema}}}
        else:
            out[str(code)] = _json("ErrorDetail", texts[code])
    return out


def build(server_url: str | None = None) -> dict[str, Any]:
    components = {
        component_name(n): _rewrite(copy.deepcopy(s), component_name(n))
        for n, s in schemas.all_schemas().items()
    }
    job_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    ids = {
        "name": "ids",
        "in": "query",
        "required": False,
        "description": "Comma-separated job ids (at most 100) to return only those.",
        "schema": {"type": "string", "pattern": IDS_PATTERN},
    }
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Creatify text generation API (creatify-mock)",
            "version": "1.0.0",
            "description": "Built from the JSON Schemas in schemas/ of creatify-mock.",
        },
        "paths": {
            "/api/text_generator/": {
                "post": {
                    "operationId": "createTextGeneration",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": COMPONENT + "CreateRequest"}}},
                    },
                    "responses": {
                        "201": _json("Job", "The new job, status pending"),
                        **_errors(400, 401, 413, 415),
                    },
                },
                "get": {
                    "operationId": "listTextGenerations",
                    "parameters": [ids],
                    "responses": {
                        "200": _json("JobList", "The caller's jobs, newest first"),
                        **_errors(400, 401),
                    },
                },
            },
            "/api/text_generator/{id}/": {
                "get": {
                    "operationId": "getTextGeneration",
                    "parameters": [job_id],
                    "responses": {"200": _json("Job", "The job as it is now"), **_errors(401, 404)},
                }
            },
        },
        "components": {
            "schemas": components,
            "securitySchemes": {
                "ApiId": {"type": "apiKey", "in": "header", "name": "X-API-ID"},
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"},
            },
        },
        "security": [{"ApiId": [], "ApiKey": []}],
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
