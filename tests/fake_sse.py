"""The independent fake server's ``/sse/text_generator/`` family, written from the documentation, not from the mock.

Async, sync and streaming creates, the list and one job, ``{"error": ...}`` 400s, tool calls (Gemini's mode
semantics: ``ANY`` calls, ``AUTO``/``NONE`` answer text) and the function parts of messages echoed. Jobs live in the
fake's one store, so an ``/sse/`` job is readable on ``/api/`` too. ``Variation.breaks`` names the documented rules
(``contract_tests.rules`` ids) this family breaks on purpose.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from tests.fake_rules import TEXT, _value

if TYPE_CHECKING:
    from tests.fake_creatify import FakeCreatify

SSE = "/sse/text_generator/"
STREAM = SSE + "stream/"
MODELS = (
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-3-flash-preview",
    "gemini-3.1-pro-preview",
    "gemini-3.1-flash-lite-preview",
)


def sse_errors(body: Any, lenient: bool) -> str | None:
    """The documented refusals of the family: no model_name or messages, an unknown model, a bad role."""
    if not isinstance(body, dict):
        return "Invalid request body."
    if not isinstance(body.get("model_name"), str) or body["model_name"] not in MODELS:
        return "Invalid request body or model not found."
    messages = body.get("messages")
    if not isinstance(messages, list) or (not messages and not lenient):
        return "messages: a list of messages is required."
    for message in messages:
        if not isinstance(message, dict) or message.get("role", "user" if lenient else None) not in (
            "user",
            "model",
        ):
            return "messages: role must be user or model."
    return None


def calls_for(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Gemini's way: ``ANY`` calls (an allowed name when given), ``AUTO`` and ``NONE`` answer with text; after a
    function response the model answers with text."""
    declared = {
        d["name"]: d.get("parameters") or {}
        for tool in body.get("tools") or []
        for d in tool.get("function_declarations") or []
    }
    calling = (body.get("tool_config") or {}).get("function_calling_config") or {}
    last = (body.get("messages") or [{}])[-1]
    if str(calling.get("mode", "AUTO")).upper() != "ANY" or not declared or "function_response" in last:
        return []
    name = (calling.get("allowed_function_names") or list(declared))[0]
    return [{"name": name, "args": _value(declared.get(name))}]


def post(fake: FakeCreatify, path: str, account: str, body: Any) -> tuple[int, Any] | None:
    """``POST /sse/text_generator/``: (status, body); None for the stream, which the handler sends itself."""
    problem = sse_errors(body, fake.v.lenient)
    accept = fake.broken("sse.invalid") and path == SSE and isinstance(body, dict) and "model_name" in body
    if problem is not None and not accept:
        if fake.broken("sse.no5xx"):
            return 500, {"error": "Internal error."}
        if path == STREAM and fake.broken("sse.stream.invalid"):
            return 400, {"detail": problem}
        return 400, {"error": problem}
    if path == STREAM:
        return None
    if body.get("sync"):
        job = fake.new_job(account, body, "sse")
        fake.finish(job["id"], body)
        view = fake.view(job["id"], "sse")
        if fake.broken("sse.sync"):
            view["status"] = "pending"
        return 201, view
    created = fake.create(account, body, "sse")
    if fake.broken("sse.create"):
        created.pop("response_function_calls", None)
    return 201, created


def get(fake: FakeCreatify, path: str, account: str) -> tuple[int, Any]:
    if path == SSE:
        jobs = [fake.view(i, "sse") for i in fake.visible_ids(account)]
        return 200, {"items": jobs} if fake.broken("sse.list") else jobs
    job_id = path[len(SSE) :].rstrip("/")
    with fake.lock:
        mine = fake.owner.get(job_id) == account
    return (200, fake.view(job_id, "sse")) if mine else (404, {"error": "Not found."})


def stream_events(fake: FakeCreatify, account: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The chunks of one stream (its job already finished): text in three parts or the calls, then the end."""
    job = fake.new_job(account, body, "sse")
    fake.finish(job["id"], body)
    final = fake.view(job["id"], "sse")
    response_id = uuid.uuid4().hex
    calls = final.get("response_function_calls") or []
    if calls:
        parts_list = [[{"functionCall": call} for call in calls]]
    else:
        words = (final.get("response_text") or TEXT).split(" ")
        third = max(1, len(words) // 3)
        pieces = [
            " ".join(words[:third]) + " ",
            " ".join(words[third : 2 * third]) + " ",
            " ".join(words[2 * third :]),
        ]
        parts_list = [[{"text": piece}] for piece in pieces]
    chunks: list[dict[str, Any]] = []
    for parts in parts_list:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
        chunks.append(
            {"candidates": [candidate], "modelVersion": body["model_name"], "responseId": response_id}
        )
    last = chunks[-1]
    if not fake.broken("sse.stream.finish") and not fake.broken("sse.stream"):
        last["candidates"][0]["finishReason"] = "STOP"
    if not fake.broken("sse.stream"):
        last["creatify"] = {"id": job["id"], "credits_used": final.get("credits_used") or 0}
    last["usageMetadata"] = {"promptTokenCount": 5, "candidatesTokenCount": 9, "totalTokenCount": 14}
    if fake.v.extras:
        last["usageMetadata"]["thoughtsTokenCount"] = 0
        last["candidates"][0]["safetyRatings"] = []
        if "creatify" in last:
            last["creatify"]["status"] = "done"
    if fake.broken("sse.stream.same"):
        fake.set(job["id"], response_text="not what was streamed")
    if fake.broken("sse.stream.job"):
        with fake.lock:
            fake.owner[job["id"]] = "nobody"
    return chunks


def encode(event: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(event).encode() + b"\r\n\r\n"
