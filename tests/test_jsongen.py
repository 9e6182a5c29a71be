"""jsongen: JSON-mode output must validate against the caller's schema, fit the word budget, avoid stop
sequences, be deterministic per seed, and fail fast and cleanly (SchemaGenerationError) on bad schemas."""

from __future__ import annotations

import copy
import json
import random
import re
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from mockserver.generation.jsongen.generate import DEFAULT_SCHEMA, SchemaGenerationError, generate_json_text

WORDS = (
    "apple",
    "river",
    "stone",
    "cloud",
    "maple",
    "tiger",
    "lemon",
    "piano",
    "ocean",
    "brick",
    "quilt",
    "sunny",
)
SEEDS = range(12)
GEMINI = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "A short title"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "score": {"type": "number", "minimum": 0, "maximum": 10},
    },
    "required": ["title", "tags"],
}


def words(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(n)]


def text(schema: Any, seed: int = 0, **kw: Any) -> str:
    return generate_json_text(schema, rng=random.Random(seed), words=words, **kw)


def gen(schema: Any, seed: int = 0, **kw: Any) -> Any:
    """Generate, parse, and check validity the way a contract test would."""
    out = text(schema, seed, **kw)
    value = json.loads(out)
    against = DEFAULT_SCHEMA if schema is None else schema
    validator = Draft202012Validator(against, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(value)]
    assert not errors, (schema, out, errors)
    return value


def values(schema: Any, **kw: Any) -> list[Any]:
    return [gen(schema, seed, **kw) for seed in SEEDS]


def fails(schema: Any, match: str | None = None, **kw: Any) -> str:
    """The error message, after checking the failure is a SchemaGenerationError and is quick."""
    start = time.perf_counter()
    with pytest.raises(SchemaGenerationError, match=match) as info:
        text(schema, **kw)
    assert time.perf_counter() - start < 1.0
    assert "could not generate JSON for" not in str(info.value)  # i.e. not an internal error
    return str(info.value)


# -- plain JSON mode and the Gemini subset -----------------------------------------------------------------
def test_no_schema_gives_a_small_plausible_object() -> None:
    for value in values(None):
        assert set(value) == {"title", "summary", "items"}
        assert value["title"] and value["summary"] and value["items"]
        assert all(isinstance(item, str) for item in value["items"])


def test_gemini_style_schema() -> None:
    seen_score = False
    for value in values(GEMINI):
        assert isinstance(value["title"], str) and value["title"]
        assert all(isinstance(tag, str) and tag for tag in value["tags"])
        if "score" in value:
            seen_score = True
            assert 0 <= value["score"] <= 10
            assert round(value["score"], 2) == value["score"]
    assert seen_score  # optional properties do appear (with some probability)


def test_property_ordering_and_description_are_honoured() -> None:
    schema = {
        **GEMINI,
        "required": ["title", "tags", "score"],
        "propertyOrdering": ["score", "tags", "title"],
    }
    for value in values(schema):
        assert list(value) == ["score", "tags", "title"]


def test_strings_read_like_text() -> None:
    value = gen({"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]})
    tokens = value["summary"].lower().split()
    assert len(tokens) >= 5 and set(tokens) <= set(WORDS)


# -- types -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "check"),
    [
        ({"type": "null"}, lambda v: v is None),
        ({"type": "boolean"}, lambda v: isinstance(v, bool)),
        ({"type": "integer"}, lambda v: isinstance(v, int) and not isinstance(v, bool)),
        ({"type": "number"}, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)),
        ({"type": "string"}, lambda v: isinstance(v, str)),
        ({"type": "array"}, lambda v: isinstance(v, list)),
        ({"type": "object"}, lambda v: isinstance(v, dict)),
        ({"type": ["integer", "boolean"]}, lambda v: isinstance(v, (int, bool))),
        ({}, lambda v: isinstance(v, str)),
        (True, lambda v: isinstance(v, str)),
        ({"minLength": 2}, lambda v: isinstance(v, str)),
        ({"minimum": 5}, lambda v: isinstance(v, (int, float)) and v >= 5),
        ({"properties": {"a": {"const": 1}}, "required": ["a"]}, lambda v: v == {"a": 1}),
        ({"items": {"type": "integer"}, "minItems": 1}, lambda v: isinstance(v, list) and v),
    ],
)
def test_types_and_inference(schema: Any, check: Any) -> None:
    for value in values(schema):
        assert check(value), value


def test_integer_is_not_a_float_and_number_has_two_decimals() -> None:
    assert all(type(v) is int for v in values({"type": "integer"}))
    numbers = values({"type": "number", "minimum": 0, "maximum": 10})
    assert any(isinstance(v, float) and v != int(v) for v in numbers)
    assert all(round(v, 2) == v for v in numbers)


