"""RequestValidator: schema errors become Django REST Framework's exact 400 bodies; clean() is validated_data."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from mockserver.contract import schemas
from mockserver.validation.drf import RequestValidator, _message, is_http_url

from .conftest import valid_body

VALIDATOR = RequestValidator()
FULL_CONFIG: dict[str, Any] = {
    "temperature": 0.7,
    "max_output_tokens": 256,
    "top_p": 0.9,
    "top_k": 40,
    "presence_penalty": 0.5,
    "frequency_penalty": -0.5,
    "seed": 42,
    "stop_sequences": ["END", "STOP"],
    "response_mime_type": "application/json",
    "response_json_schema": {"type": "object", "properties": {"a": {"type": "string"}}},
}
DICT_ERROR = "Invalid data. Expected a dictionary, but got {}."


def errors(body: Any, validator: RequestValidator = VALIDATOR) -> dict[str, Any] | None:
    """errors(), checked to leave its input alone and to answer only in the error_fields shape."""
    before = copy.deepcopy(body)
    result = validator.errors(body)
    assert body == before
    if result is not None:
        schemas.validate("error_fields", result)
    return result


def test_valid_bodies_take_the_fast_path() -> None:
    assert errors({"model_name": "m", "messages": [{"role": "user"}]}) is None
    full = valid_body(
        system_instruction="Be brief.", config=FULL_CONFIG, webhook_url="https://example.com/hook"
    )
    assert errors(full) is None
    assert errors(valid_body(config={"top_k": 5.0, "max_output_tokens": 10**40})) is None  # 5.0 is an integer


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"model_name": None}, {"model_name": ["This field may not be null."]}),
        ({"config": None}, {"config": ["This field may not be null."]}),
        ({"messages": [{"role": None}]}, {"messages": {"0": {"role": ["This field may not be null."]}}}),
        ({"model_name": 5}, {"model_name": ["Not a valid string."]}),
        ({"system_instruction": True}, {"system_instruction": ["Not a valid string."]}),
        ({"model_name": 10**100}, {"model_name": ["Not a valid string."]}),
        ({"config": {"top_k": "x"}}, {"config": {"top_k": ["A valid integer is required."]}}),
        ({"config": {"seed": 1.5}}, {"config": {"seed": ["A valid integer is required."]}}),
        ({"config": {"seed": True}}, {"config": {"seed": ["A valid integer is required."]}}),
        ({"config": {"temperature": "hot"}}, {"config": {"temperature": ["A valid number is required."]}}),
        ({"config": {"top_p": False}}, {"config": {"top_p": ["A valid number is required."]}}),
        ({"messages": "hi"}, {"messages": ['Expected a list of items but got type "str".']}),
        ({"messages": 3}, {"messages": ['Expected a list of items but got type "int".']}),
        ({"messages": 1.5}, {"messages": ['Expected a list of items but got type "float".']}),
        ({"messages": True}, {"messages": ['Expected a list of items but got type "bool".']}),
        ({"messages": {}}, {"messages": ['Expected a list of items but got type "dict".']}),
        (
            {"config": {"stop_sequences": "END"}},
            {"config": {"stop_sequences": ['Expected a list of items but got type "str".']}},
        ),
        ({"config": "x"}, {"config": {"non_field_errors": [DICT_ERROR.format("str")]}}),
        ({"config": []}, {"config": {"non_field_errors": [DICT_ERROR.format("list")]}}),
        ({"messages": ["x"]}, {"messages": {"0": {"non_field_errors": [DICT_ERROR.format("str")]}}}),
        (
            {"config": {"response_json_schema": "x"}},
            {"config": {"response_json_schema": ['Expected a dictionary of items but got type "str".']}},
        ),
        (
            {"config": {"response_json_schema": [1]}},
            {"config": {"response_json_schema": ['Expected a dictionary of items but got type "list".']}},
        ),
        ({"model_name": "x" * 256}, {"model_name": ["Ensure this field has no more than 255 characters."]}),
        ({"model_name": ""}, {"model_name": ["This field may not be blank."]}),
        ({"messages": []}, {"messages": ["This list may not be empty."]}),
        (
            {"config": {"stop_sequences": list("abcdef")}},
            {"config": {"stop_sequences": ["Ensure this field has no more than 5 elements."]}},
        ),
        (
            {"config": {"stop_sequences": ["a", ""]}},
            {"config": {"stop_sequences": {"1": ["This field may not be blank."]}}},
        ),
        (
            {"config": {"max_output_tokens": 0}},
            {"config": {"max_output_tokens": ["Ensure this value is greater than or equal to 1."]}},
        ),
        (
            {"config": {"top_k": -(10**30)}},
            {"config": {"top_k": ["Ensure this value is greater than or equal to 1."]}},
        ),
        (
            {"messages": [{"role": "assistant"}]},
            {"messages": {"0": {"role": ['"assistant" is not a valid choice.']}}},
        ),
        ({"messages": [{"role": 5}]}, {"messages": {"0": {"role": ['"5" is not a valid choice.']}}}),
        (
            {"config": {"response_mime_type": "text/html"}},
            {"config": {"response_mime_type": ['"text/html" is not a valid choice.']}},
        ),
        ({"messages": [{}]}, {"messages": {"0": {"role": ["This field is required."]}}}),
        (
            {"messages": [{"role": "user", "content": None}]},
            {"messages": {"0": {"content": ["This field may not be null."]}}},
        ),
        ({"webhook_url": "ftp://example.com/x"}, {"webhook_url": ["Enter a valid URL."]}),
        ({"webhook_url": 7}, {"webhook_url": ["Not a valid string."]}),
    ],
)
def test_each_field_error_has_drfs_message(fields: dict[str, Any], expected: dict[str, Any]) -> None:
    assert errors(valid_body(**fields)) == expected


@pytest.mark.parametrize(
    ("body", "type_name"), [([1, 2], "list"), ("x", "str"), (5, "int"), (1.5, "float"), (True, "bool")]
)
def test_a_body_that_is_not_an_object(body: Any, type_name: str) -> None:
    assert errors(body) == {"non_field_errors": [DICT_ERROR.format(type_name)]}


def test_null_body() -> None:
    assert errors(None) == {"non_field_errors": ["This field may not be null."]}


def test_missing_required_fields_in_schema_order() -> None:
    result = errors({"webhook_url": "nope", "config": {"top_k": 0}})
    assert result == {
        "model_name": ["This field is required."],
        "messages": ["This field is required."],
        "config": {"top_k": ["Ensure this value is greater than or equal to 1."]},
        "webhook_url": ["Enter a valid URL."],
    }
    assert list(result) == ["model_name", "messages", "config", "webhook_url"]


def test_all_errors_at_once_keyed_and_ordered_like_drf() -> None:
    body = {
        "webhook_url": "javascript:alert(1)",
        "config": {"stop_sequences": ["", "ok", ""], "top_k": "x", "temperature": None},
        "messages": [{"role": "user"}, {"content": 1}, "x"],
        "model_name": "",
        "extra": {"ignored": True},
    }
    result = errors(body)
    assert result == {
        "model_name": ["This field may not be blank."],
        "messages": {
            "1": {"role": ["This field is required."], "content": ["Not a valid string."]},
            "2": {"non_field_errors": [DICT_ERROR.format("str")]},
        },
        "config": {
            "temperature": ["This field may not be null."],
            "top_k": ["A valid integer is required."],
            "stop_sequences": {"0": ["This field may not be blank."], "2": ["This field may not be blank."]},
        },
        "webhook_url": ["Enter a valid URL."],
    }
    assert list(result) == ["model_name", "messages", "config", "webhook_url"]
    assert list(result["messages"]["1"]) == ["role", "content"]
    assert list(result["config"]) == ["temperature", "top_k", "stop_sequences"]


def test_a_lists_own_errors_yield_to_its_items() -> None:
    """DRF's ListField validates items first and stops there, so max length is only reported for good items."""
    config = {"stop_sequences": ["a", "b", "", "d", "e", "f"]}
    assert errors(valid_body(config=config)) == {
        "config": {"stop_sequences": {"2": ["This field may not be blank."]}}
    }


