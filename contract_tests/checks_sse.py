"""Checks of the ``/sse/`` family: its JSON answers, its ``{"error": ...}`` shape and its event stream.

Only what Creatify documents: 201/200 with a ``TextGenResponse``, 400 ``{"error": string}``, an SSE stream of
Gemini ``GenerateContentResponse`` chunks whose last carries a finish reason and a ``creatify`` object with the
job's id. Framing details (CRLF, where ``creatify`` sits) are accepted either way.
"""

from __future__ import annotations

from typing import Any

from mockserver.contract import schemas

from .checks import (
    ContractViolation,
    Exchange,
    check,
    check_job_fields,
    check_json_content_type,
    check_schema,
)
from .sse_reader import StreamRead

TERMINAL = ("done", "failed")


@check("sse")
def check_sse_response(exchange: Exchange, kind: str | None) -> None:
    """No 5xx; a 2xx body valid against ``kind`` (text_gen_response or its list); errors ``{"error": str}``."""
    __tracebackhide__ = True
    if exchange.status >= 500:
        raise ContractViolation("server error", "no 5xx answer", exchange.status, exchange)
    if exchange.status in (200, 201) and kind is not None:
        check_json_content_type(exchange)
        check_schema(exchange, kind)
        for job in exchange.body if kind.endswith("_list") else [exchange.body]:
            check_job_fields(job, exchange)
    elif exchange.status == 400:
        check_sse_error(exchange)


@check("sse")
def check_sse_error(exchange: Exchange) -> None:
    """The family's documented error body: ``{"error": "<message>"}``."""
    body = exchange.body
    if not isinstance(body, dict) or not isinstance(body.get("error"), str) or not body["error"]:
        raise ContractViolation("sse error body", 'a body {"error": "<message>"}', body, exchange)


@check("sse")
def check_terminal(job: Any, exchange: Exchange) -> None:
    """A sync create answers the job once it is done or failed."""
    if not isinstance(job, dict) or job.get("status") not in TERMINAL:
        got = job.get("status") if isinstance(job, dict) else job
        raise ContractViolation("sync create", "a done or failed job", got, exchange)


@check("sse")
def check_stream(read: StreamRead) -> dict[str, Any]:
    """2xx (200 is usual; the status is not documented) ``text/event-stream``; every event JSON and a valid chunk;
    a ``creatify`` object with an ``id``. Returns that object."""
    __tracebackhide__ = True
    head = read.exchange
    content_type = {k.lower(): v for k, v in head.headers.items()}.get("content-type", "")
    if not 200 <= head.status < 300 or content_type.split(";")[0].strip() != "text/event-stream":
        raise ContractViolation("stream", "2xx text/event-stream", f"{head.status} {content_type}", head)
    if read.error is not None:
        raise ContractViolation("stream", "a stream the server ends itself", read.error, head)
    for index, event in enumerate(read.events):
        if not isinstance(event, dict):
            raise ContractViolation("stream event", "data: <JSON object>", f"event {index}: {event!r}", head)
        errors = list(schemas.documented_validator("stream_chunk").iter_errors(event))
        if errors:
            raise ContractViolation(
                "stream chunk", "a Gemini GenerateContentResponse", errors[0].message, head
            )
    if not read.chunks:
        raise ContractViolation("stream", "at least one Gemini chunk", f"{len(read.events)} events", head)
    creatify = read.creatify
    if creatify is None or not isinstance(creatify.get("id"), str):
        raise ContractViolation("stream", "a creatify object with the job id", creatify, head)
    return creatify


@check("sse")
def check_finish_reason(read: StreamRead) -> None:
    """The last Gemini chunk carries a ``finishReason`` (how current Gemini models end a stream: upstream
    behaviour, reported by the shipped suite)."""
    chunks = read.chunks
    if chunks and not any(c.get("finishReason") for c in chunks[-1].get("candidates") or []):
        raise ContractViolation("stream", "a finishReason on the last chunk", chunks[-1], read.exchange)


@check("sse")
def check_streamed_text(read: StreamRead, job: dict[str, Any], exchange: Exchange) -> None:
    """A done job's ``response_text`` is what the stream sent."""
    if job.get("status") == "done" and job.get("response_text") != read.text:
        got = {"streamed": read.text, "response_text": job.get("response_text")}
        raise ContractViolation(
            "streamed text", "the job's response_text equal to the streamed text", got, exchange
        )
