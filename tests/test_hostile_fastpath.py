"""The compiled happy-path validator (mockserver.fastvalid) agrees with jsonschema on every body, hostile or not.

It may only ever say "valid" when jsonschema does: a disagreement would let a bad body through unvalidated.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
def test_other_schemas_compile_or_fall_back(name: str) -> None:
    """An unknown keyword means None (jsonschema is used), never a predicate that ignores the keyword."""
    schema = schemas.schema(name)
    resolver = schemas.registry().resolver(base_uri=schema.get("$id", ""))
    check = compile_schema(schema, resolver, {"uri": lambda v: True})
    if check is not None:
        assert "additionalProperties" not in str(schema)


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