def test_other_schemas_and_the_fallback_message() -> None:
    clock = RequestValidator("admin_clock_advance")
    assert errors({"seconds": 3}, clock) is None
    assert errors({"seconds": -1}, clock) == {"seconds": ["Ensure this value is greater than or equal to 0."]}
    assert errors({"seconds": 1e12}, clock) == {
        "seconds": ["Ensure this value is less than or equal to 315360000."]
    }
    assert errors({}, clock) == {"seconds": ["This field is required."]}
    advance = RequestValidator("admin_advance")
    result = errors({"status": "done", "colour": "red"}, advance)
    assert result is not None and list(result) == ["non_field_errors"]
    assert "'colour' was unexpected" in result["non_field_errors"][0]


@pytest.mark.parametrize(
    ("schema", "instance", "message"),
    [
        ({"minLength": 3}, "ab", "Ensure this field has at least 3 characters."),
        ({"minItems": 2}, [1], "Ensure this field has at least 2 elements."),
        ({"maximum": 2.5}, 3, "Ensure this value is less than or equal to 2.5."),
        ({"minimum": 1}, 0.5, "Ensure this value is greater than or equal to 1."),
        ({"type": "boolean"}, "x", "Must be a valid boolean."),
        ({"type": ["string", "null"]}, 1, "Not a valid string."),
        ({"enum": [1, 2]}, True, '"True" is not a valid choice.'),
        ({"const": "x"}, "y", "'x' was expected"),
    ],
)
def test_messages_for_bounds_no_schema_here_uses(schema: dict[str, Any], instance: Any, message: str) -> None:
    (error,) = Draft202012Validator(schema).iter_errors(instance)
    assert _message(error)[1] == message


