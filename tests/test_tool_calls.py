"""Tool calls on the /sse/ family over real HTTP: a small agent loop (two functions, the mock's calls executed,
``function_response`` sent back, text to finish) in sync, async and streaming modes; calling modes; request-time
validation; the job, credits, webhooks and snapshots carrying the calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mockserver.core.clock import FrozenClock
from mockserver.core.scenarios import ScenarioBook, ScenarioError
from mockserver.generation.text import calls_text, count_tokens, credits_for, prompt_tokens
from mockserver.generation.tools import to_json_schema
from mockserver.testing import MockServer

from .receiver import Receiver
from .sse_client import SSE, SseClient, body

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

TIMEOUT = 10
WEATHER = {
    "name": "get_weather",
    "description": "Current weather in a city",
    "parameters": {
        "type": "OBJECT",
        "properties": {"city": {"type": "STRING"}, "unit": {"type": "STRING", "enum": ["C", "F"]}},
        "required": ["city", "unit"],
    },
}
TIME = {
    "name": "get_time",
    "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]},
}
TOOLS = [{"function_declarations": [WEATHER, TIME]}]
PROMPT = "Call get_weather and get_time for Paris, then summarise."
#: The agent's side: what each declared function returns when the model calls it.
FUNCTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "get_weather": lambda city, unit: {"city": city, "temperature": 21, "unit": unit},
    "get_time": lambda zone: {"zone": zone, "time": "12:00"},
}
Ask = Callable[[list[dict[str, Any]]], tuple[str | None, list[dict[str, Any]]]]


@pytest.fixture
def sse(mock: MockServer) -> Iterator[SseClient]:
    client = SseClient(mock)
    yield client
    client.close()


def tool_body(messages: list[dict[str, Any]], mode: str | None = None, **fields: Any) -> dict[str, Any]:
    out = body(messages=messages, tools=TOOLS, config={"seed": 11}, **fields)
    if mode is not None:
        out["tool_config"] = {"function_calling_config": {"mode": mode}}
    return out


def agent_loop(ask: Ask, prompt: str = PROMPT, turns: int = 4) -> tuple[str, list[dict[str, Any]]]:
    """Ask the model; run every call it makes and send the results back; stop at the first text answer."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
    executed: list[dict[str, Any]] = []
    for _ in range(turns):
        text, calls = ask(messages)
        if not calls:
            assert text, "a text answer ends the loop"
            return text, executed
        for call in calls:
            messages.append({"role": "model", "content": "", "function_call": call})
        for call in calls:
            result = FUNCTIONS[call["name"]](**call["args"])
            executed.append({**call, "result": result})
            messages.append(
                {
                    "role": "user",
                    "content": "",
                    "function_response": {"name": call["name"], "response": result},
                }
            )
    raise AssertionError(f"the loop did not end in {turns} turns")


def check_calls(calls: list[dict[str, Any]]) -> None:
    declared = {d["name"]: to_json_schema(d["parameters"]) for d in [WEATHER, TIME]}
    for call in calls:
        assert set(call) == {"name", "args"} and call["name"] in declared
        Draft202012Validator(declared[call["name"]]).validate(call["args"])


