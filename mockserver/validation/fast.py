"""A schema compiled once into plain Python predicates: the happy path's "is this body valid?" in microseconds.

jsonschema walks the schema on every call; this walks it once, at app creation, and builds closures. It knows
only the keywords schemas/ uses; a schema with any other keyword is not compiled (``compile_schema`` returns
None) and the caller keeps using jsonschema. A body the predicate refuses goes to jsonschema too, which builds
the error body: the predicate only has to be exact about what is valid (a test compares both on random data).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator, FormatChecker

if TYPE_CHECKING:
    from referencing._core import Resolver

Check = Callable[[Any], bool]

#: Keywords that never affect validity (``$defs`` only holds what ``$ref`` reaches).
ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples"}
)
MAX_REF_DEPTH = 32
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class Unsupported(Exception):
    """The schema uses a keyword (or a form of one) this compiler does not handle."""


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def compile_schema(
    schema: Any, resolver: Resolver[Any], formats: FormatChecker | None = None
) -> Check | None:
    """A predicate equal to ``jsonschema.is_valid`` for this schema (formats checked by ``formats``, as the
    validator does), or None if it uses unknown keywords."""
    try:
        return _Compiler(formats or FormatChecker(())).compile(schema, resolver, 0, target=True)
    except Unsupported:
        return None


class _Compiler:
    def __init__(self, formats: FormatChecker) -> None:
        self._formats = formats
        # A $ref target compiled once, filled in after its own body: a recursive schema (a Gemini schema's
        # ``items`` and ``properties`` are Gemini schemas) refers to itself through the cell.
        # Keyed by the target's identity, which the cell keeps alive (so no other schema can take its id).
        self._refs: dict[int, tuple[Any, list[Check]]] = {}

    def compile(self, schema: Any, resolver: Resolver[Any], depth: int, target: bool = False) -> Check:
        """``target``: the root or a ``$ref``'s target, the only places an ``$id`` may sit (one deeper would
        change the base of relative refs, which this compiler does not follow)."""
        if depth > MAX_REF_DEPTH:
            raise Unsupported("schema nests too deep")
        if isinstance(schema, dict) and (
            ("$id" in schema and not target) or schema.get("$schema", DIALECT) != DIALECT
        ):
            raise Unsupported("a nested $id, or another dialect")
        if schema is True or schema == {}:
            return lambda v: True
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        checks: list[Check] = []
        for key, bound in schema.items():
            if key in ANNOTATIONS or key.startswith("x-") or key == "required":
                continue
            checks.append(self._keyword(key, bound, resolver, depth, schema))
        if isinstance(schema.get("required"), list):
            names = tuple(schema["required"])
            checks.append(lambda v: not isinstance(v, dict) or all(n in v for n in names))
        elif "required" in schema:
            raise Unsupported("required")
        return _all(checks)

    def _keyword(
        self, key: str, bound: Any, resolver: Resolver[Any], depth: int, schema: dict[str, Any]
    ) -> Check:
        if key == "type":
            names = [bound] if isinstance(bound, str) else list(bound)
            if not all(n in _TYPES for n in names):
                raise Unsupported(f"type {bound!r}")
            preds = [_TYPES[n] for n in names]
            return preds[0] if len(preds) == 1 else lambda v: any(p(v) for p in preds)
        if key == "$ref":
            resolved = resolver.lookup(bound)
            kept = self._refs.get(id(resolved.contents))
            if kept is None:
                kept = self._refs[id(resolved.contents)] = (resolved.contents, [])
                kept[1].append(self.compile(resolved.contents, resolved.resolver, depth + 1, target=True))
            cell = kept[1]
            return lambda v: cell[0](v)
        if key == "additionalProperties":
            if "patternProperties" in schema:
                raise Unsupported("additionalProperties beside patternProperties")
            declared = frozenset(schema.get("properties", ()))
            return _additional(declared, self.compile(bound, resolver, depth + 1))
        if key == "pattern" and isinstance(bound, str):
            search = re.compile(bound).search  # jsonschema's own test: re.search
            return lambda v: not isinstance(v, str) or search(v) is not None
        if key == "uniqueItems":  # jsonschema's notion of equal items (1 and True differ), for arrays only
            unique = Draft202012Validator({"uniqueItems": bound}).is_valid
            return lambda v: not isinstance(v, list) or unique(v)
        if key == "properties":
            props = {name: self.compile(sub, resolver, depth + 1) for name, sub in bound.items()}
            return _properties(tuple(props.items()))
        if key == "items" and isinstance(bound, (dict, bool)):
            return _items(self.compile(bound, resolver, depth + 1))
        if key == "enum" and all(isinstance(e, str) for e in bound):
            choices = frozenset(bound)
            return lambda v: isinstance(v, str) and v in choices
        if key == "format":
            if bound not in self._formats.checkers:
                raise Unsupported(f"format {bound!r}")
            conforms = self._formats.conforms  # for every type, as jsonschema (its checkers pass non-strings)
            return lambda v: conforms(v, bound)
        return _bound(key, bound)


def _bound(key: str, bound: Any) -> Check:
    """Length, size and range keywords; each applies only to its own JSON type, as in JSON Schema."""
    if not _is_number(bound):
        raise Unsupported(f"{key} {bound!r}")
    if key == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= bound
    if key == "maxLength":
        return lambda v: not isinstance(v, str) or len(v) <= bound
    if key == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= bound
    if key == "maxItems":
        return lambda v: not isinstance(v, list) or len(v) <= bound
    if key == "minimum":
        return lambda v: not _is_number(v) or v >= bound
    if key == "maximum":
        return lambda v: not _is_number(v) or v <= bound
    raise Unsupported(key)


# Loops in plain functions rather than all() over generators: a create's body goes through these a hundred times,
# and a generator costs a frame per call (validation was a fifth of the server's time per create).
def _properties(pairs: tuple[tuple[str, Check], ...]) -> Check:
    def check(v: Any) -> bool:
        if isinstance(v, dict):
            for name, p in pairs:
                if name in v and not p(v[name]):
                    return False
        return True

    return check


def _additional(declared: frozenset[str], extra: Check) -> Check:
    def check(v: Any) -> bool:
        if isinstance(v, dict):
            for name, value in v.items():
                if name not in declared and not extra(value):
                    return False
        return True

    return check


def _items(item: Check) -> Check:
    def check(v: Any) -> bool:
        if isinstance(v, list):
            for x in v:
                if not item(x):
                    return False
        return True

    return check


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    group = tuple(checks)

    def check(v: Any) -> bool:
        for c in group:  # noqa: SIM110  (a loop, not a generator: see above)
            if not c(v):
                return False
        return True

    return check
