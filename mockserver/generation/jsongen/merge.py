"""Small pure helpers for jsongen: the Fail signal, allOf merging, type inference and JSON encoding.

Merging is what lets the walker treat ``allOf`` / ``$ref`` siblings / a chosen anyOf branch as one schema.
It is exact for the common keywords and conservative otherwise (keeps the first value); the final jsonschema
validation catches whatever a merge could not express, so a lossy merge costs a retry, never a wrong answer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from itertools import zip_longest
from typing import Any

import orjson

#: Keywords that branch (tried one branch at a time) rather than merge.
BRANCHING = ("anyOf", "oneOf", "not", "if", "then", "else")

_AT_LEAST = {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"}
_AT_MOST = {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"}
_SUBSCHEMA = {"items", "additionalItems", "additionalProperties", "unevaluatedProperties", "unevaluatedItems"}
_SUBSCHEMA |= {"contains", "propertyNames"}
_SCHEMA_MAPS = {"properties", "patternProperties", "dependentSchemas"}
_FAMILIES = (
    ("object", {"properties", "required", "additionalProperties", "patternProperties", "minProperties"}),
    ("object", {"maxProperties", "propertyNames", "dependentRequired", "propertyOrdering"}),
    ("array", {"items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "additionalItems"}),
    ("string", {"minLength", "maxLength", "pattern", "format"}),
    ("number", {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
)


class Fail(Exception):
    """A subschema could not be satisfied this way.

    ``kind`` drives the retry policy: "unsat" (the schema is impossible: stop), "limit" (depth/work bound hit:
    retry once generating minimal instances) or "unlucky" (random draws failed: retry).
    """

    def __init__(self, where: str, what: str, kind: str) -> None:
        super().__init__(f"{what} (at {where})")
        self.where, self.what, self.kind = where, what, kind

    def message(self) -> str:
        return f"{self.what} (at schema location {self.where})"


def pointer(path: Iterable[Any]) -> str:
    """A jsonschema error path as a URI-fragment JSON pointer into the schema."""
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def dumps(value: Any) -> str:
    """Compact JSON as the API returns it; stdlib json only for what orjson refuses (ints beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)


def canonical(value: Any) -> str:
    """Key for uniqueItems: equal JSON values (ignoring key order) give equal keys."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, sort_keys=True)


def types_of(schema: Mapping[str, Any]) -> list[str]:
    """Allowed types: ``type`` if given, else guessed from the keywords present (string when nothing says)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return list(dict.fromkeys(declared))
    guessed = [name for name, keys in _FAMILIES if keys & schema.keys()]
    if guessed == ["number"] and isinstance(schema.get("multipleOf"), int):
        guessed = ["integer"]
    # Keywords only constrain their own type, so without `type` every type is allowed: the guess first,
    # then simple fallbacks (which matter under `not` or when the guessed type is impossible).
    return list(dict.fromkeys([*guessed, "string", "integer", "boolean", "null"]))


def merge(a: Mapping[str, Any], b: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One schema requiring both ``a`` and ``b`` (for the keywords it understands; see module doc)."""
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
            continue
        current = out[key]
        if current == value and type(current) is type(value):
            continue
        if key == "type":
            out[key] = _common_types(current, value, where)
        elif key in _AT_LEAST and _numeric(current, value):
            out[key] = max(current, value)
        elif key in _AT_MOST and _numeric(current, value):
            out[key] = min(current, value)
        elif key == "required":
            out[key] = list(dict.fromkeys([*current, *value]))
        elif key in _SCHEMA_MAPS:
            out[key] = {
                **current,
                **{k: both(current[k], v) if k in current else v for k, v in value.items()},
            }
        elif key in _SUBSCHEMA:
            out[key] = both(current, value)
        elif key == "prefixItems":
            out[key] = [both(x, y) for x, y in zip_longest(current, value, fillvalue=True)]
        elif key == "enum":
            out[key] = [x for x in current if any(_same(x, y) for y in value)]
        elif key == "const":
            raise Fail(where, f"allOf requires two different const values {current!r} and {value!r}", "unsat")
        elif key == "uniqueItems":
            out[key] = bool(current) or bool(value)
        elif key == "multipleOf" and isinstance(current, int) and isinstance(value, int):
            out[key] = math.lcm(current, value)
        elif key == "dependentRequired":
            out[key] = {**value, **current}
    return out


def both(x: Any, y: Any) -> Any:
    """A subschema requiring both (``true``/``{}`` are neutral)."""
    if x is True or x == {}:
        return y
    if y is True or y == {}:
        return x
    return {"allOf": [x, y]}


def _common_types(x: Any, y: Any, where: str) -> list[str]:
    left = [x] if isinstance(x, str) else list(x)
    right = [y] if isinstance(y, str) else list(y)
    common = [t for t in left if t in right]
    if ("integer" in left and "number" in right) or ("number" in left and "integer" in right):
        common.append("integer")
    if not common:
        raise Fail(where, f"allOf requires type {x!r} and type {y!r} at once", "unsat")
    return list(dict.fromkeys(common))


def _numeric(x: Any, y: Any) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y))


def _same(x: Any, y: Any) -> bool:
    return canonical(x) == canonical(y) and isinstance(x, bool) == isinstance(y, bool)
