"""Tool calls in-process: declarations, the OpenAPI-subset conversion, calling modes and schema-valid args."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mockserver.generation.text import Generator
from mockserver.generation.tools import (
    ToolError,
    answer_after_response,
    decide,
    parse_toolbox,
    to_json_schema,
)

WEATHER = {
    "name": "get_weather",
    "description": "Weather in a city",
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "city": {"type": "STRING"},
            "unit": {"type": "string", "enum": ["C", "F"]},
            "days": {"type": "INTEGER", "minimum": 1, "maximum": 7, "nullable": True},
        },
        "required": ["city", "unit"],
    },
}
TIME = {"name": "get_time", "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}}}
TOOLS = [{"function_declarations": [WEATHER, TIME]}]
WORDS = Generator().words


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def config(mode: str, allowed: list[str] | None = None) -> dict[str, Any]:
    calling: dict[str, Any] = {"mode": mode}
    if allowed is not None:
        calling["allowed_function_names"] = allowed
    return {"function_calling_config": calling}


def test_the_openapi_subset_becomes_json_schema() -> None:
    schema = to_json_schema(WEATHER["parameters"])
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["properties"]["city"] == {"type": "string"}
    assert schema["properties"]["days"] == {"type": ["integer", "null"], "minimum": 1, "maximum": 7}
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(
    ("tools", "tool_config", "message"),
    [
        ([{"function_declarations": [{"name": "9lives"}]}], None, "not a valid function name"),
        ([{"function_declarations": [{"name": "x" * 65}]}], None, "not a valid function name"),
        (
            [{"function_declarations": [{"name": "f", "parameters": {"type": "WIDGET"}}]}],
            None,
            "is not one of",
        ),
        ([{"function_declarations": [{"name": "f", "parameters": []}]}], None, "must be a schema object"),
        ([{"function_declarations": [{"name": "f"}, {"name": "f"}]}], None, "declared twice"),
        (TOOLS, config("SOMETIMES"), "is not one of AUTO, ANY, NONE, VALIDATED"),
        (TOOLS, config("ANY", ["nope"]), "'nope' is not declared"),
    ],
)
def test_what_gemini_refuses_is_a_tool_error_naming_the_problem(
    tools: Any, tool_config: Any, message: str
) -> None:
    with pytest.raises(ToolError, match=message):
        parse_toolbox(tools, tool_config)


@pytest.mark.parametrize("mode", ["auto", "Any", "none", "VALIDATED"])
def test_modes_are_taken_in_any_case(mode: str) -> None:
    assert parse_toolbox(TOOLS, config(mode)).mode == mode.upper()


def test_none_never_calls() -> None:
    assert decide(parse_toolbox(TOOLS, config("NONE")), user("get_weather please"), 1, WORDS) == []


def test_auto_calls_a_named_function_and_answers_text_otherwise() -> None:
    box = parse_toolbox(TOOLS, None)
    assert decide(box, user("Tell me a story"), 1, WORDS) == []
    (call,) = decide(box, user("Please call get_weather for Paris"), 1, WORDS)
    assert call.name == "get_weather"
    Draft202012Validator(box.functions["get_weather"].schema).validate(call.args)
    assert decide(box, user("get_weathers and more"), 1, WORDS) == []  # whole words only


def test_any_always_calls_among_the_allowed_and_several_when_several_are_named() -> None:
    box = parse_toolbox(TOOLS, config("ANY", ["get_time"]))
    for seed in range(20):
        assert [c.name for c in decide(box, user("hello"), seed, WORDS)] == ["get_time"]
    both = parse_toolbox(TOOLS, config("ANY"))
    assert [c.name for c in decide(both, user("get_time and get_weather"), 1, WORDS)] == [
        "get_weather",
        "get_time",
    ]


def test_the_same_seed_gives_the_same_calls() -> None:
    box = parse_toolbox(TOOLS, config("ANY"))
    runs = {repr(decide(box, user("go"), 42, WORDS)) for _ in range(5)}
    assert len(runs) == 1
    names = {decide(box, user("go"), seed, WORDS)[0].name for seed in range(30)}
    assert names == {"get_weather", "get_time"}  # the seed does choose


def test_after_a_function_response_the_model_answers_text_that_refers_to_it() -> None:
    messages = [
        *user("get_weather in Paris"),
        {"role": "model", "content": "", "function_call": {"name": "get_weather", "args": {"city": "Paris"}}},
        {
            "role": "user",
            "content": "",
            "function_response": {"name": "get_weather", "response": {"temp": 21}},
        },
    ]
    assert decide(parse_toolbox(TOOLS, None), messages, 1, WORDS) == []
    text = answer_after_response(messages)
    assert text is not None and "get_weather" in text and '"temp": 21' in text
    assert [
        c.name for c in decide(parse_toolbox(TOOLS, config("ANY", ["get_time"])), messages, 1, WORDS)
    ] == ["get_time"]


def test_unsatisfiable_parameters_raise_for_the_job_to_fail() -> None:
    from mockserver.generation.jsongen import SchemaGenerationError

    broken = {"name": "f", "parameters": {"type": "STRING", "minLength": 5, "maxLength": 2}}
    box = parse_toolbox([{"function_declarations": [broken]}], config("ANY"))
    with pytest.raises(SchemaGenerationError):
        decide(box, user("f"), 1, WORDS)


def test_a_name_that_ends_a_sentence_is_named_and_a_longer_dotted_name_is_not() -> None:
    box = parse_toolbox(TOOLS, config("AUTO"))
    assert [c.name for c in decide(box, user("First get_weather, then get_time."), 1, WORDS)] == [
        "get_weather",
        "get_time",
    ]
    assert decide(box, user("use get_time.v2 instead"), 1, WORDS) == []
