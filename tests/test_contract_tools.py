"""The kit's tool-call checks catch each broken rule, and pass the mock's own answers (contract_tests/test_tools.py
runs them over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.checks import ContractViolation, Exchange
from contract_tests.checks_tools import check_calling_mode, check_function_calls, check_streamed_calls
from contract_tests.sse_reader import StreamRead
from contract_tests.test_tools import tool_body

EXCHANGE = Exchange("POST", "http://127.0.0.1:1/sse/text_generator/", 201)
WEATHER_CALL = {"name": "get_weather", "args": {"city": "Paris", "unit": "C"}}


def job(*calls: Any) -> dict[str, Any]:
    return {"status": "done", "response_function_calls": list(calls)}


@pytest.mark.parametrize(
    ("body", "answer", "expected"),
    [
        (tool_body("x", "AUTO"), {"status": "done", "response_function_calls": {"name": "f"}}, "a list of"),
        (tool_body("x", "NONE"), job(WEATHER_CALL), "no call with mode NONE"),
        (tool_body("x", "ANY"), job(), "at least one call with mode ANY"),
        (tool_body("x", "ANY", ["get_time"]), job(WEATHER_CALL), "a name among ['get_time']"),
        (tool_body("x", "AUTO"), job({"name": "launch", "args": {}}), "a declared name"),
        (tool_body("x", "AUTO"), job({"name": "get_weather", "args": {"city": 3}}), "args valid"),
    ],
    ids=["not a list", "NONE called", "ANY silent", "not allowed", "undeclared", "bad args"],
)
def test_each_broken_tool_rule_is_a_violation(body: dict[str, Any], answer: Any, expected: str) -> None:
    with pytest.raises(ContractViolation, match=expected.replace("[", r"\[").replace("]", r"\]")):
        check_calling_mode(body, answer, EXCHANGE)


def test_valid_calls_pass_and_failed_jobs_are_not_judged_on_calls() -> None:
    assert check_function_calls(tool_body("x", "ANY"), job(WEATHER_CALL), EXCHANGE) == [WEATHER_CALL]
    check_calling_mode(tool_body("x", "ANY"), job(WEATHER_CALL), EXCHANGE)
    check_calling_mode(tool_body("x", "ANY"), {"status": "failed", "response_function_calls": []}, EXCHANGE)


def test_streamed_calls_must_equal_the_jobs() -> None:
    part = {"functionCall": WEATHER_CALL}
    read = StreamRead(EXCHANGE, [{"candidates": [{"content": {"parts": [part]}, "finishReason": "STOP"}]}])
    check_streamed_calls(read, job(WEATHER_CALL), EXCHANGE)
    with pytest.raises(ContractViolation, match="functionCall parts equal"):
        check_streamed_calls(read, job(), EXCHANGE)


def test_function_parts_of_messages_must_be_echoed() -> None:
    from contract_tests.checks_job import check_parts_echo
    from contract_tests.test_tools import TOOL_TURNS

    sent = {"messages": TOOL_TURNS}
    with_extras = [
        {**m, **{k: {**m[k], "id": "call-0"} for k in ("function_call", "function_response") if k in m}}
        for m in TOOL_TURNS
    ]
    check_parts_echo(sent, {"messages": with_extras}, EXCHANGE)  # extra keys inside a part are allowed
    dropped = [{k: v for k, v in m.items() if k != "function_response"} for m in TOOL_TURNS]
    with pytest.raises(ContractViolation, match="echo function_response"):
        check_parts_echo(sent, {"messages": dropped}, EXCHANGE)
    changed = [dict(m) for m in TOOL_TURNS]
    changed[1] = {**changed[1], "function_call": {"name": "get_weather", "args": {"city": "Rome"}}}
    with pytest.raises(ContractViolation, match="echo function_call"):
        check_parts_echo(sent, {"messages": changed}, EXCHANGE)
