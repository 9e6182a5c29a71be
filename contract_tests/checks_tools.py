"""Checks of tool calls on the ``/sse/`` family: ``response_function_calls`` against the request's declarations.

Documented by Creatify: ``response_function_calls`` is a list of ``{name, args}`` (``check_function_calls``);
``tools`` declare functions and ``tool_config.function_calling_config`` picks the mode. The mode semantics are
Gemini's, which the family passes through (``check_calling_mode``, reported by the shipped suite, not judged):
``NONE`` never calls; ``ANY`` always calls, only ``allowed_function_names`` when given; a model calls only declared
functions, with ``args`` valid against their ``parameters`` (Gemini promises that only in its ``VALIDATED`` mode).
That a stream sends each of the job's calls as a ``functionCall`` part is our inference (``check_streamed_calls``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

from .checks import ContractViolation, Exchange, check
from .sse_reader import StreamRead


def declarations(body: Mapping[str, Any]) -> dict[str, Any]:
    """The request's functions by name, with their ``parameters`` (written in the JSON-Schema-compatible,
    lower-case part of Gemini's subset, so a JSON Schema validator can judge ``args``)."""
    return {
        d["name"]: d.get("parameters") or {"type": "object"}
        for tool in body.get("tools") or []
        for d in tool.get("function_declarations") or []
    }


def mode_of(body: Mapping[str, Any]) -> str:
    calling = (body.get("tool_config") or {}).get("function_calling_config") or {}
    return str(calling.get("mode", "AUTO")).upper()


@check("tools")
def check_function_calls(body: Mapping[str, Any], job: Any, exchange: Exchange) -> list[dict[str, Any]]:
    """``response_function_calls`` is a list of ``{name, args}`` items (Creatify's TextGenResponse); returns it."""
    __tracebackhide__ = True
    calls = job.get("response_function_calls") if isinstance(job, dict) else None
    if not isinstance(calls, list) or not all(
        isinstance(c, dict) and isinstance(c.get("name"), str) and isinstance(c.get("args") or {}, dict)
        for c in calls
    ):
        raise ContractViolation("function calls", "a list of {name, args}", calls, exchange)
    return calls


@check("tools")
def check_calling_mode(body: Mapping[str, Any], job: Any, exchange: Exchange) -> None:
    """Gemini's semantics of a done job's calls (upstream behaviour, not Creatify's documentation): none with
    ``NONE``; at least one with ``ANY``, each among ``allowed_function_names`` when given; declared names; ``args``
    valid against the declaration's ``parameters``."""
    __tracebackhide__ = True
    if not isinstance(job, dict) or job.get("status") != "done":
        return
    calls = check_function_calls(body, job, exchange)
    declared = declarations(body)
    mode = mode_of(body)
    calling = (body.get("tool_config") or {}).get("function_calling_config") or {}
    allowed = calling.get("allowed_function_names") or list(declared)
    if mode == "NONE" and calls:
        raise ContractViolation("function calls", "no call with mode NONE", calls, exchange)
    if mode == "ANY" and not calls:
        raise ContractViolation("function calls", "at least one call with mode ANY", calls, exchange)
    for call in calls:
        if call["name"] not in declared:
            raise ContractViolation(
                "function calls", f"a declared name (one of {sorted(declared)})", call, exchange
            )
        if mode == "ANY" and call["name"] not in allowed:
            raise ContractViolation("function calls", f"a name among {allowed}", call, exchange)
        problem = next(
            iter(Draft202012Validator(declared[call["name"]]).iter_errors(call.get("args") or {})), None
        )
        if problem is not None:
            raise ContractViolation(
                "function call args",
                f"args valid against {call['name']}'s parameters",
                problem.message,
                exchange,
            )


@check("tools")
def check_streamed_calls(read: StreamRead, job: Mapping[str, Any], exchange: Exchange) -> None:
    """The stream's ``functionCall`` parts, in order, are the job's ``response_function_calls``."""
    streamed = [
        {"name": part["functionCall"].get("name"), "args": part["functionCall"].get("args", {})}
        for chunk in read.chunks
        for candidate in chunk.get("candidates") or []
        for part in (candidate.get("content") or {}).get("parts") or []
        if isinstance(part.get("functionCall"), dict)
    ]
    kept = [
        {"name": c.get("name"), "args": c.get("args", {})} for c in job.get("response_function_calls") or []
    ]
    if streamed != kept:
        got = {"streamed": streamed, "response_function_calls": kept}
        raise ContractViolation(
            "streamed calls", "functionCall parts equal to response_function_calls", got, exchange
        )
