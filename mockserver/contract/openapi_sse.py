"""The ``/sse/text_generator/`` family in the OpenAPI document: its own request, the ``TextGenResponse``
representation of a job, the ``{"error": ...}`` shape, and the ``text/event-stream`` answer of the stream."""

from __future__ import annotations

from typing import Any

from mockserver.config.settings import DOCUMENTED_MODELS
from mockserver.contract.openapi_components import schema_ref
from mockserver.contract.openapi_parts import answer, json_content, operation, path_parameter

SSE = "Text generation (/sse/)"
SSE_LIST = "/sse/text_generator/"
SSE_ITEM = "/sse/text_generator/{id}/"
SSE_STREAM = "/sse/text_generator/stream/"
ERRORS = {
    400: "Invalid request body or model not found.",
    401: "Missing or invalid API credentials.",
    402: "Insufficient credits (assumption: the status Creatify uses is not documented)",
    404: "Unknown id, or a job of another workspace",
    429: "Rate limited (assumption: no limits are published)",
}
STREAM_DESCRIPTION = (
    "Server-Sent Events: each event is `data: <one-line JSON>` and a blank line (CRLF line ends), the JSON a "
    "Gemini GenerateContentResponse (StreamChunk). The last chunk has `finishReason` and a `creatify` object "
    "with the job id and credits_used; the server then closes the stream."
)


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): answer(schema_ref("sse_error"), ERRORS[code]) for code in codes}


def _event_schema() -> dict[str, Any]:
    """One server-sent event as OpenAPI 3.2 describes events (Schemathesis reads ``schema`` for 3.1): its
    ``data`` is JSON text, a StreamChunk."""
    return {
        "type": "object",
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": schema_ref("stream_chunk"),
            }
        },
        "required": ["data"],
    }


def sse_paths(models: tuple[str, ...] = DOCUMENTED_MODELS) -> dict[str, Any]:
    """The family's four operations; the supported models are a setting (``--models``), added to the request."""
    request: dict[str, Any] = schema_ref("sse_create_request")
    if models:
        request = {"allOf": [request, {"properties": {"model_name": {"enum": list(models)}}}]}
    body = {"required": True, "content": json_content(request)}
    job_id = path_parameter("id", "The job's id", {"type": "string", "format": "uuid"})
    return {
        SSE_LIST: {
            "post": operation(
                "createSseTextGeneration",
                "Create a job (async, or sync: true to wait for it)",
                SSE,
                {
                    "201": answer(schema_ref("text_gen_response"), "Text generation result or pending task"),
                    **_errors(400, 401, 402, 429),
                },
                description="Async (default): the new job, pending. With `sync: true` the job once done or failed.",
                requestBody=body,
            ),
            "get": operation(
                "listSseTextGenerations",
                "List the workspace's jobs",
                SSE,
                {
                    "200": answer(schema_ref("text_gen_response_list"), "The workspace's jobs, newest first"),
                    **_errors(401, 429),
                },
            ),
        },
        SSE_ITEM: {
            "get": operation(
                "getSseTextGeneration",
                "Read one job",
                SSE,
                {
                    "200": answer(schema_ref("text_gen_response"), "The job as it is now"),
                    **_errors(401, 404, 429),
                },
                parameters=[job_id],
            )
        },
        SSE_STREAM: {
            "post": operation(
                "streamSseTextGeneration",
                "Create a job and stream its text as Gemini chunks",
                SSE,
                {
                    "200": {
                        "description": STREAM_DESCRIPTION,
                        "content": {"text/event-stream": {"schema": _event_schema()}},
                    },
                    **_errors(400, 401, 402, 429),
                },
                requestBody=body,
            )
        },
    }
