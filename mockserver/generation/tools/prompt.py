"""Arguments the last user message names: "Call get_weather for Paris" gives ``{"city": "Paris"}``.

A model reads the prompt; a seeded generator alone would answer ``{"city": "partner take loss six"}``. For each
top-level parameter of the chosen function, in this order of evidence:

1. an explicit pair: ``city: Lyon``, ``city = "San Francisco"``, ``city is Oslo``, ``days 3``, ``3 days``;
2. for an ``enum``, a value the message mentions as a whole word, any case (the declared spelling is used);
3. for a free string, a quoted phrase, else a capitalised phrase after ``for``/``in``/``at``/… ("for New York"),
   each used once, required parameters first.

The result replaces the seeded values only if the whole ``args`` still validates against the declaration;
otherwise each found value is tried alone, and what the declaration refuses is left seeded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema.validators import Draft202012Validator

MAX_VALUE_CHARS = 80
#: Bounds on the work per call: the message's head is read, and so many parameters and enum values at most.
MAX_TEXT_CHARS = 20_000
MAX_PARAMETERS = 64
MAX_ENUM_VALUES = 256
PREPOSITIONS = r"(?:for|in|at|to|from|about|near|of|on)"
#: A run of capitalised words ("New York", "São Paulo", "Rio de Janeiro" keeps "Rio").
PROPER = r"[A-ZÀ-Þ][\w'’\-]*(?:\s+[A-ZÀ-Þ][\w'’\-]*)*"
QUOTED = r"\"([^\"]{1,80})\"|'([^']{1,80})'|“([^”]{1,80})”"
NUMBER = r"-?\d+(?:\.\d+)?"


def _types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return {t for option in schema.get("anyOf", []) if isinstance(option, Mapping) for t in _types(option)}


def _labels(name: str) -> list[str]:
    """How a message may spell a parameter: ``temperature_unit``, ``temperature unit``, ``day`` for ``days``."""
    spaced = name.replace("_", " ").replace("-", " ")
    labels = [name, spaced]
    if spaced.endswith("s") and len(spaced) > 3:
        labels.append(spaced[:-1])
    return [re.escape(label) for label in dict.fromkeys(labels)]


def _explicit(name: str, kinds: set[str], text: str) -> Any:
    for label in _labels(name):
        if kinds & {"integer", "number"}:
            for pattern in (
                rf"\b{label}\s*(?:=|:|is|of)?\s*({NUMBER})\b",
                rf"(?<![\w.])({NUMBER})\s+{label}s?\b",
            ):
                found = re.search(pattern, text, re.IGNORECASE)
                if found:
                    number = float(found.group(1))
                    return int(number) if "integer" in kinds and number.is_integer() else number
        if "string" in kinds:
            found = re.search(rf"\b{label}\s*(?:=|:|is)\s*(?:{QUOTED}|([^\s,;.!?]+))", text, re.IGNORECASE)
            if found:
                return next(g for g in found.groups() if g)
    return None


def _mentioned_enum(options: list[Any], text: str) -> Any:
    hits = []
    for option in options[:MAX_ENUM_VALUES]:
        if isinstance(option, str) and option:
            found = re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text, re.IGNORECASE)
            if found:
                hits.append((found.start(), option))
    return min(hits)[1] if hits else None


def _phrases(text: str, taken: set[str]) -> Iterator[str]:
    """Free-string candidates, best first: quoted phrases, then capitalised phrases after a preposition."""
    for match in re.finditer(QUOTED, text):
        yield next(g for g in match.groups() if g)
    for match in re.finditer(rf"\b{PREPOSITIONS}\s+({PROPER})", text):
        phrase = match.group(1)
        if phrase.lower() not in taken:
            yield phrase


def found_values(schema: Mapping[str, Any], text: str, function_name: str) -> dict[str, Any]:
    """Values the message gives for the top-level parameters of ``schema`` (nothing checked yet)."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not text:
        return {}
    text = text[:MAX_TEXT_CHARS]
    required = [n for n in schema.get("required", []) if n in properties]
    order = [*required, *(n for n in properties if n not in required)][:MAX_PARAMETERS]
    found: dict[str, Any] = {}
    taken = {function_name.lower()}
    for name in order:
        sub = properties[name]
        if not isinstance(sub, Mapping):
            continue
        value = _explicit(name, _types(sub), text)
        if value is None and isinstance(sub.get("enum"), list):
            value = _mentioned_enum(sub["enum"], text)
        if value is not None:
            found[name] = value
            taken.add(str(value).lower())
    free = [n for n in order if n not in found and isinstance(properties[n], Mapping)]
    free = [
        n for n in free if _types(properties[n]) == {"string"} or _types(properties[n]) == {"string", "null"}
    ]
    free = [n for n in free if "enum" not in properties[n] and "format" not in properties[n]]
    phrases = (p for p in _phrases(text, taken) if len(p) <= MAX_VALUE_CHARS)
    for name, phrase in zip(free, phrases, strict=False):
        found[name] = phrase
    return found


def apply(schema: dict[str, Any], args: dict[str, Any], text: str, function_name: str) -> dict[str, Any]:
    """``args`` with the values the message names, where the declaration accepts them."""
    found = found_values(schema, text, function_name)
    if not found:
        return args
    validator = Draft202012Validator(schema)
    merged = {**args, **found}
    if validator.is_valid(merged):
        return merged
    kept = dict(args)
    for name, value in found.items():
        trial = {**kept, name: value}
        if validator.is_valid(trial):
            kept = trial
    return kept
