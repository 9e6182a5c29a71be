"""The Schemathesis hook that leaves out bodies breaking the one cross-field /sse/ rule: it must decide on any JSON
a fuzzer makes, never raise (a raise is a Schemathesis run error, found by ``make fuzz`` with seed 1048226519)."""

from __future__ import annotations

from typing import Any

import pytest

from .schemathesis_hooks import allowed_names_declared


def body(allowed: Any, names: list[Any]) -> dict[str, Any]:
    return {
        "tools": [{"function_declarations": [{"name": name} for name in names]}],
        "tool_config": {"function_calling_config": {"mode": "ANY", "allowed_function_names": allowed}},
    }


@pytest.mark.parametrize(
    ("allowed", "names", "kept"),
    [
        (["f"], ["f", "g"], True),
        (["h"], ["f"], False),  # the rule itself: an undeclared name is Gemini's 400, left out
        ([], ["f"], True),
        (None, [], True),
    ],
)
def test_the_rule(allowed: Any, names: list[Any], kept: bool) -> None:
    assert allowed_names_declared(body(allowed, names)) is kept


@pytest.mark.parametrize(
    ("allowed", "names"),
    [
        ([["f"]], ["f"]),  # what seed 1048226519 generated: a list where a name goes
        ([{"a": 1}], ["f"]),
        (["f"], [["f"]]),  # an unhashable declared name
        (["f"], [{"x": None}]),
        ([1.5, None], [7]),
    ],
)
def test_a_body_wrong_in_other_ways_is_kept_without_raising(allowed: Any, names: list[Any]) -> None:
    """Names that are no strings break the schema, not this rule: the body goes to the mock, whose 400 the
    negative checks expect."""
    assert allowed_names_declared(body(allowed, names)) is True


@pytest.mark.parametrize("value", [None, [], "x", 3, {"tools": "x", "tool_config": []}])
def test_any_json_is_decided(value: Any) -> None:
    assert allowed_names_declared(value) is True
