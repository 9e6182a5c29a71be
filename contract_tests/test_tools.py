"""Tool calls on the ``/sse/text_generator/`` family: declared functions, calling modes, ``response_function_calls``
and ``functionCall`` parts in a stream. Sync creates (one job each, no polling); skipped when the target has no
``/sse/`` family.
"""

from __future__ import annotations

from typing import Any

import pytest

from .checks import check_status
from .checks_job import check_echo, check_parts_echo
from .checks_sse import check_sse_error, check_sse_response, check_stream, check_terminal
from .checks_tools import check_calling_mode, check_function_calls, check_streamed_calls
from .client import ContractClient
from .config import ContractConfig
from .report import Report
from .rules import covers
from .sse_reader import read_stream

pytest.importorskip("httpx_sse", reason="the /sse/ tests read streams with httpx-sse: pip install httpx-sse")

pytestmark = pytest.mark.contract("tools")
SSE = "/sse/text_generator/"
WEATHER = {
    "name": "get_weather",
    "description": "Current weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["C", "F"]}},
        "required": ["city", "unit"],
    },
}
TIME = {
    "name": "get_time",
    "description": "The time in a time zone",
    "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]},
}
TOOLS = [{"function_declarations": [WEATHER, TIME]}]


def tool_body(prompt: str, mode: str, allowed: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    calling: dict[str, Any] = {"mode": mode}
    if allowed is not None:
        calling["allowed_function_names"] = allowed
    return {
        "model_name": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": prompt}],
        "tools": TOOLS,
        "tool_config": {"function_calling_config": calling},
        **fields,
    }


@pytest.fixture(scope="module")
def sse(contract_client: ContractClient) -> ContractClient:
    exchange = contract_client.send("GET", SSE, check=False)
    if exchange.status == 404:
        pytest.skip(f"the target answers GET {SSE} with 404: it has no /sse/ family")
    return contract_client


def _sync(client: ContractClient, report: Report, body: dict[str, Any]) -> None:
    client.budget.take()
    exchange = client.send("POST", SSE, check=False, json={**body, "sync": True})
    check_sse_response(exchange, "text_gen_response")
    check_status(exchange, 201, "sse sync create with tools")
    check_terminal(exchange.body, exchange)
    check_function_calls(body, exchange.body, exchange)
    with report.reported("sse.tools.mode"):
        check_calling_mode(body, exchange.body, exchange)


@covers("sse.tools.calls", "sse.tools.mode", "sse.sync", "sse.no5xx")
@pytest.mark.parametrize(
    ("prompt", "mode", "allowed"),
    [
        ("What time is it in Tokyo? Use get_time.", "ANY", ["get_time"]),
        ("Call get_weather for Paris in C.", "NONE", None),
        ("Call get_weather for Paris in C.", "AUTO", None),
    ],
    ids=["ANY with allowed names", "NONE", "AUTO"],
)
def test_calls_follow_the_mode_and_the_declarations(
    sse: ContractClient, contract_report: Report, prompt: str, mode: str, allowed: list[str] | None
) -> None:
    _sync(sse, contract_report, tool_body(prompt, mode, allowed))


@covers("sse.stream", "sse.tools.calls", "sse.stream.same", "sse.tools.mode", "sse.no5xx")
def test_a_streams_function_calls_are_the_jobs(
    sse: ContractClient, contract_config: ContractConfig, contract_report: Report
) -> None:
    sse.budget.take()
    body = tool_body("Call get_weather for Paris in C.", "ANY")
    read = read_stream(sse.base_url, sse.headers, body, max(30.0, contract_config.poll_timeout))
    if read.exchange.status == 400:
        check_sse_error(read.exchange)
    creatify = check_stream(read)
    exchange = sse.send("GET", f"{SSE}{creatify['id']}/", kind="text_gen_response")
    check_status(exchange, 200, "read of a streamed job with tools")
    check_function_calls(body, exchange.body, exchange)
    with contract_report.reported("sse.tools.mode"):
        check_calling_mode(body, exchange.body, exchange)
    with contract_report.reported("sse.stream.same"):
        check_streamed_calls(read, exchange.body, exchange)


#: A conversation that returns a tool result, Gemini's way: the model's call, then the user's function response.
TOOL_TURNS: list[dict[str, Any]] = [
    {"role": "user", "content": "What is the weather in Paris?"},
    {
        "role": "model",
        "content": "",
        "function_call": {"name": "get_weather", "args": {"city": "Paris", "unit": "C"}},
    },
    {
        "role": "user",
        "content": "",
        "function_response": {"name": "get_weather", "response": {"temperature": 21, "sky": "clear"}},
    },
]


@covers("sse.tools.echo", "sse.create", "sse.no5xx")
def test_function_parts_of_messages_are_echoed(sse: ContractClient) -> None:
    body = {**tool_body("unused", "AUTO"), "messages": TOOL_TURNS}
    sse.budget.take()
    created = sse.send("POST", SSE, check=False, json=body)
    check_sse_response(created, "text_gen_response")
    check_status(created, 201, "sse create with function parts in its messages")
    check_echo(body, created.body, created)
    check_parts_echo(body, created.body, created)
    detail = sse.send("GET", f"{SSE}{created.body['id']}/", check=False)
    check_sse_response(detail, "text_gen_response")
    check_status(detail, 200, "sse detail of a job with function parts")
    check_parts_echo(body, detail.body, detail)