def test_nullable_type_list_gives_both() -> None:
    kinds = {type(gen({"type": ["string", "null"]}, seed)) for seed in range(60)}
    assert kinds == {str, type(None)}


# -- objects -----------------------------------------------------------------------------------------------
def test_properties_required_and_additional_properties_false() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    results = values(schema)
    assert all("a" in v and set(v) <= {"a", "b", "c"} for v in results)
    assert any(len(v) > 1 for v in results) and any(len(v) == 1 for v in results)


def test_required_property_without_schema_and_pattern_properties() -> None:
    schema = {
        "type": "object",
        "required": ["free"],
        "patternProperties": {"^x_": {"type": "boolean"}},
        "additionalProperties": False,
        "minProperties": 3,
    }
    with pytest.raises(SchemaGenerationError, match="not allowed"):
        text(schema)
    del schema["required"]
    for value in values(schema):
        assert len(value) >= 3 and all(k.startswith("x_") and isinstance(v, bool) for k, v in value.items())


def test_min_max_properties_property_names_and_dependent_required() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "dependentRequired": {"a": ["b"]},
        "additionalProperties": {"type": "string"},
        "propertyNames": {"maxLength": 3},
        "minProperties": 4,
        "maxProperties": 5,
    }
    for value in values(schema):
        assert 4 <= len(value) <= 5 and all(len(k) <= 3 for k in value)


# -- arrays ------------------------------------------------------------------------------------------------
def test_items_min_max_items() -> None:
    schema = {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 2, "maxItems": 3}
    for value in values(schema):
        assert 2 <= len(value) <= 3 and all(isinstance(x, int) and x >= 1 for x in value)


def test_prefix_items_with_items_false() -> None:
    schema = {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False}
    for value in values(schema):
        assert len(value) <= 2
        assert value == [] or isinstance(value[0], int)
        assert len(value) < 2 or isinstance(value[1], str)


def test_unique_items_and_contains() -> None:
    for value in values({"type": "array", "items": {"enum": [1, 2, 3]}, "uniqueItems": True, "minItems": 3}):
        assert sorted(value) == [1, 2, 3]
    schema = {"type": "array", "items": {"type": "string"}, "contains": {"const": "needle"}, "minContains": 2}
    for value in values(schema):
        assert value.count("needle") >= 2


def test_array_lengths_stay_small() -> None:
    for value in values({"type": "array", "items": {"type": "integer"}, "minItems": 7}):
        assert 7 <= len(value) <= 12


# -- enum / const / numbers / strings ----------------------------------------------------------------------
def test_enum_and_const() -> None:
    options = ["red", "green", "blue", 7, None]
    picks = [gen({"enum": options}, seed) for seed in range(40)]
    assert set(map(str, picks)) == set(map(str, options))
    assert all(gen({"const": {"k": [1, "two"]}}, seed) == {"k": [1, "two"]} for seed in SEEDS)
    assert all(gen({"type": "string", "enum": ["a", 1, "b"]}, seed) in ("a", "b") for seed in SEEDS)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "minimum": 3, "maximum": 7},
        {"type": "integer", "exclusiveMinimum": 3, "exclusiveMaximum": 5},
        {"type": "integer", "minimum": -500, "maximum": -400, "multipleOf": 7},
        {"type": "integer", "multipleOf": 0.5, "minimum": 1000},
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001},
        {"type": "number", "minimum": 2.5, "maximum": 2.5},
        {"type": "number", "multipleOf": 0.1, "minimum": 1, "maximum": 2},
        {"type": "number", "multipleOf": 0.25, "exclusiveMaximum": -10},
        {"type": "integer", "minimum": 2**70},
        {"type": "number", "minimum": 1e300},
    ],
)
def test_numeric_bounds_and_multiple_of(schema: dict[str, Any]) -> None:
    for value in values(schema):
        assert isinstance(value, (int, float)) and not isinstance(value, bool)


def test_integers_are_small_by_default() -> None:
    assert all(0 <= v <= 100 for v in values({"type": "integer"}))


@pytest.mark.parametrize(("low", "high"), [(40, None), (0, 3), (6, 6), (0, 0), (500, 520)])
def test_min_max_length(low: int, high: int | None) -> None:
    schema: dict[str, Any] = {"type": "string", "minLength": low}
    if high is not None:
        schema["maxLength"] = high
    for value in values(schema):
        assert low <= len(value) <= (high if high is not None else 10**6)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[a-z]+$",
        r"^\d{3}-\d{4}$",
        r"^(foo|bar)_[A-Z]{2}\d?$",
        r"^[^a-z\s]{4,6}$",
        r"^\w+@\w+\.com$",
        r"id-\d+",
    ],
)
def test_pattern(pattern: str) -> None:
    for value in values({"type": "string", "pattern": pattern}):
        assert re.search(pattern, value)


