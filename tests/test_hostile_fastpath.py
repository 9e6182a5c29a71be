"""The compiled happy-path validator (mockserver.fastvalid) agrees with jsonschema on every body, hostile or not.

It may only ever say "valid" when jsonschema does: a disagreement would let a bad body through unvalidated.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from mockserver.contract import schemas
from mockserver.validation.drf import RequestValidator
from mockserver.validation.fast import compile_schema

from .conftest import valid_body

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(
        ["", "user", "model", "assistant", "text/plain", "application/json", "http://a.io/x", "ftp://a"]
    )
    | st.text(max_size=5)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
CONFIG_KEYS = [
    "temperature",
    "max_output_tokens",
    "top_p",
    "top_k",
    "seed",
    "stop_sequences",
    "response_mime_type",
    "response_json_schema",
    "presence_penalty",
    "frequency_penalty",
]
messages = (
    st.lists(
        st.fixed_dictionaries(
            {}, optional={"role": st.sampled_from(["user", "model", "x"]) | values, "content": values}
        ),
        max_size=3,
    )
    | values
)
bodies = st.one_of(
    values,
    st.fixed_dictionaries(
        {},
        optional={
            "model_name": st.text(max_size=3) | st.just("x" * 256) | values,
            "messages": messages,
            "system_instruction": values,
            "config": st.dictionaries(st.sampled_from(CONFIG_KEYS), values, max_size=3) | values,
            "webhook_url": st.sampled_from(["http://127.0.0.1:9/h", "https://x", "ftp://a/b", "/rel"])
            | values,
        },
    ),
    st.builds(lambda extra: {**valid_body(), **extra}, st.dictionaries(st.sampled_from(CONFIG_KEYS), values)),
    st.builds(lambda cfg: valid_body(config=cfg), st.dictionaries(st.sampled_from(CONFIG_KEYS), values)),
)


@pytest.fixture(scope="module")
def validator() -> RequestValidator:
    return RequestValidator("create_request")


def test_the_create_schema_compiles(validator: RequestValidator) -> None:
    assert validator._fast is not None  # else every POST pays for full jsonschema


@pytest.mark.slow  # 400 examples through both validators: seconds
@given(body=bodies)
@settings(max_examples=400, deadline=None)
def test_fast_and_full_validation_agree(body: Any) -> None:
    full = RequestValidator("create_request")
    assert full._fast is not None
    assert full._fast(body) == full._validator.is_valid(body), body


@pytest.mark.parametrize("name", ["admin_advance", "admin_clock_advance", "job", "config", "message"])
@given(body=values)
@settings(max_examples=50, deadline=None)
def test_other_schemas_compile_exactly_or_fall_back(name: str, body: Any) -> None:
    """An unknown keyword means None (jsonschema is used), never a predicate that ignores the keyword."""
    schema = schemas.schema(name)
    resolver = schemas.registry().resolver(base_uri=schema.get("$id", ""))
    check = compile_schema(schema, resolver, FormatChecker())
    if check is not None:
        full = Draft202012Validator(schema, registry=schemas.registry(), format_checker=FormatChecker())
        assert check(body) == full.is_valid(body), body


# The /sse/ create: tools whose declarations carry (recursive) Gemini schemas, tool_config, patterns.
names = st.sampled_from(["f", "get_weather", "9bad", "a" * 65, "", "a.b-c"]) | values
gemini = st.recursive(
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["STRING", "object", "Integer", "NOPE", ""]) | values,
            "enum": st.lists(st.text(max_size=2), max_size=3, unique=True) | st.lists(values, max_size=2),
            "pattern": st.sampled_from(["^a+$", "(", "[a-z]"]) | values,
            "nullable": st.booleans() | values,
            "required": st.lists(st.text(max_size=2), max_size=2) | values,
        },
    ),
    lambda inner: st.fixed_dictionaries(
        {"type": st.sampled_from(["OBJECT", "ARRAY"])},
        optional={
            "properties": st.dictionaries(st.text(max_size=3), inner, max_size=3) | values,
            "items": inner,
        },
    ),
    max_leaves=6,
)
declaration = st.fixed_dictionaries(
    {"name": names}, optional={"description": values, "parameters": gemini | values}
)
tools = st.lists(
    st.fixed_dictionaries({}, optional={"function_declarations": st.lists(declaration, max_size=3) | values})
    | values,
    max_size=2,
)
tool_config = st.fixed_dictionaries(
    {},
    optional={
        "function_calling_config": st.fixed_dictionaries(
            {},
            optional={
                "mode": st.sampled_from(["AUTO", "any", "Validated", "ALWAYS"]) | values,
                "allowed_function_names": st.lists(names, max_size=3) | values,
            },
        )
        | values
    },
)
sse_bodies = st.one_of(
    bodies,
    st.builds(lambda t: {**valid_body(), "tools": t}, tools),
    st.builds(lambda t, c: {**valid_body(), "tools": t, "tool_config": c}, tools, tool_config | values),
    st.builds(lambda s: {**valid_body(), "sync": s}, values),
)


def test_the_sse_create_schema_compiles() -> None:
    assert RequestValidator("sse_create_request")._fast is not None  # else every /sse/ create pays jsonschema


@pytest.mark.slow
@given(body=sse_bodies)
@settings(max_examples=600, deadline=None)
def test_fast_and_full_validation_agree_on_sse_bodies(body: Any) -> None:
    full = RequestValidator("sse_create_request")
    assert full._fast is not None
    assert full._fast(body) == full._validator.is_valid(body), body


@pytest.mark.parametrize(
    "body",
    [
        valid_body(model_name=True),
        valid_body(messages=[{"role": "user", "content": 1.0}]),
        valid_body(config={"max_output_tokens": 2.0}),
        valid_body(config={"max_output_tokens": True}),
        valid_body(config={"temperature": False}),
        valid_body(config={"top_k": 0}),
        valid_body(config={"stop_sequences": ["a"] * 6}),
        valid_body(config={"stop_sequences": [""]}),
        valid_body(webhook_url="http://[::1"),
        valid_body(messages=[]),
        {"model_name": "m"},
    ],
)
def test_edge_cases_agree(validator: RequestValidator, body: dict[str, Any]) -> None:
    assert validator._fast is not None
    assert validator._fast(body) == validator._validator.is_valid(body)


def _declared(parameters: Any) -> dict[str, Any]:
    return valid_body(tools=[{"function_declarations": [{"name": "f", "parameters": parameters}]}])


@pytest.mark.parametrize(
    "body",
    [
        _declared({"type": "OBJECT", "properties": {"a": {"type": "NOPE"}}}),  # under additionalProperties
        _declared(
            {"type": "OBJECT", "properties": {"a": {"type": "ARRAY", "items": {"type": 5}}}}
        ),  # recursion
        _declared({"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}),
        _declared({"type": "STRING", "enum": ["a", "a"]}),
        _declared({"type": "OBJECT", "required": ["a", "a"]}),  # uniqueItems
        _declared({"type": "OBJECT", "required": [1, True]}),
        _declared({"type": "STRING", "pattern": "("}),
        _declared({"type": "STRING", "pattern": "^a$"}),
        valid_body(tools=[{"function_declarations": [{"name": "9bad"}]}]),
        valid_body(tool_config={"function_calling_config": {"mode": "sometimes"}}),
        valid_body(tool_config={"function_calling_config": {"mode": "Any", "allowed_function_names": ["f"]}}),
    ],
)
def test_sse_edge_cases_agree(body: dict[str, Any]) -> None:
    validator = RequestValidator("sse_create_request")
    assert validator._fast is not None
    assert validator._fast(body) == validator._validator.is_valid(body), body


def test_what_the_compiler_does_not_follow_is_left_to_jsonschema() -> None:
    """A nested ``$id`` moves the base of relative refs, another ``$schema`` changes the rules: not compiled."""
    from referencing import Registry

    resolver = Registry().resolver()
    nested_id = {"properties": {"a": {"$id": "https://x.invalid/sub.json", "type": "string"}}}
    draft4 = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}
    assert compile_schema(nested_id, resolver) is None
    assert compile_schema(draft4, resolver) is None
    assert compile_schema({"properties": {"a": {"type": "string"}}}, resolver) is not None


def test_a_format_is_checked_for_every_type_as_jsonschema_does() -> None:
    checker = FormatChecker(())
    checker.checks("strict")(lambda v: isinstance(v, str))
    check = compile_schema({"format": "strict"}, empty_resolver(), checker)
    assert check is not None and check("s") and not check(5)  # jsonschema: 5 is not a "strict" either
    assert not Draft202012Validator({"format": "strict"}, format_checker=checker).is_valid(5)


def empty_resolver() -> Any:
    from referencing import Registry

    return Registry().resolver()
