"""Tool-call arguments from the prompt: a value the last user message names fills its parameter (a city named
becomes ``city``, an enum value mentioned is chosen, ``3 days`` fills ``days``); the rest stays seeded, and the
args stay valid against the declaration."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from mockserver.generation.text import Generator
from mockserver.generation.tools import decide, parse_toolbox

WORDS = Generator().words


def weather(**extra: Any) -> list[dict[str, Any]]:
    properties = {
        "city": {"type": "STRING", "description": "the city"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "INTEGER", "minimum": 1, "maximum": 7},
        **extra,
    }
    declaration = {
        "name": "get_weather",
        "parameters": {"type": "OBJECT", "properties": properties, "required": ["city"]},
    }
    return [{"function_declarations": [declaration]}]


def call(text: str, tools: list[dict[str, Any]] | None = None, seed: int = 1) -> dict[str, Any]:
    box = parse_toolbox(tools or weather(), None)
    (made,) = decide(box, [{"role": "user", "content": text}], seed, WORDS)
    Draft202012Validator(box.functions["get_weather"].schema).validate(made.args)
    return made.args


def test_a_city_named_in_the_message_becomes_city() -> None:
    assert call("Call get_weather for Paris")["city"] == "Paris"
    assert call("What is the weather in New York? Use get_weather.")["city"] == "New York"


def test_an_explicit_name_value_pair_wins() -> None:
    assert call("get_weather with city: Lyon")["city"] == "Lyon"
    assert call('get_weather city="San Francisco"')["city"] == "San Francisco"


def test_an_enum_value_mentioned_is_chosen_whatever_its_case() -> None:
    for seed in range(10):
        assert call("get_weather for Oslo in Fahrenheit", seed=seed)["unit"] == "fahrenheit"
        assert call("get_weather for Oslo in celsius please", seed=seed)["unit"] == "celsius"


def test_a_number_next_to_the_parameter_fills_it() -> None:
    args = call("get_weather for Rome for 3 days")
    assert args["days"] == 3 and args["city"] == "Rome"


def test_nothing_named_leaves_the_seeded_value() -> None:
    plain = call("get_weather please", seed=5)
    assert plain == call("get_weather please", seed=5)  # deterministic
    assert plain["city"] not in ("get_weather", "Please", "please")


def test_a_value_the_declaration_refuses_is_not_used() -> None:
    tools = weather(city={"type": "STRING", "maxLength": 3})
    args = call("Call get_weather for Paris", tools)
    assert args["city"] != "Paris"  # 5 characters: the seeded value, still valid (checked in call())
    assert call("get_weather for 9 days in Rome")["days"] != 9  # over the maximum: seeded


def test_the_function_name_and_sentence_start_are_not_taken_for_a_city() -> None:
    args = call("Please call get_weather.")
    assert args["city"] not in ("Please", "get_weather")


def test_a_huge_message_and_a_long_enum_stay_bounded() -> None:
    tools = weather(unit={"type": "string", "enum": [f"u{i}" for i in range(5000)]})
    args = call("get_weather " + "1" * 200_000 + " days " + "Paris " * 20_000, tools)
    assert isinstance(args["city"], str) and args.get("unit", "u0").startswith("u")  # valid, and it returned
