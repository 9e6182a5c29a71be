"""Draft 2020-12 validation whose errors come in the same order in every process.

jsonschema collects the keys that ``additionalProperties`` applies to in a ``set``, so errors under a map (a Gemini
schema's ``properties``, a ``config`` dict) come in an order that changes with each process's string-hash seed.
That did not matter while every error was collected and sorted; since a 400 stops counting after a bound
(``drf.COUNTED_PER_LISTED``), which errors are counted — and so which are listed — must not depend on it. Here
those keys are visited in the body's own order; everything else is jsonschema's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
from jsonschema import Draft202012Validator, ValidationError, validators

_ADDITIONAL = Draft202012Validator.VALIDATORS["additionalProperties"]


def _additional_in_order(
    validator: Any, extra: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object") or not validator.is_type(extra, "object"):
        yield from _ADDITIONAL(validator, extra, instance, schema)  # `false`: one error naming them all
        return
    declared = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    for name, value in instance.items():
        if name in declared or any(re.search(pattern, name) for pattern in patterns):
            continue
        yield from validator.descend(value, extra, path=name)


OrderedValidator = validators.extend(Draft202012Validator, {"additionalProperties": _additional_in_order})


def _evolve(self: Any, **changes: Any) -> Any:
    """jsonschema's ``evolve`` keeping this class: the stock one picks the class anew from a subschema's
    ``$schema`` (every schema file names 2020-12), so beneath a ``$ref`` into another file the stock class, and
    its set order, came back. All the mock's schemas are 2020-12, which this class validates."""
    changes.setdefault("schema", self.schema)
    for field in attrs.fields(type(self)):
        if field.init and field.alias not in changes:
            changes[field.alias] = getattr(self, field.name)
    return type(self)(**changes)


OrderedValidator.evolve = _evolve