def test_huge_numbers_never_raise() -> None:
    assert errors(valid_body(config={"temperature": 1e308, "seed": -(10**4000)})) is None
    assert errors(valid_body(config={"top_p": 10**4000})) is None
    if sys.get_int_max_str_digits():
        result = errors(valid_body(messages=[{"role": 10**5000}]))
        assert result is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "https://example.com/hook?x=1#f",
        "HTTPS://Example.COM:8443/a",
        "http://localhost:8000/webhook",
        "http://receiver/hook",
        "http://127.0.0.1:65535/",
        "http://[::1]:8080/hook",
        "http://[2001:db8::1]/",
        "http://user:pass@example.com/",
        "http://例え.jp/",
        "http://example.com./",
    ],
)
def test_urls_accepted(url: str) -> None:
    assert is_http_url(url)
    assert errors(valid_body(webhook_url=url)) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "http://",
        "http:///path",
        "https://:80/",
        "/relative/path",
        "example.com",
        "javascript:alert(1)",
        "http://exa mple.com/",
        "http://example.com/a b",
        "http://example.com/\x00",
        "http://example.com/\n",
        "http://example.com:0/",
        "http://example.com:65536/",
        "http://example.com:/",
        "http://[::g]/",
        "http://[::1/",
        "http://256.1.1.1/",
        "http://1.2.3/",
        "http://-bad.com/",
        "http://bad..com/",
        "http://" + "a" * 2050 + ".com/",
        "https://example.com/" + "a" * 2048,
    ],
)
def test_urls_rejected(url: str) -> None:
    assert not is_http_url(url)
    assert errors(valid_body(webhook_url=url)) == {"webhook_url": ["Enter a valid URL."]}


def test_clean_keeps_declared_keys_and_fills_defaults() -> None:
    body: dict[str, Any] = {
        "model_name": "m",
        "unknown": 1,
        "messages": [{"role": "user", "extra": 2}, {"role": "model", "content": "hi"}],
        "config": {"top_k": 3, "bogus": True, "response_json_schema": {"type": "object", "x-anything": [1]}},
        "webhook_url": "https://example.com/",
    }
    before = copy.deepcopy(body)
    cleaned = VALIDATOR.clean(body)
    assert body == before
    assert cleaned == {
        "model_name": "m",
        "messages": [{"role": "user", "content": ""}, {"role": "model", "content": "hi"}],
        "system_instruction": "",
        "config": {"top_k": 3, "response_json_schema": {"type": "object", "x-anything": [1]}},
        "webhook_url": "https://example.com/",
    }
    assert cleaned is not body and cleaned["messages"][0] is not body["messages"][0]


def test_clean_adds_no_absent_optional_object() -> None:
    cleaned = VALIDATOR.clean({"model_name": "m", "messages": [{"role": "user"}]})
    assert cleaned == {
        "model_name": "m",
        "messages": [{"role": "user", "content": ""}],
        "system_instruction": "",
    }
    assert VALIDATOR.clean(valid_body(config=FULL_CONFIG))["config"] == FULL_CONFIG


FIELD_NAMES = ["model_name", "messages", "system_instruction", "config", "webhook_url", "role", "content"]
FIELD_NAMES += list(FULL_CONFIG)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["user", "model", "", "https://example.com/", "ftp://x", "text/plain"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=20,
)
MESSAGE = st.fixed_dictionaries(
    {}, optional={"role": JSON | st.sampled_from(["user", "model"]), "content": JSON}
)
NEAR_VALID = st.fixed_dictionaries(
    {},
    optional={
        "model_name": st.text(max_size=3) | JSON,
        "messages": st.lists(MESSAGE | JSON, max_size=3) | JSON,
        "system_instruction": JSON,
        "config": st.fixed_dictionaries({}, optional={k: JSON for k in FULL_CONFIG}) | JSON,
        "webhook_url": st.sampled_from(["https://example.com/", "ftp://x", ""]) | JSON,
    },
)


