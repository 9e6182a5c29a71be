"""Where each schema rule comes from, and the *documented* view derived from the same files.

Every schema file says, in ``x-source``, whether its constraints are documented by Creatify (``doc``), upstream
Gemini behaviour Creatify passes through (``gemini``), or this project's own choice (``mock``). The mock validates
requests with every rule; the contract kit judges a server's responses only on ``doc`` rules, so a real server that
chooses differently where the documentation is silent is never failed. The documented view is computed by
stripping the other rules, never written by hand: one source of truth.

The documented view is then read the way Creatify's reference is written (``relax``): it omits nullability
throughout (``response_text`` is documented as ``string`` and is null on every pending job) and lists fields without
closing the set. So a property the documentation does not mark required admits ``null``, and no object is closed
(``additionalProperties: false`` and the like are dropped) at any depth.

``x-source`` is either a string (the source of every rule of this subschema and of the subschemas below it) or an
object mapping a keyword to its source, with ``"*"`` for the keywords not named (and inherited below).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

ANNOTATION = "x-source"
SOURCES = ("doc", "gemini", "mock")
DEFAULT_KEY = "*"
#: Keywords that constrain an instance on their own (applicators are walked into instead).
RULE_KEYWORDS = frozenset(
    {
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "format", "maxItems", "minItems", "uniqueItems", "maxContains",
        "minContains", "maxProperties", "minProperties", "required", "dependentRequired", "$ref",
    }
)  # fmt: skip
_CHILD_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_CHILD_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_CHILD_ONE = (
    "items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "not", "if", "then", "else",
    "contains", "propertyNames",
)  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """One constraint: ``keyword`` of the subschema at ``pointer`` (JSON Pointer) in schema ``schema``."""

    schema: str
    pointer: str
    keyword: str
    source: str


class ProvenanceError(ValueError):
    """An ``x-source`` annotation that cannot be read: an unknown source or a keyword the subschema lacks."""


def _sources(node: Mapping[str, Any], inherited: str | None, where: str) -> tuple[dict[str, str], str | None]:
    """(explicit source per keyword, default for the rest and for the children) of one subschema."""
    note = node.get(ANNOTATION)
    if note is None:
        return {}, inherited
    if isinstance(note, str):
        note = {DEFAULT_KEY: note}
    if not isinstance(note, Mapping):
        raise ProvenanceError(f"{where}: {ANNOTATION} must be a string or an object, got {note!r}")
    for keyword, source in note.items():
        if source not in SOURCES:
            raise ProvenanceError(f"{where}: {ANNOTATION} {keyword}={source!r}; known sources: {SOURCES}")
        if keyword != DEFAULT_KEY and keyword not in node:
            raise ProvenanceError(f"{where}: {ANNOTATION} names {keyword!r}, which this subschema lacks")
    explicit = {k: str(v) for k, v in note.items() if k != DEFAULT_KEY}
    default = note.get(DEFAULT_KEY, inherited)
    return explicit, None if default is None else str(default)


def _children(node: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(keyword, pointer suffix, subschema) of every subschema directly under ``node``."""
    for key in _CHILD_MAPS:
        for name, child in (node.get(key) or {}).items():
            yield key, f"/{key}/{name}", child
    for key in _CHILD_LISTS:
        for i, child in enumerate(node.get(key) or []):
            yield key, f"/{key}/{i}", child
    for key in _CHILD_ONE:
        if key in node:
            yield key, f"/{key}", node[key]


def rules(name: str, schema: Mapping[str, Any]) -> list[Rule]:
    """Every rule of one schema file with its source; a rule with no source at all is a ``ProvenanceError``."""
    found: list[Rule] = []

    def walk(node: Any, pointer: str, inherited: str | None) -> None:
        if not isinstance(node, Mapping):
            return
        explicit, default = _sources(node, inherited, f"{name}{pointer or '/'}")
        for keyword in node:
            if keyword in RULE_KEYWORDS or keyword in explicit:
                source = explicit.get(keyword, default)
                if source is None:
                    raise ProvenanceError(f"{name}{pointer or '/'}: {keyword!r} has no {ANNOTATION}")
                found.append(Rule(name, pointer, keyword, source))
        for keyword, suffix, child in _children(node):
            if keyword not in explicit:
                walk(child, pointer + suffix, default)

    walk(schema, "", None)
    return found


def view(schema: Mapping[str, Any], keep: frozenset[str]) -> dict[str, Any]:
    """A copy of ``schema`` without the rules whose source is not in ``keep`` (annotations stay)."""

    def strip(node: Any, inherited: str | None) -> Any:
        if not isinstance(node, Mapping):
            return copy.deepcopy(node)
        explicit, default = _sources(node, inherited, "(view)")
        out: dict[str, Any] = {}
        child_keys = {keyword for keyword, _, _ in _children(node)}
        for keyword, value in node.items():
            source = explicit.get(keyword, default)
            if (keyword in RULE_KEYWORDS or keyword in explicit) and source not in keep:
                continue
            if keyword in child_keys:
                out[keyword] = _strip_container(keyword, value, default, strip)
            else:
                out[keyword] = copy.deepcopy(value)
        return out

    return dict(strip(schema, None))


def _strip_container(keyword: str, value: Any, default: str | None, strip: Any) -> Any:
    if keyword in _CHILD_MAPS:
        return {name: strip(child, default) for name, child in value.items()}
    if keyword in _CHILD_LISTS:
        return [strip(child, default) for child in value]
    return strip(value, default)


#: Keywords that close an object or array to what the schema lists; the documentation never closes a set.
_CLOSING = ("additionalProperties", "unevaluatedProperties", "unevaluatedItems")


def relax(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` read as Creatify's documentation is written: every property that its object does not list as
    ``required`` also admits ``null``, and no (sub)schema forbids fields or items it does not list."""

    def walk(node: Any) -> Any:
        if not isinstance(node, Mapping):
            return copy.deepcopy(node)
        out: dict[str, Any] = {}
        for keyword, value in node.items():
            if keyword in _CLOSING and value is False:
                continue
            if keyword in _CHILD_MAPS:
                out[keyword] = {name: walk(child) for name, child in value.items()}
            elif keyword in _CHILD_LISTS:
                out[keyword] = [walk(child) for child in value]
            elif keyword in _CHILD_ONE:
                out[keyword] = walk(value)
            else:
                out[keyword] = copy.deepcopy(value)
        required = set(node.get("required") or ())
        for name, child in (out.get("properties") or {}).items():
            if name not in required:
                out["properties"][name] = nullable(child)
        return out

    return dict(walk(schema))


def nullable(node: Any) -> Any:
    """``node`` that also admits ``null``: ``null`` added to its ``type``/``enum``, or, for a ``$ref`` (whose
    target cannot be widened here), the reference applied only to non-null values."""
    if not isinstance(node, Mapping):
        return node
    out = dict(node)
    if "$ref" in out:
        return {"if": {"type": "null"}, "else": {"$ref": out.pop("$ref")}, **nullable(out)}
    kind = out.get("type")
    if isinstance(kind, str) and kind != "null":
        out["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        out["type"] = [*kind, "null"]
    if isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    if "const" in out and out["const"] is not None:
        out["enum"] = [out.pop("const"), None]
    return out
