"""``components/schemas`` of the OpenAPI documents, derived from ``schemas/`` so generators can use them.

Generators resolve ``#/components/schemas/<Name>`` and nothing deeper, so every ``$defs`` entry becomes a named
component of its own (``job.schema.json#/$defs/status`` -> ``JobStatus``), and a schema that only names another
(``webhook_payload`` is the job) is no component at all: references to it go to its target, so no two models
describe one thing. Each document keeps only the components its operations reach.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cache
from typing import Any

from mockserver.contract import schemas

COMPONENT = "#/components/schemas/"
#: Keywords that only annotate: a schema with ``$ref`` and nothing else from outside this set is an alias.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "examples", "x-source"})


def component_name(short: str) -> str:
    """``create_request`` -> ``CreateRequest``."""
    return "".join(part[:1].upper() + part[1:] for part in short.split("_"))


def ref(name: str) -> dict[str, str]:
    """A reference to component ``name``."""
    return {"$ref": COMPONENT + name}


def _short(file_ref: str) -> str:
    return file_ref.split("/")[-1].removesuffix(".schema.json")


def _alias_target(schema: dict[str, Any]) -> str | None:
    """The file an alias schema stands for (``job.schema.json``), or None when it says more than a name."""
    target = schema.get("$ref")
    if isinstance(target, str) and not target.startswith("#") and set(schema) - _ANNOTATIONS == {"$ref"}:
        return target
    return None


@cache
def aliases() -> dict[str, str]:
    """Short names of alias schemas -> the component they stand for (``webhook_payload`` -> ``Job``)."""
    found: dict[str, str] = {}
    for short, schema in schemas.all_schemas().items():
        target = _alias_target(schema)
        if target is not None:
            found[short] = component_name(_short(target))
    return found


def schema_ref(short: str) -> dict[str, str]:
    """A reference to the component that schema file ``short`` became (its alias target, if it is one)."""
    return ref(aliases().get(short) or component_name(short))


def _target(value: str, owner: str) -> str:
    """The component a JSON Schema ``$ref`` (``#/$defs/x``, ``file.schema.json``, ``file#/$defs/x``) points at."""
    file_part, _, fragment = value.partition("#")
    base = owner if not file_part else aliases().get(_short(file_part)) or component_name(_short(file_part))
    if not fragment:
        return base
    if not fragment.startswith("/$defs/") or fragment.count("/") != 2:
        raise ValueError(
            f"cannot name a component for reference {value!r} (only #/$defs/<name> is supported)"
        )
    return base + component_name(fragment.removeprefix("/$defs/"))


def _rewrite(node: Any, owner: str) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = COMPONENT + _target(value, owner)
            elif key not in ("$id", "$schema", "$defs"):
                out[key] = _rewrite(value, owner)
        return out
    if isinstance(node, list):
        return [_rewrite(item, owner) for item in node]
    return node


def _named(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """Generators name a model after its ``title``: make it the component's name, so names never collide."""
    return {"title": name, **{k: v for k, v in schema.items() if k != "title"}}


@cache
def all_components() -> dict[str, dict[str, Any]]:
    """Every schema file and every ``$defs`` entry as a component, aliases left out."""
    out: dict[str, dict[str, Any]] = {}

    def put(name: str, schema: dict[str, Any], owner: str) -> None:
        if name in out:
            raise ValueError(f"two schemas would both be component {name!r}")
        out[name] = _named(_rewrite(schema, owner), name)

    for short, schema in schemas.all_schemas().items():
        if short in aliases():
            continue
        owner = component_name(short)
        for def_name, definition in schema.get("$defs", {}).items():
            put(owner + component_name(def_name), definition, owner)
        if set(schema) - _ANNOTATIONS - {"$defs"}:  # a file of $defs only is no model of its own
            put(owner, schema, owner)
    return out


def reachable(roots: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The components referenced from ``roots`` (parts of a document), directly or through other components."""
    every = all_components()
    found: dict[str, dict[str, Any]] = {}
    todo = list(roots)
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            target = node.get("$ref")
            if isinstance(target, str) and target.startswith(COMPONENT):
                name = target.removeprefix(COMPONENT)
                if name not in found:
                    found[name] = copy.deepcopy(every[name])
                    todo.append(found[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return dict(sorted(found.items()))