VALID = st.fixed_dictionaries(
    {
        "model_name": st.text(min_size=1, max_size=5),
        "messages": st.lists(
            st.fixed_dictionaries(
                {"role": st.sampled_from(["user", "model"])}, optional={"content": st.text(max_size=5)}
            ),
            min_size=1,
            max_size=3,
        ),
    },
    optional={
        "system_instruction": st.text(max_size=5),
        "config": st.fixed_dictionaries(
            {},
            optional={
                "temperature": st.floats(-5, 5),
                "top_k": st.integers(min_value=1),
                "seed": st.integers(),
                "stop_sequences": st.lists(st.text(min_size=1, max_size=3), max_size=5),
                "response_json_schema": st.dictionaries(st.text(max_size=3), JSON, max_size=3),
                "unknown": JSON,
            },
        ),
        "webhook_url": st.sampled_from(["https://example.com/", "http://[::1]:9/x", "http://h"]),
        "unknown": JSON,
    },
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(VALID, NEAR_VALID, JSON))
def test_errors_never_raise_and_always_answer_in_shape(body: Any) -> None:
    result = errors(body)
    if result is None:
        schemas.validate("create_request", body)
        cleaned = VALIDATOR.clean(body)
        assert errors(cleaned) is None
        assert set(cleaned) <= set(schemas.schema("create_request")["properties"])


@settings(max_examples=50, deadline=None)
@given(VALID)
def test_valid_bodies_are_accepted(body: dict[str, Any]) -> None:
    assert errors(body) is None


def test_counting_stops_past_ten_problems_per_listed_one_and_the_first_are_still_first() -> None:
    """2,000 bad messages (within --max-messages) cost ~0.4 s of the one core when every problem was counted
    (jsonschema, ~0.1 ms a problem): a cheap way for one client to slow every other. Counting now stops at
    200 problems (ten per listed one); the 400 says "at least", and lists the same first 20 as before: the
    missing model_name (reported by ``required``, after ``properties`` in the schema) still comes first."""
    body = {"messages": [{"role": "bad", "content": 5}] * 2000}
    found = VALIDATOR.errors(body, max_listed=20)
    assert found is not None
    assert found["non_field_errors"] == [
        "At least 181 more problems are not listed (counting stopped at 200); the first 20 are."
    ]
    assert found["model_name"] == ["This field is required."]
    assert list(found["messages"]) == [str(i) for i in range(10)]  # two problems each, in order
    assert found["messages"]["0"] == {
        "role": ['"bad" is not a valid choice.'],
        "content": ["Not a valid string."],
    }
    few = VALIDATOR.errors({"messages": [{"role": "bad"}] * 30}, max_listed=20)
    assert few is not None and few["non_field_errors"] == [
        "11 more problems are not listed; the first 20 are."
    ]


_LISTING = """
import json
from mockserver.validation.drf import RequestValidator
props = {f"z{i}": {"type": "NOPE"} for i in range(250)}
decl = {"name": "f", "parameters": {"type": "OBJECT", "properties": props}}
body = {"model_name": "m", "messages": [{"role": "user"}], "tools": [{"function_declarations": [decl]}]}
print(json.dumps(RequestValidator("sse_create_request").errors(body, 20)))
"""


def test_when_counting_stops_the_same_problems_are_listed_in_every_process() -> None:
    """Errors under a map (here a declaration's ``properties``) came in jsonschema's set order, which changes with
    the process's hash seed: once counting stopped early, which 20 were listed changed from run to run."""
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _LISTING], env=env, capture_output=True, text=True, timeout=60, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    listed = json.loads(outputs.pop())
    props = listed["tools"]["0"]["function_declarations"]["0"]["parameters"]["properties"]
    # The first 200 in the body's order are counted (z0..z199); of those, the first 20 by name are listed.
    assert list(props) == sorted(f"z{i}" for i in range(200))[:20]


def test_at_least_n_more_counts_only_new_problems_past_the_cap() -> None:
    """The error seen past the cap was taken as one more problem even when it was at a path already counted
    (a ``type`` and an ``enum`` error at one field): 'At least 10 more' with only 9 unlisted."""
    body = {"model_name": "m", "messages": [{"role": "bad"}] * 9, "config": {"response_mime_type": []}}
    found = VALIDATOR.errors(body, max_listed=1)
    assert found is not None and found["non_field_errors"] == [
        "9 more problems are not listed; the first 1 are."
    ]


def test_map_keys_are_visited_in_body_order_across_schema_files_too() -> None:
    """jsonschema picks the validator class anew for a ``$ref`` into a file that names its ``$schema``: beneath
    it the stock class (set order) came back. The ordered class is kept all the way down."""
    from referencing import Registry, Resource

    from mockserver.validation.ordered import OrderedValidator

    dialect = "https://json-schema.org/draft/2020-12/schema"
    root = {"$schema": dialect, "$id": "urn:root", "properties": {"m": {"$ref": "urn:map"}}}
    target = {
        "$schema": dialect,
        "$id": "urn:map",
        "type": "object",
        "additionalProperties": {"type": "integer"},
    }
    registry = Registry().with_resource("urn:map", Resource.from_contents(target))
    keys = [f"k{i}" for i in range(60)]
    errors = OrderedValidator(root, registry=registry).iter_errors({"m": dict.fromkeys(keys, "x")})
    assert [e.path[-1] for e in errors] == keys
