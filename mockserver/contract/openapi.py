"""The OpenAPI 3.1 document, assembled from ``schemas/`` (never written by hand)."""

from __future__ import annotations

import copy
from typing import Any

from mockserver.config.settings import DOCUMENTED_MODELS
from mockserver.contract import schemas

COMPONENT = "#/components/schemas/"
MAX_IDS = 100
#: One job id as the mock writes them (any case); the ``ids`` filter takes exactly these.
UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: ``?ids=``: up to 100 ids separated by commas; blanks around them and empty items are ignored.
IDS_PATTERN = rf"^[\s,]*(?:{UUID_PATTERN}(?:\s*,[\s,]*{UUID_PATTERN}){{0,{MAX_IDS - 1}}})?[\s,]*$"


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
                else:  # ``file.schema.json`` or ``file.schema.json#/$defs/x``
                    file, _, fragment = value.partition("#")
                    name = component_name(file.split("/")[-1].removesuffix(".schema.json"))
                    out[key] = COMPONENT + name + fragment
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


def build(server_url: str | None = None, models: tuple[str, ...] = DOCUMENTED_MODELS) -> dict[str, Any]:
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
    doc["paths"].update(sse_paths(job_id, models))
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc


def _sse_errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: "Invalid request body or model not found.",
        401: "Missing or invalid API credentials.",
        404: "Unknown id, or a job of another workspace",
    }
    return {str(code): _json("SseError", texts[code]) for code in codes}


#: One server-sent event, as Open API 3.2 describes events (and Schemathesis reads ``schema`` for 3.1): its
#: ``data`` is JSON text, a StreamChunk.
EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": COMPONENT + "StreamChunk"},
        }
    },
    "required": ["data"],
}


def sse_paths(job_id: dict[str, Any], models: tuple[str, ...] = DOCUMENTED_MODELS) -> dict[str, Any]:
    """The ``/sse/text_generator/`` family: its own request, job representation and ``{"error"}`` shape."""
    request: dict[str, Any] = {"$ref": COMPONENT + "SseCreateRequest"}
    if models:  # the supported models are a setting (--models), not part of the schema file
        supported = {"properties": {"model_name": {"enum": list(models)}}}
        request = {"allOf": [request, supported]}
    body = {"required": True, "content": {"application/json": {"schema": request}}}
    stream_description = (
        "Server-Sent Events: each event is `data: <one-line JSON>` and a blank line (CRLF line ends), the JSON a "
        "Gemini GenerateContentResponse (StreamChunk). The last chunk has `finishReason` and a `creatify` object "
        "with the job id and credits_used; the server then closes the stream."
    )
    return {
        "/sse/text_generator/": {
            "post": {
                "operationId": "createSseTextGeneration",
                "description": "Async (default): the new job, pending. With `sync: true` the job once done or "
                "failed.",
                "requestBody": body,
                "responses": {
                    "201": _json("TextGenResponse", "Text generation result or pending task"),
                    **_sse_errors(400, 401),
                },
            },
            "get": {
                "operationId": "listSseTextGenerations",
                "responses": {
                    "200": _json("TextGenResponseList", "The workspace's jobs, newest first"),
                    **_sse_errors(401),
                },
            },
        },
        "/sse/text_generator/{id}/": {
            "get": {
                "operationId": "getSseTextGeneration",
                "parameters": [job_id],
                "responses": {
                    "200": _json("TextGenResponse", "The job as it is now"),
                    **_sse_errors(401, 404),
                },
            }
        },
        "/sse/text_generator/stream/": {
            "post": {
                "operationId": "streamSseTextGeneration",
                "requestBody": body,
                "responses": {
                    "200": {
                        "description": stream_description,
                        "content": {
                            "text/event-stream": {"schema": EVENT_SCHEMA},
                        },
                    },
                    **_sse_errors(400, 401),
                },
            }
        },
    }
