"""THE loader of ``schemas/``: one registry of the JSON Schema files, used by the mock and the tests alike.

In a source checkout the files are read from the repository's ``schemas/``; in an installed wheel from the copy
packaged at ``mockserver/contract/_data/schemas``. ``documented_validator`` gives the same schemas with only the
rules Creatify documents (``x-source``, see provenance.py): what the contract kit judges responses by.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .provenance import Rule, relax, rules, view

BASE_URI = "https://creatify-mock.invalid/schemas/"

_PACKAGED = Path(__file__).resolve().parent / "_data"
_CHECKOUT = Path(__file__).resolve().parents[2]


def data_dir(name: str) -> Path:
    """Folder ``name`` (``schemas`` or ``fixtures``): packaged copy first, else the source checkout's."""
    for base in (_PACKAGED, _CHECKOUT):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no {name}/ folder next to {__file__} nor in the source checkout")


@cache
def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema file by short name (``job`` for ``job.schema.json``)."""
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(data_dir("schemas").glob("*.schema.json")):
        schemas[path.name.removesuffix(".schema.json")] = json.loads(path.read_text(encoding="utf-8"))
    return schemas


def schema(name: str) -> dict[str, Any]:
    """The schema called ``name`` (for example ``create_request``)."""
    try:
        return all_schemas()[name]
    except KeyError:
        raise KeyError(f"unknown schema {name!r}; known: {sorted(all_schemas())}") from None


def _registry(documents: dict[str, dict[str, Any]]) -> Registry[Any]:
    resources = [
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in documents.values()
    ]
    return Registry().with_resources(resources)


@cache
def registry() -> Registry[Any]:
    """A referencing registry holding every schema under its ``$id``: no reference is ever fetched."""
    return _registry(all_schemas())


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every constraint of every schema file with its source (doc, gemini, mock)."""
    return tuple(rule for name, s in all_schemas().items() for rule in rules(name, s))


@cache
def documented_schemas() -> dict[str, dict[str, Any]]:
    """Every schema with the rules that are not Creatify's documented ones stripped, then read as the documentation
    is written (``provenance.relax``: nulls where a value is not always present, no closed objects). Derived,
    never edited: what the contract kit judges a server by."""
    return {name: relax(view(s, frozenset({"doc"}))) for name, s in all_schemas().items()}


@cache
def documented_validator(name: str) -> Draft202012Validator:
    """A validator of the documented view of ``name``, its ``$ref``s resolved within that view."""
    if name not in documented_schemas():
        schema(name)  # raises the KeyError that lists the known names
    return Draft202012Validator(
        documented_schemas()[name],
        registry=_registry(documented_schemas()),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def validator(name: str) -> Draft202012Validator:
    """A compiled validator for schema ``name`` with format checking on."""
    return Draft202012Validator(
        schema(name), registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validate(name: str, instance: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``instance`` is valid against schema ``name``."""
    validator(name).validate(instance)
