"""Building blocks shared by the OpenAPI documents: bodies, responses and the errors each family answers.

Every body points at a component built from ``schemas/``; only the prose (descriptions, what is an assumption)
is written here.
"""

from __future__ import annotations

from typing import Any

from mockserver.contract.openapi_components import ref, schema_ref

ASSUMPTION = "An assumption: Creatify documents no status or body for this; the mock's is configurable."

#: Prose of the Django-REST-Framework-shaped errors of the ``/api/`` family.
DRF_ERRORS = {
    400: "Invalid request: errors keyed by field, or `{detail}` for a body that is not JSON",
    401: "Missing or wrong X-API-ID / X-API-KEY",
    402: "Insufficient credits: the account's balance is used up. " + ASSUMPTION,
    404: "Unknown id, or a job of another account",
    413: "Body over the size limit",
    415: "Content-Type is not JSON",
    429: "Rate limit (`--rate-limit`) exceeded: wait `Retry-After` seconds. "
    "An assumption: Creatify publishes no limits; this is DRF's throttle answer.",
}

_HEADERS = {
    401: {"WWW-Authenticate": "The credentials the API expects"},
    429: {"Retry-After": "Whole seconds until the next call is allowed"},
}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def body(short: str, description: str | None = None, required: bool = True) -> dict[str, Any]:
    """A JSON request body following schema file ``short``."""
    out: dict[str, Any] = {"required": required, "content": json_content(schema_ref(short))}
    if description:
        out["description"] = description
    return out


def answer(schema: dict[str, Any], description: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """One JSON response; ``schema`` is usually ``schema_ref(...)`` or ``ref(...)``."""
    out: dict[str, Any] = {"description": description, "content": json_content(schema)}
    if headers:
        out["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
        }
    return out


def drf_errors(*codes: int) -> dict[str, Any]:
    """The ``/api/`` family's error responses for ``codes``."""
    out: dict[str, Any] = {}
    for code in codes:
        schema = (
            {"anyOf": [schema_ref("error_fields"), schema_ref("error_detail")]}
            if code == 400
            else schema_ref("error_detail")
        )
        out[str(code)] = answer(schema, DRF_ERRORS[code], _HEADERS.get(code))
    return out


def operation(
    operation_id: str, summary: str, tag: str, responses: dict[str, Any], **more: Any
) -> dict[str, Any]:
    """An operation with what linters and generators ask of each: ``operationId``, ``summary``, ``tags``."""
    return {"operationId": operation_id, "summary": summary, "tags": [tag], **more, "responses": responses}


def path_parameter(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def query_parameter(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


__all__ = ["answer", "body", "drf_errors", "json_content", "operation", "ref", "schema_ref"]
