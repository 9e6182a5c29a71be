"""jsonschema validators whose regex keywords run on RE2 (``mockserver.core.patterns``), not Python's ``re``.

jsonschema calls ``re.search`` for ``pattern``, ``patternProperties`` and ``additionalProperties`` (through
``patternProperties``); a caller's schema could stall the whole server through any of them. These are the same
keyword functions with the regex search swapped. ``unevaluatedProperties`` also searches ``patternProperties``
deep inside jsonschema, so a schema combining the two is refused up front (``refuse_unsupported``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import ValidationError

from mockserver.core.patterns import PatternError, search
from mockserver.generation.jsongen.merge import Fail


def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not search(patrn, instance):
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def pattern_properties(
    validator: Any, patterns: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for patrn, subschema in patterns.items():
        for key, value in instance.items():
            if search(patrn, key):
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)


def additional_properties(
    validator: Any, extra: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    props, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    extras = [k for k in instance if k not in props and not any(search(p, k) for p in patterns)]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        shown = ", ".join(repr(k) for k in sorted(extras, key=str))
        if patterns:  # jsonschema's own wording
            verb = "does" if len(extras) == 1 else "do"
            listed = ", ".join(repr(p) for p in sorted(patterns))
            yield ValidationError(f"{shown} {verb} not match any of the regexes: {listed}")
        else:
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({shown} {verb} unexpected)")


@functools.cache
def linear(cls: Any) -> Any:
    """``cls`` (a jsonschema validator class) with its regex keywords on RE2."""
    return validators.extend(
        cls,
        {
            "pattern": pattern,
            "patternProperties": pattern_properties,
            "additionalProperties": additional_properties,
        },
    )


def refuse_unsupported(schema: Any) -> None:
    """Fail (unsat) for a pattern RE2 cannot run, or for unevaluatedProperties beside patternProperties."""
    seen_uneval, seen_patterns = False, False
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            found = node.get("pattern")
            keys = node.get("patternProperties")
            try:
                if isinstance(found, str):
                    search(found, "")
                if isinstance(keys, Mapping):
                    seen_patterns = seen_patterns or bool(keys)
                    for key in keys:
                        search(str(key), "")
            except PatternError as exc:
                raise Fail("#", str(exc), "unsat") from None
            seen_uneval = seen_uneval or "unevaluatedProperties" in node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if seen_uneval and seen_patterns:
        raise Fail("#", "unevaluatedProperties together with patternProperties is not supported", "unsat")
