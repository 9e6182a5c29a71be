"""Static and stack-depth safety checks for jsongen, whose schema comes from an untrusted HTTP client.

jsonschema validates recursively, and a RecursionError raised inside referencing's Rust maps (rpds) turns into
a pyo3 panic rather than a catchable error. So nothing deep is ever handed to jsonschema: ``measure`` bounds the
schema document before it is parsed or checked, ``inplace_chain`` rejects schemas whose $ref/allOf/anyOf/...
links loop without descending into a property or item (no validator can evaluate those) and measures the
longest such chain, and ``room_to_validate`` checks the current stack before each validation.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any

from referencing import Resource
from referencing.jsonschema import DRAFT202012

from mockserver.generation.jsongen.merge import Fail

MAX_SCHEMA_NESTING = 100  # JSON nesting of the schema document itself
MAX_SCHEMA_NODES = 20_000  # JSON values in the schema document
MAX_INPLACE = 16  # longest $ref/allOf/anyOf/oneOf/not/if chain applied to one value
_INPLACE_ONE = ("not", "if", "then", "else")
_INPLACE_MAP = ("dependentSchemas", "dependencies")
_CHILD_ONE: tuple[str, ...] = (
    "additionalProperties",
    "items",
    "additionalItems",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
)
_CHILD_ONE += ("unevaluatedItems",)
_Link = tuple[Any, Any, str]  # (subschema, resolver for it, schema location)


class GenerationTimeout(Exception):
    """The generation budget ran out; the caller fails the job (or hands the work to a background worker)."""


class Deadline:
    """A point on the monotonic clock past which generation stops (checked cooperatively, cheaply)."""

    def __init__(self, at: float | None = None) -> None:
        self.at = at

    def check(self) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise GenerationTimeout("the generation budget ran out")


def measure(schema: Any) -> None:
    """Refuse oversized or over-nested schema documents before anything recursive touches them."""
    stack: list[tuple[Any, int, str]] = [(schema, 1, "#")]
    nodes = 0
    while stack:
        node, depth, where = stack.pop()
        nodes += 1
        if nodes > MAX_SCHEMA_NODES:
            raise Fail(
                "#", f"response_json_schema is too large (over {MAX_SCHEMA_NODES} JSON values)", "unsat"
            )
        if depth > MAX_SCHEMA_NESTING:
            raise Fail(where, f"response_json_schema nests deeper than {MAX_SCHEMA_NESTING} levels", "unsat")
        if isinstance(node, Mapping):
            stack.extend((v, depth + 1, f"{where}/{_segment(k)}") for k, v in node.items())
        elif isinstance(node, (list, tuple)):
            stack.extend((v, depth + 1, f"{where}/{i}") for i, v in enumerate(node))


def inplace_chain(root: Any, resolver: Any) -> int:
    """Longest chain of in-place subschemas (those applying to the same value) reachable from ``root``.

    Raises Fail for a cycle of in-place links (``{"anyOf": [{"$ref": "#"}]}``) or a chain over MAX_INPLACE.
    Iterative depth-first search, each schema object visited once.
    """
    done: dict[int, int] = {}
    pending: list[_Link] = [(root, resolver, "#")]
    while pending:
        start = pending.pop()
        if id(start[0]) in done:
            continue
        frames = [_Frame(*start)]
        active = {id(start[0])}
        while frames:
            frame = frames[-1]
            if frame.next < len(frame.inplace):
                sub, sub_resolver, where = frame.inplace[frame.next]
                frame.next += 1
                if id(sub) in active:
                    raise Fail(
                        where,
                        "$ref/allOf/anyOf/... loop back without descending into a property or item",
                        "unsat",
                    )
                if id(sub) in done:
                    frame.best = max(frame.best, done[id(sub)])
                else:
                    frames.append(_Frame(sub, sub_resolver, where))
                    active.add(id(sub))
                continue
            frames.pop()
            active.discard(id(frame.node))
            length = frame.best + 1
            if length > MAX_INPLACE:
                raise Fail(
                    frame.where, f"more than {MAX_INPLACE} nested $ref/allOf/anyOf/... levels", "unsat"
                )
            done[id(frame.node)] = length
            if frames:
                frames[-1].best = max(frames[-1].best, length)
            pending.extend(child for child in frame.children if id(child[0]) not in done)
    return max(done.values(), default=1)


class _Frame:
    """One schema object on the DFS stack, with its in-place links and its child (descending) links."""

    def __init__(self, node: Any, resolver: Any, where: str) -> None:
        self.node, self.where = node, where
        self.next, self.best = 0, 0
        self.inplace: list[_Link] = []
        self.children: list[_Link] = []
        if not isinstance(node, Mapping):
            return
        if isinstance(node.get("$id"), str):
            resolver = resolver.in_subresource(
                Resource.from_contents(node, default_specification=DRAFT202012)
            )
        for key in ("$ref", "$dynamicRef"):
            ref = node.get(key)
            if isinstance(ref, str):
                try:
                    resolved = resolver.lookup(ref)
                except Exception:  # unresolvable: the walker reports it if generation ever gets there
                    continue
                self.inplace.append((resolved.contents, resolved.resolver, ref if ref[:1] == "#" else where))
        for key in ("allOf", "anyOf", "oneOf"):
            self._add(self.inplace, resolver, where, key, node.get(key))
        for key in _INPLACE_ONE:
            if key in node:
                self.inplace.append((node[key], resolver, f"{where}/{key}"))
        for key in _INPLACE_MAP:
            value = node.get(key)
            if isinstance(value, Mapping):
                for name, sub in value.items():
                    if isinstance(sub, (Mapping, bool)):
                        self.inplace.append((sub, resolver, f"{where}/{key}/{_segment(name)}"))
        for key in ("properties", "patternProperties"):
            value = node.get(key)
            if isinstance(value, Mapping):
                self.children += [(sub, resolver, f"{where}/{key}/{_segment(k)}") for k, sub in value.items()]
        self._add(self.children, resolver, where, "prefixItems", node.get("prefixItems"))
        for key in _CHILD_ONE:
            value = node.get(key)
            if isinstance(value, list):
                self._add(self.children, resolver, where, key, value)
            elif key in node:
                self.children.append((value, resolver, f"{where}/{key}"))

    @staticmethod
    def _add(links: list[_Link], resolver: Any, where: str, key: str, subs: Any) -> None:
        if isinstance(subs, list):
            links.extend((sub, resolver, f"{where}/{key}/{i}") for i, sub in enumerate(subs))


def value_shape(value: Any) -> tuple[int, int]:
    """(nesting levels, node count) of a generated value: validation cost and stack use scale with these."""
    levels, nodes, stack = 0, 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        levels, nodes = max(levels, level), nodes + 1
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return levels, nodes


def room_to_validate(levels: int, chain: int, margin: int = 60) -> bool:
    """Whether validating a value ``levels`` deep fits in the Python stack left (measured frames, padded)."""
    return stack_depth() + levels * (3 * chain + 4) + margin < sys.getrecursionlimit()


def stack_depth() -> int:
    """Frames on the current Python stack."""
    frame, depth = sys._getframe(), 0
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth


def _segment(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
