"""Declaration schemas are checked keyword by keyword against Draft 7's metaschema while they are converted (fast)
instead of whole against 2020-12's, the draft of the result (slow): the two must give the same verdict."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import SchemaError
from jsonschema.validators import Draft202012Validator

from mockserver.generation.tools import declarations
from mockserver.generation.tools.declarations import SAME, ToolError, to_json_schema

values = st.one_of(
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=4),
    st.sampled_from(["[", "^a+$", "(?P<x>", ""]),  # patterns: a bad regex is refused by both
    st.booleans(),
    st.none(),
    st.lists(st.one_of(st.text(max_size=3), st.integers(0, 2)), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(0, 2), max_size=2),
)
types = st.sampled_from(["STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "string"])


def node(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    keywords = st.dictionaries(st.sampled_from(SAME), values, max_size=4)
    structure = st.fixed_dictionaries(
        {},
        optional={
            "type": types,
            "nullable": st.booleans(),
            "properties": st.dictionaries(st.text(max_size=3), children, max_size=3),
            "items": children,
            "anyOf": st.lists(children, min_size=1, max_size=2),
        },
    )
    return st.tuples(keywords, structure).map(lambda pair: {**pair[0], **pair[1]})


gemini_schemas = st.recursive(node(st.just({})), node, max_leaves=8)


def refused_by_2020_12(schema: dict[str, Any]) -> bool:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError:
        return True
    return False


def unchecked(gemini: dict[str, Any]) -> dict[str, Any]:
    """The conversion with the keyword check switched off (a metaschema that accepts anything)."""
    with mock.patch.object(declarations, "META", Draft202012Validator({})):
        return to_json_schema(gemini)


@pytest.mark.slow  # 300 schemas through 2020-12's metaschema: seconds
@settings(max_examples=300, deadline=None)
@given(gemini_schemas)
def test_the_keyword_check_and_2020_12s_metaschema_agree(gemini: dict[str, Any]) -> None:
    try:
        schema = unchecked(gemini)
    except ToolError:
        return  # refused for its structure, before any keyword check
    try:
        to_json_schema(gemini)
    except ToolError as exc:
        assert "not a schema Gemini accepts" in str(exc)
        assert refused_by_2020_12(schema), (exc, schema)
    else:
        assert not refused_by_2020_12(schema), schema


def test_both_verdicts_occur() -> None:
    """The property above compares something: valid and invalid keyword values both reach the check."""
    assert not refused_by_2020_12(
        to_json_schema({"type": "ARRAY", "items": {"type": "STRING"}, "minItems": 1})
    )
    bad = {"type": "OBJECT", "properties": {"a": {"type": "ARRAY", "minItems": -1}}}
    assert refused_by_2020_12(unchecked(bad))
    with pytest.raises(
        ToolError, match=r"parameters\.properties\.a: not a schema Gemini accepts \(-1 is less"
    ):
        to_json_schema(bad)


@pytest.mark.parametrize("enum", [None, "a", 3])
def test_an_enum_that_is_no_list_is_refused_naming_it(enum: Any) -> None:
    """Found by the property above: ``enum: null`` beside ``nullable`` raised a TypeError."""
    with pytest.raises(ToolError, match=r"parameters\.enum: must be a list"):
        to_json_schema({"type": "STRING", "nullable": True, "enum": enum})