def test_pattern_prefers_words() -> None:
    assert set(values({"type": "string", "pattern": r"^[a-z]+$"})) & set(WORDS)


@pytest.mark.parametrize(
    "fmt",
    ["date-time", "date", "time", "email", "uri", "url", "uuid", "ipv4", "ipv6", "hostname", "duration"],
)
def test_formats(fmt: str) -> None:
    for value in values({"type": "string", "format": fmt}):
        assert isinstance(value, str) and " " not in value


def test_format_checks_are_real() -> None:
    """The validator in gen() checks formats: a bad value would fail there, not pass silently."""
    validator = Draft202012Validator({"format": "email"}, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert not validator.is_valid("no-at-sign")
    assert "@" in gen({"type": "string", "format": "email"})


# -- combinators and references ----------------------------------------------------------------------------
def test_any_of_and_one_of() -> None:
    kinds = {type(v) for v in values({"anyOf": [{"type": "string", "maxLength": 2}, {"type": "integer"}]})}
    assert kinds == {str, int}
    for value in values({"oneOf": [{"type": "integer"}, {"type": "number"}]}):
        assert isinstance(value, float) and value != int(value)  # an integer would match both


def test_all_of_merges_parts() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {"properties": {"a": {"minimum": 50}, "b": {"type": "string"}}, "required": ["b"]},
        ]
    }
    for value in values(schema):
        assert value["a"] >= 50 and isinstance(value["b"], str)


def test_not_and_if_then_else() -> None:
    assert all(not isinstance(v, str) for v in values({"not": {"type": "string"}}))
    schema = {
        "if": {"type": "integer"},
        "then": {"minimum": 1000},
        "else": {"type": "string", "maxLength": 3},
    }
    for value in values(schema):
        assert (isinstance(value, int) and value >= 1000) or (isinstance(value, str) and len(value) <= 3)