def sync_ask(sse: SseClient) -> Ask:
    def ask(messages: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
        job = sse.create(**tool_body(messages, sync=True))
        assert job["status"] == "done"
        check_calls(job["response_function_calls"])
        return job["response_text"], job["response_function_calls"]

    return ask


def async_ask(sse: SseClient, mock: MockServer) -> Ask:
    def ask(messages: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
        job = sse.create(**tool_body(messages))
        assert job["status"] == "pending" and job["response_function_calls"] == []
        for _ in range(10):  # poll, moving the frozen clock one second between reads
            job = sse.job(job["id"])
            if job["status"] == "done":
                break
            mock.advance_clock(1)
        assert job["status"] == "done"
        check_calls(job["response_function_calls"])
        return job["response_text"], job["response_function_calls"]

    return ask


def stream_ask(sse: SseClient) -> Ask:
    def ask(messages: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
        result = sse.stream(tool_body(messages))
        assert result.status == 200 and result.last.finish_reason == "STOP"
        calls = []
        for chunk in result.chunks:  # parsed by google.genai.types.GenerateContentResponse
            for call in chunk.parsed.function_calls or []:
                calls.append({"name": call.name, "args": call.args})
        assert not any(c.parsed.function_calls for c in result.chunks[:-1])  # whole, in the last chunk
        job = sse.job(result.last.creatify["id"])  # type: ignore[index]
        assert job["response_function_calls"] == calls
        check_calls(calls)
        return result.text or None, calls

    return ask


def test_agent_loop_in_sync_mode(clock: FrozenClock) -> None:
    with MockServer(clock=clock, timing="instant", seed=5) as mock, closing(SseClient(mock)) as sse:
        text, executed = agent_loop(sync_ask(sse))
    assert [e["name"] for e in executed] == ["get_weather", "get_time"]
    assert text.startswith("According to get_time, the result is") and '"time": "12:00"' in text


def test_agent_loop_in_async_mode_polling(mock: MockServer, sse: SseClient) -> None:
    text, executed = agent_loop(async_ask(sse, mock))
    assert [e["name"] for e in executed] == ["get_weather", "get_time"]
    assert "According to get_time" in text


def test_agent_loop_streaming(clock: FrozenClock) -> None:
    with MockServer(clock=clock, timing="instant") as mock, closing(SseClient(mock)) as sse:
        text, executed = agent_loop(stream_ask(sse))
    assert [e["name"] for e in executed] == ["get_weather", "get_time"]
    assert "According to get_time" in text


def test_the_three_modes_make_the_same_calls_run_after_run(clock: FrozenClock) -> None:
    runs = []
    for _ in range(2):
        with MockServer(clock=FrozenClock(), timing="instant") as mock, closing(SseClient(mock)) as sse:
            runs.append(
                [agent_loop(sync_ask(sse)), agent_loop(stream_ask(sse)), agent_loop(async_ask(sse, mock))]
            )
    assert runs[0] == runs[1]
    sync_run, stream_run, async_run = runs[0]
    assert sync_run == stream_run == async_run  # the same request gives the same calls in every mode


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"tools": [{"function_declarations": [{"name": "9lives"}]}]},
            "tools.0.function_declarations.0.name",
        ),
        (
            {"tools": [{"function_declarations": [{"name": "f", "parameters": {"type": "TUPLE"}}]}]},
            "tools.0.function_declarations.0.parameters.type: ",
        ),
        (
            {"tools": TOOLS, "tool_config": {"function_calling_config": {"mode": "SOMETIMES"}}},
            "mode: 'SOMETIMES' is not one of AUTO, ANY, NONE, VALIDATED",
        ),
        (
            {
                "tools": TOOLS,
                "tool_config": {
                    "function_calling_config": {"mode": "ANY", "allowed_function_names": ["nope"]}
                },
            },
            "allowed_function_names: 'nope' is not declared",
        ),
    ],
)
@pytest.mark.parametrize("path", [SSE, f"{SSE}stream/"])
def test_declarations_and_tool_config_gemini_refuses_are_400_naming_the_problem(
    sse: SseClient, mock: MockServer, fields: dict[str, Any], message: str, path: str
) -> None:
    for sync in (False, True):
        status, error = sse.request("POST", path, json=body(sync=sync, **fields))
        assert (
            status == 400
            and error["error"].startswith("Invalid request body: ")
            and message in error["error"]
        )
    assert mock.jobs() == []


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_none_never_calls_and_answers_text(sse: SseClient) -> None:
    job = sse.job(sse.create(**tool_body([{"role": "user", "content": PROMPT}], mode="none"))["id"])
    assert job["response_function_calls"] == [] and job["response_text"]


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_any_always_calls_among_the_allowed_names(sse: SseClient) -> None:
    sent = tool_body([{"role": "user", "content": "What now?"}], mode="ANY")
    sent["tool_config"]["function_calling_config"]["allowed_function_names"] = ["get_time"]
    job = sse.job(sse.create(**sent)["id"])
    assert [c["name"] for c in job["response_function_calls"]] == ["get_time"]
    check_calls(job["response_function_calls"])
    unnamed = sse.job(sse.create(**tool_body([{"role": "user", "content": "What now?"}], mode="ANY"))["id"])
    assert len(unnamed["response_function_calls"]) == 1  # one chosen by the seed when none is named


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
@pytest.mark.parametrize("mode", [None, "AUTO", "validated"])
def test_auto_and_validated_call_only_functions_the_message_names(sse: SseClient, mode: str | None) -> None:
    named = sse.job(sse.create(**tool_body([{"role": "user", "content": "get_time in Tokyo?"}], mode))["id"])
    assert [c["name"] for c in named["response_function_calls"]] == ["get_time"]
    plain = sse.job(sse.create(**tool_body([{"role": "user", "content": "Tell me a joke"}], mode))["id"])
    assert plain["response_function_calls"] == [] and plain["response_text"]


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_a_call_only_answer_has_null_text_and_credits_for_the_calls(sse: SseClient) -> None:
    sent = tool_body([{"role": "user", "content": PROMPT}])
    job = sse.job(sse.create(**sent)["id"])
    calls = job["response_function_calls"]
    assert job["status"] == "done" and job["response_text"] is None and len(calls) == 2
    expected = credits_for(sent["model_name"], prompt_tokens(sent), count_tokens(calls_text(calls)))
    assert job["credits_used"] == expected > 0
    api_job = sse.job(job["id"], "api")  # the /api/ representation is as it always was
    assert "response_function_calls" not in api_job and api_job["response_text"] is None


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_parameters_that_cannot_be_satisfied_fail_the_job_with_a_reason(sse: SseClient) -> None:
    impossible = {
        "name": "pick",
        "parameters": {
            "type": "OBJECT",
            "properties": {"n": {"type": "INTEGER", "minimum": 5, "maximum": 1}},
            "required": ["n"],
        },
    }
    sent = body(
        messages=[{"role": "user", "content": "pick one"}], tools=[{"function_declarations": [impossible]}]
    )
    job = sse.job(sse.create(**sent)["id"])
    assert job["status"] == "failed" and job["response_function_calls"] == []
    assert "function calling" in job["failed_reason"] and "pick" in job["failed_reason"]


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_an_admin_move_to_done_keeps_the_calls_and_a_text_forces_text(
    mock: MockServer, sse: SseClient
) -> None:
    first = sse.create(**tool_body([{"role": "user", "content": PROMPT}]))
    second = sse.create(**tool_body([{"role": "user", "content": PROMPT}]))
    mock.advance(first["id"], "done")
    mock.advance(second["id"], "done", response_text="Plain words.")
    assert len(sse.job(first["id"])["response_function_calls"]) == 2
    assert sse.job(second["id"])["response_function_calls"] == []
    assert sse.job(second["id"])["response_text"] == "Plain words."


