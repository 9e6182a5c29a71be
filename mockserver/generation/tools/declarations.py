"""Function declarations and ``tool_config`` as Gemini takes them, checked once and turned into JSON Schema.

``parameters`` is Gemini's OpenAPI-3.0 subset (``type`` in upper or lower case, ``nullable``, ``enum``,
``format``, ``items``, ``properties``, ``required``, min/max items ...). It is converted to JSON Schema 2020-12
once per request, so the JSON generator that serves JSON mode also writes the calls' ``args``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import Draft7Validator

from mockserver.contract.formats import robust

#: Gemini's rule for declaration names: letters, digits, ``_ . -``, at most 64, starting with a letter or ``_``.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")
MODES = ("AUTO", "ANY", "NONE", "VALIDATED")
TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
#: Keywords carried over unchanged (same meaning in OpenAPI 3.0 and JSON Schema).
SAME = (
    "description",
    "enum",
    "format",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "minProperties",
    "maxProperties",
    "required",
    "title",
    "default",
    "example",
    "propertyOrdering",
)
MAX_DEPTH = 32
#: What checks the values of the keywords carried over (``minItems`` a count, ``minimum`` a number, ``pattern`` a
#: regular expression...), node by node as ``to_json_schema`` builds the structure (type, properties, items, anyOf)
#: itself. Checking the finished schema against 2020-12's metaschema walked the whole metaschema at every node
#: through its ``$dynamicRef`` chain: 8 ms for 20 properties, 4 s for a 700 KB body of 500 declarations. Draft 7's
#: metaschema states the same constraints for these keywords; ``tests/core/test_declarations.py`` holds this check
#: and 2020-12's ``check_schema`` of the finished schema to the same verdict on generated schemas.
META = Draft7Validator(Draft7Validator.META_SCHEMA, format_checker=robust(Draft7Validator.FORMAT_CHECKER))


class ToolError(ValueError):
    """A declaration or ``tool_config`` Gemini would refuse; the message names the place and the problem."""


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    schema: dict[str, Any]  # JSON Schema of ``args``


@dataclass(frozen=True)
class Toolbox:
    """The functions a request declares and how the model may call them."""

    functions: dict[str, Function] = field(default_factory=dict)
    mode: str = "AUTO"
    allowed: tuple[str, ...] = ()

    @property
    def callable(self) -> list[str]:
        """Names the model may call, in declaration order: the allowed ones when given, else every one."""
        if self.mode == "NONE":
            return []
        return [n for n in self.functions if not self.allowed or n in self.allowed]


def parse_toolbox(tools: Any, tool_config: Any) -> Toolbox:
    """``tools`` and ``tool_config`` of a request (either may be None); ToolError for anything Gemini refuses."""
    functions: dict[str, Function] = {}
    for t, tool in enumerate(tools or []):
        if not isinstance(tool, Mapping):
            raise ToolError(f"tools.{t}: must be an object with function_declarations")
        for d, decl in enumerate(tool.get("function_declarations") or []):
            where = f"tools.{t}.function_declarations.{d}"
            function = _function(decl, where)
            if function.name in functions:
                raise ToolError(f"{where}.name: {function.name!r} is declared twice")
            functions[function.name] = function
    mode, allowed = _config(tool_config)
    unknown = [n for n in allowed if n not in functions]
    if unknown:
        raise ToolError(
            f"tool_config.function_calling_config.allowed_function_names: {unknown[0]!r} is not declared"
        )
    return Toolbox(functions, mode, tuple(allowed))


def _function(decl: Any, where: str) -> Function:
    if not isinstance(decl, Mapping):
        raise ToolError(f"{where}: must be an object with name, description and parameters")
    name = decl.get("name")
    if not isinstance(name, str) or NAME.fullmatch(name) is None:
        raise ToolError(
            f"{where}.name: {name!r} is not a valid function name (letters, digits, _ . -; at most 64; "
            "starting with a letter or _)"
        )
    description = decl.get("description", "")
    if not isinstance(description, str):
        raise ToolError(f"{where}.description: must be a string")
    parameters = decl.get("parameters")
    schema = (
        {"type": "object", "properties": {}}
        if parameters is None
        else to_json_schema(parameters, f"{where}.parameters")
    )
    return Function(name, description, schema)


def _config(tool_config: Any) -> tuple[str, list[str]]:
    if tool_config is None:
        return "AUTO", []
    calling = tool_config.get("function_calling_config") if isinstance(tool_config, Mapping) else None
    if calling is None:
        return "AUTO", []
    if not isinstance(calling, Mapping):
        raise ToolError("tool_config.function_calling_config: must be an object")
    mode = calling.get("mode", "AUTO")
    if not isinstance(mode, str) or mode.upper() not in MODES:
        raise ToolError(
            f"tool_config.function_calling_config.mode: {mode!r} is not one of {', '.join(MODES)} (any case)"
        )
    allowed = calling.get("allowed_function_names") or []
    if not isinstance(allowed, list) or not all(isinstance(n, str) for n in allowed):
        raise ToolError("tool_config.function_calling_config.allowed_function_names: must be a list of names")
    return mode.upper(), list(allowed)


def to_json_schema(node: Any, where: str = "parameters", depth: int = 0) -> dict[str, Any]:
    """Gemini's OpenAPI-3.0 schema subset as JSON Schema 2020-12 (``nullable`` becomes a ``null`` type)."""
    if depth > MAX_DEPTH:
        raise ToolError(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if not isinstance(node, Mapping):
        raise ToolError(f"{where}: must be a schema object, got {type(node).__name__}")
    out: dict[str, Any] = {k: node[k] for k in SAME if k in node}
    if "enum" in out and not isinstance(out["enum"], list):
        raise ToolError(f"{where}.enum: must be a list of values")
    problem = best_match(META.iter_errors(out))
    if problem is not None:
        raise ToolError(f"{where}: not a schema Gemini accepts ({problem.message})")
    kind = node.get("type")
    if kind is not None:
        if not isinstance(kind, str) or kind.lower() not in TYPES or kind.lower() == "null":
            raise ToolError(
                f"{where}.type: {kind!r} is not one of STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT"
            )
        out["type"] = [kind.lower(), "null"] if node.get("nullable") is True else kind.lower()
    if "properties" in node:
        props = node["properties"]
        if not isinstance(props, Mapping):
            raise ToolError(f"{where}.properties: must be an object of schemas")
        out["properties"] = {
            str(k): to_json_schema(v, f"{where}.properties.{k}", depth + 1) for k, v in props.items()
        }
    if "items" in node:
        out["items"] = to_json_schema(node["items"], f"{where}.items", depth + 1)
    if "anyOf" in node:
        branches = node["anyOf"]
        if not isinstance(branches, Sequence) or isinstance(branches, str) or not branches:
            raise ToolError(f"{where}.anyOf: must be a non-empty list of schemas")
        out["anyOf"] = [to_json_schema(b, f"{where}.anyOf.{i}", depth + 1) for i, b in enumerate(branches)]
    if (
        "enum" in out
        and out.get("type") in (None, "string", ["string", "null"])
        and node.get("nullable") is True
    ):
        out["enum"] = [*out["enum"], None]
    if out.get("type") == "object" or (isinstance(out.get("type"), list) and "object" in out["type"]):
        out.setdefault("additionalProperties", False)  # Gemini's args hold the declared properties only
    return out