def test_refs_defs_definitions_and_root_recursion() -> None:
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "v": {"type": "integer"},
                    "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "required": ["v"],
            }
        },
        "$ref": "#/$defs/node",
    }
    assert any("kids" in v for v in values(tree))
    assert all(
        v in (1, 2) for v in values({"definitions": {"x": {"enum": [1, 2]}}, "$ref": "#/definitions/x"})
    )
    linked = {
        "type": "object",
        "properties": {"next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}},
        "required": ["next"],
    }
    for value in values(linked):
        depth = 0
        while value is not None:
            value, depth = value["next"], depth + 1
        assert depth <= 33


def test_ref_with_sibling_keywords() -> None:
    schema = {"$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s", "minLength": 30}
    assert all(len(v) >= 30 for v in values(schema))


# -- determinism, word budget, stop sequences --------------------------------------------------------------
def test_same_seed_same_text_and_seeds_differ() -> None:
    assert text(GEMINI, 5) == text(GEMINI, 5)
    assert text(None, 5) == text(None, 5)
    assert len({text(GEMINI, seed) for seed in SEEDS}) > len(SEEDS) // 2


def test_rng_is_the_only_randomness() -> None:
    random.seed(1)
    first = text(GEMINI, 3)
    random.seed(2)
    assert text(GEMINI, 3) == first


@pytest.mark.parametrize("max_words", [1, 2, 5, 30])
def test_max_words(max_words: int) -> None:
    schema = {
        "type": "object",
        "properties": {k: {"type": "string"} for k in ("title", "summary", "body", "caption")},
        "required": ["title", "summary", "body", "caption"],
    }
    for schema_ in (schema, None, GEMINI):
        for seed in SEEDS:
            out = text(schema_, seed, max_words=max_words)
            assert len(out.split()) <= max_words
            if schema_ is not None:
                Draft202012Validator(schema_).validate(json.loads(out))


def test_max_words_one_with_min_length() -> None:
    value = gen({"type": "array", "items": {"type": "string", "minLength": 60}, "minItems": 3}, max_words=1)
    assert all(" " not in v for v in value)


def test_max_words_impossible_raises() -> None:
    fails({"type": "string", "pattern": "^a b c$"}, "within 1 words", max_words=1)
    fails(
        {"type": "object", "properties": {"full name": {"type": "string"}}, "required": ["full name"]},
        max_words=1,
    )


def test_avoid_stop_sequences() -> None:
    for seed in SEEDS:
        out = text(GEMINI, seed, avoid=["apple", "ri", "5"])
        assert not any(s in out for s in ("apple", "ri", "5"))
        Draft202012Validator(GEMINI).validate(json.loads(out))
    out = text({"type": "integer"}, avoid=["1", "2", "3", "4"])
    assert not set(out) & set("1234")


def test_unavoidable_stop_sequence_raises() -> None:
    assert "'\"'" in fails(GEMINI, "stop sequence", avoid=['"'])
    fails({"type": "object"}, "stop sequence", avoid=["{"])
    fails(GEMINI, "'title'", avoid=["title"])  # a required key


# -- bad, impossible and hostile schemas -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "match"),
    [
        ({"type": "foo"}, "not a valid JSON Schema"),
        (
            {"type": "object", "properties": {"a": {"minimum": "x"}}},
            r"not a valid JSON Schema.*#/properties/a/minimum",
        ),
        ({"type": "string", "minLength": 5, "maxLength": 2}, "minLength 5 is greater than maxLength 2"),
        ({"allOf": [{"type": "string"}, {"type": "integer"}]}, "allOf requires type"),
        ({"type": "array", "minItems": 10**9}, "exceeds the mock's limit"),
        ({"type": "string", "minLength": 10**9}, "exceeds the mock's limit"),
        ({"type": "object", "minProperties": 10**9}, "exceeds the mock's limit"),
        (
            {"type": "object", "properties": {"self": {"$ref": "#"}}, "required": ["self"]},
            r"deeper than 32.*#/properties/self",
        ),
        ({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}, "loop"),
        ({"anyOf": [{"$ref": "#"}, {"type": "string"}]}, "loop"),
        ({"$ref": "https://example.com/schema.json"}, "cannot resolve"),
        ({"$ref": "#/$defs/missing"}, "cannot resolve"),
        ({"type": "integer", "minimum": 1.2, "maximum": 1.8}, "no integer"),
        ({"enum": []}, "enum"),
        ({"type": "string", "enum": [1, 2]}, "enum"),
        ({"type": "array", "items": {"enum": [1, 2]}, "uniqueItems": True, "minItems": 3}, "distinct"),
        (False, "false"),
        ({"not": {}}, None),
        ({"type": "string", "pattern": "^a{20000}$"}, "pattern"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_bad_schemas_raise_schema_generation_error(schema: Any, match: str | None) -> None:
    fails(schema, match)


def test_very_deep_and_very_large_schemas_are_refused() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(200):
        deep = {"type": "object", "properties": {"a": deep}, "required": ["a"]}
    fails(deep, "nests deeper")
    fails({"enum": list(range(30_000))}, "too large")
    nested_list: Any = {"type": "integer"}
    for _ in range(5000):
        nested_list = {"allOf": [nested_list]}
    fails(nested_list, "nests deeper")


def test_long_in_place_chains_are_refused() -> None:
    defs = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(40)} | {"d40": {"type": "string"}}
    fails({"$defs": defs, "$ref": "#/$defs/d0"}, "nested")


def test_schema_is_not_mutated_and_odd_mappings_work() -> None:
    schema = copy.deepcopy(GEMINI)
    text(schema)
    assert schema == GEMINI
    from types import MappingProxyType

    assert isinstance(json.loads(text(MappingProxyType({"type": "integer"}))), int)


@pytest.mark.serial  # a time bound: alone
def test_typical_schema_is_fast() -> None:
    start = time.perf_counter()
    for seed in range(50):
        text(GEMINI, seed)
        text(None, seed, max_words=20)
    assert (time.perf_counter() - start) / 100 < 0.02


# -- property test over the Gemini subset ------------------------------------------------------------------
_leaf = st.one_of(
    st.just({"type": "string"}),
    st.just({"type": "integer"}),
    st.just({"type": "boolean"}),
    st.just({"type": ["string", "null"]}),
    st.builds(
        lambda lo, span: {"type": "number", "minimum": lo, "maximum": lo + span},
        st.integers(-50, 50),
        st.integers(0, 100),
    ),
    st.lists(st.text("abcxyz-", min_size=1, max_size=8), min_size=1, max_size=4, unique=True).map(
        lambda options: {"type": "string", "enum": options}
    ),
    st.sampled_from(["date-time", "date", "email", "uri", "uuid"]).map(
        lambda f: {"type": "string", "format": f}
    ),
)


def _compound(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(["title", "tags", "score", "name", "items", "summary", "id"])
    objects = st.dictionaries(keys, children, min_size=1, max_size=4).flatmap(
        lambda props: st.lists(st.sampled_from(sorted(props)), unique=True).map(
            lambda required: {
                "type": "object",
                "properties": props,
                "required": required,
                "propertyOrdering": list(props),
            }
        )
    )
    arrays = st.builds(
        lambda items, n: {"type": "array", "items": items, "minItems": n}, children, st.integers(0, 2)
    )
    return objects | arrays


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    schema=st.recursive(_leaf, _compound, max_leaves=8),
    seed=st.integers(0, 2**32),
    max_words=st.none() | st.integers(1, 40),
)
def test_property_gemini_subset_always_validates(schema: Any, seed: int, max_words: int | None) -> None:
    out = generate_json_text(schema, rng=random.Random(seed), words=words, max_words=max_words)
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(json.loads(out))
    assert max_words is None or len(out.split()) <= max_words