def test_webhooks_and_snapshots_carry_the_calls(clock: FrozenClock) -> None:
    with (
        Receiver() as receiver,
        MockServer(clock=clock, timing="instant") as mock,
        closing(SseClient(mock)) as sse,
    ):
        job = sse.create(**tool_body([{"role": "user", "content": PROMPT}], webhook_url=receiver.url()))
        mock.advance_clock(1)
        mock.wait_for_webhooks(count=2, timeout=TIMEOUT)
        done = [c.json() for c in receiver.wait_for(2) if c.json()["status"] == "done"]
        assert done and done[0] == sse.job(job["id"]) and len(done[0]["response_function_calls"]) == 2
        state = mock.export_state()
        assert state["jobs"][0]["response_function_calls"] == done[0]["response_function_calls"]
        mock.reset()
        mock.import_state(state)
        assert sse.job(job["id"])["response_function_calls"] == done[0]["response_function_calls"]


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_a_rule_forces_calls_with_args_templated_from_the_request(mock: MockServer, sse: SseClient) -> None:
    rule = {
        "match": {"family": "sse", "function_names": ["get_weather"]},
        "outcome": {
            "status": "done",
            "function_calls": [{"name": "get_weather", "args": {"city": "{last_user_message}", "unit": "C"}}],
        },
    }
    with mock.rule(rule):
        job = sse.job(sse.create(**tool_body([{"role": "user", "content": "Lyon"}], mode="NONE"))["id"])
        result = sse.stream(tool_body([{"role": "user", "content": "Nice"}]))
        plain = sse.job(sse.create(messages=[{"role": "user", "content": "Lyon"}])["id"])  # declares nothing
    assert job["response_function_calls"] == [{"name": "get_weather", "args": {"city": "Lyon", "unit": "C"}}]
    assert job["response_text"] is None and job["credits_used"] > 0
    assert [c.name for c in result.last.parsed.function_calls or []] == ["get_weather"]
    assert result.last.parsed.function_calls[0].args == {"city": "Nice", "unit": "C"}  # type: ignore[index]
    assert result.last.finish_reason == "STOP"
    assert plain["response_function_calls"] == []


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_a_rule_forces_text_and_matches_on_the_mode(mock: MockServer, sse: SseClient) -> None:
    rule = {"match": {"function_calling_mode": "ANY"}, "outcome": {"status": "done", "function_calls": []}}
    with mock.rule(rule):
        forced = sse.job(sse.create(**tool_body([{"role": "user", "content": PROMPT}], mode="any"))["id"])
        auto = sse.job(sse.create(**tool_body([{"role": "user", "content": PROMPT}]))["id"])
    assert forced["response_function_calls"] == [] and forced["response_text"]
    assert len(auto["response_function_calls"]) == 2  # AUTO: the rule does not fit, the model calls


def test_a_failed_rule_with_calls_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"field outcome: .* should not be valid"):
        ScenarioBook().compile({"outcome": {"status": "failed", "function_calls": []}}, "rule 0")
