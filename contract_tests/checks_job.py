"""Checks on one job across its life: the echo of the request, the status lifecycle, and what generation means.

Only documented behaviour is asserted: extra keys the server adds (a config key it fills in with ``null``, say)
are not violations, because the documentation does not forbid them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .checks import ContractViolation, Exchange, check

STATUSES = ("pending", "running", "done", "failed")
TERMINAL = frozenset({"done", "failed"})
#: Allowed moves between two reads; a poll may miss ``running`` (pending -> done is fine), never go back.
ALLOWED_NEXT: dict[str, frozenset[str]] = {
    "pending": frozenset({"pending", "running", "done", "failed"}),
    "running": frozenset({"running", "done", "failed"}),
    "done": frozenset({"done"}),
    "failed": frozenset({"failed"}),
}
#: Keys of a job that describe its state, compared when a terminal job is read again.
STATE_KEYS = ("status", "response_text", "failed_reason", "credits_used", "updated_at", "created_at")


# -- echo ------------------------------------------------------------------------------------------------------
@check("echo")
def check_echo(sent: Mapping[str, Any], job: Mapping[str, Any], exchange: Exchange | None = None) -> None:
    """``model_name``, ``messages`` (content defaulted to ""), ``config`` and ``system_instruction`` as sent."""
    if job.get("model_name") != sent.get("model_name"):
        raise ContractViolation(
            "echo model_name", repr(sent.get("model_name")), job.get("model_name"), exchange
        )
    expected_si = sent.get("system_instruction", "")
    if _or_default(job.get("system_instruction"), "system_instruction" in sent) != expected_si:
        raise ContractViolation(
            "echo system_instruction", repr(expected_si), job.get("system_instruction"), exchange
        )
    messages = job.get("messages")
    wanted = sent.get("messages", [])
    if not isinstance(messages, list) or len(messages) != len(wanted):
        raise ContractViolation("echo messages", f"{len(wanted)} messages as sent", messages, exchange)
    for i, (want, got) in enumerate(zip(wanted, messages, strict=True)):
        if not isinstance(got, dict):
            raise ContractViolation("echo messages", f"message {i} an object", got, exchange)
        content = _or_default(got.get("content"), "content" in want)
        if got.get("role") != want.get("role") or content != want.get("content", ""):
            expected = f"message {i} role={want.get('role')!r} content={want.get('content', '')!r}"
            raise ContractViolation("echo messages", expected, got, exchange)
    config = job.get("config")
    for key, value in (sent.get("config") or {}).items():
        if not isinstance(config, dict) or key not in config or not _same(config[key], value):
            got = config.get(key, "(missing)") if isinstance(config, dict) else config
            raise ContractViolation("echo config", f"config.{key} == {value!r}", got, exchange)


def _or_default(value: Any, was_sent: bool) -> Any:
    """What the server echoed, with an absent or null value read as the documented default ``""`` when the client
    did not send the field (the documentation omits nullability: null is how some servers say "not given")."""
    return "" if value is None and not was_sent else value


@check("echo")
def check_parts_echo(
    sent: Mapping[str, Any], job: Mapping[str, Any], exchange: Exchange | None = None
) -> None:
    """Each sent message's ``function_call`` / ``function_response`` is in the echoed message: the same ``name``
    and the same ``args`` / ``response`` (extra keys the server adds inside are allowed)."""
    echoed = job.get("messages")
    messages: list[Any] = echoed if isinstance(echoed, list) else []
    for i, want in enumerate(sent.get("messages") or []):
        got = messages[i] if i < len(messages) and isinstance(messages[i], dict) else {}
        for part, data in (("function_call", "args"), ("function_response", "response")):
            if part not in want:
                continue
            echoed = got.get(part)
            wanted = want[part]
            same = (
                isinstance(echoed, dict)
                and echoed.get("name") == wanted.get("name")
                and (echoed.get(data) or {}) == (wanted.get(data) or {})
            )
            if not same:
                raise ContractViolation(f"echo {part}", f"message {i} {part} {wanted!r}", echoed, exchange)


def _same(a: Any, b: Any) -> bool:
    """JSON equality (1 == 1.0 as JSON numbers, but True is not 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


# -- lifecycle -------------------------------------------------------------------------------------------------
@check("lifecycle")
def check_created_pending(job: Mapping[str, Any], exchange: Exchange | None = None) -> None:
    """A job answers ``pending`` when created."""
    if job.get("status") != "pending":
        raise ContractViolation("new job status", "'pending' in the 201 answer", job.get("status"), exchange)


@check("lifecycle")
def check_transition(before: str, after: str, job_id: str = "", exchange: Exchange | None = None) -> None:
    """Between two reads status moves only forward: pending -> running -> done | failed."""
    if after not in ALLOWED_NEXT.get(before, frozenset()):
        allowed = sorted(ALLOWED_NEXT.get(before, frozenset()))
        raise ContractViolation("transition", f"{job_id} from {before!r} only to {allowed}", after, exchange)


@check("lifecycle")
def check_terminal_stable(
    first: Mapping[str, Any], later: Mapping[str, Any], exchange: Exchange | None = None
) -> None:
    """A terminal job never changes on repeated reads."""
    changed = {k: (first.get(k), later.get(k)) for k in STATE_KEYS if first.get(k) != later.get(k)}
    if changed:
        raise ContractViolation(
            "terminal stable", f"{first.get('status')!r} job unchanged", changed, exchange
        )


@check("lifecycle")
def check_terminal_fields(job: Mapping[str, Any], exchange: Exchange | None = None) -> None:
    """``done`` has a string ``response_text`` and no ``failed_reason``; ``failed`` a non-empty ``failed_reason``."""
    status = job.get("status")
    if status == "done":
        if not isinstance(job.get("response_text"), str):
            raise ContractViolation("done job", "response_text a string", job.get("response_text"), exchange)
        if job.get("failed_reason") not in (None, ""):
            raise ContractViolation("done job", "no failed_reason", job.get("failed_reason"), exchange)
    elif status == "failed":
        reason = job.get("failed_reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ContractViolation("failed job", "a non-empty failed_reason", reason, exchange)
    else:
        raise ContractViolation("terminal", "status 'done' or 'failed'", status, exchange)


@check("lifecycle")
def check_finished(statuses: Sequence[str], timeout: float, job_id: str = "") -> None:
    """The job reached ``done`` or ``failed`` within the poll timeout."""
    if not statuses or statuses[-1] not in TERMINAL:
        raise ContractViolation("finishes", f"{job_id} done or failed within {timeout:g} s", list(statuses))


# -- generation semantics (Gemini's, as the issue asks) ---------------------------------------------------------
@check("generation")
def check_generation(
    sent: Mapping[str, Any], job: Mapping[str, Any], exchange: Exchange | None = None
) -> None:
    """On a done job: word count <= max_output_tokens, no stop sequence, JSON mode gives (schema-valid) JSON."""
    if job.get("status") != "done" or not isinstance(job.get("response_text"), str):
        return
    text: str = job["response_text"]
    config = sent.get("config") or {}
    limit = config.get("max_output_tokens")
    if isinstance(limit, int) and len(text.split()) > limit:
        raise ContractViolation(
            "max_output_tokens", f"at most {limit} words", f"{len(text.split())} words", exchange
        )
    for stop in config.get("stop_sequences") or []:
        if stop and stop in text:
            raise ContractViolation("stop_sequences", f"no {stop!r} in response_text", text, exchange)
    if config.get("response_mime_type") != "application/json":
        return
    try:
        value = json.loads(text)
    except ValueError:
        raise ContractViolation("json mode", "response_text that parses as JSON", text, exchange) from None
    schema = config.get("response_json_schema")
    if isinstance(schema, dict):
        error = next(
            iter(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(value)), None
        )
        if error is not None:
            raise ContractViolation(
                "json schema", "JSON valid against response_json_schema", error.message, exchange
            )
