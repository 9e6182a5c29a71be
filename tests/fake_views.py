"""How the independent fake server shapes a stored job for an answer: the variations the documentation allows
(null for what was not sent or is not set yet, fields it does not list at every depth) and deliberate breaks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fake_creatify import Variation

CONFIG_KEYS = (
    "temperature", "max_output_tokens", "top_p", "top_k", "presence_penalty", "frequency_penalty", "seed",
    "stop_sequences", "response_mime_type", "response_json_schema",
)  # fmt: skip
PARTS = ("function_call", "function_response")


def shape(job: dict[str, Any], family: str, v: Variation) -> dict[str, Any]:
    """``job`` (a private copy) as ``family`` (``api`` or ``sse``) answers it under variation ``v``."""
    sent = job.pop("_sent", {})
    if family == "api":
        job.pop("response_function_calls", None)
    if v.nulls:
        _nulls(job, sent)
    if v.extras:
        _extras(job)
    if "api.timestamps" in v.breaks:
        job["updated_at"] = "2000-01-01T00:00:00Z"
    if "api.create.echo" in v.breaks:
        job["system_instruction"] = ""
    if family == "sse" and "sse.tools.calls" in v.breaks:
        job["response_function_calls"] = [c["name"] for c in job.get("response_function_calls") or []]
    if family == "sse" and "sse.tools.echo" in v.breaks:
        job["messages"] = [{k: m[k] for k in m if k not in PARTS} for m in job["messages"]]
    return job


def _nulls(job: dict[str, Any], sent: dict[str, Any]) -> None:
    """Serializer-style nulls: every config key, every message part, a system instruction not sent, and the
    credits of a job that has not finished."""
    job["config"] = {key: job["config"].get(key) for key in CONFIG_KEYS} | job["config"]
    for message in job["messages"]:
        for part in PARTS:
            message.setdefault(part, None)
    if "system_instruction" not in sent:
        job["system_instruction"] = None
    if job["status"] in ("pending", "running"):
        job["credits_used"] = None


def _extras(job: dict[str, Any]) -> None:
    """Fields no documentation lists, on the job, in its config, in each message and in each function part."""
    job["workspace"] = {"id": 7, "plan": None, "tags": []}
    job["response_metadata"] = None
    job["config"] = {**job["config"], "thinking_config": {"thinking_budget": 0}, "candidate_count": None}
    for message in job["messages"]:
        message["parts"] = [{"text": message.get("content") or "", "thought": None}]
        for part in PARTS:
            if isinstance(message.get(part), dict):
                message[part] = {**message[part], "id": "call-0", "will_continue": None}
    for call in job.get("response_function_calls") or []:
        if isinstance(call, dict):
            call["id"] = "call-1"
