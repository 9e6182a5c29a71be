"""Matching journal entries for ``MockServer.assert_requested`` (WireMock's verify) and describing misses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.core import jsonio

#: "Not given", for matchers where None is a value to match.
UNSET: Any = object()

MAX_LISTED = 20


def fits(entry: dict[str, Any], json: Any, json_contains: Any, headers: Mapping[str, str] | None) -> bool:
    body = entry["body"]
    if json is not UNSET and not (json(body) if callable(json) else body == json):
        return False
    if json_contains is not UNSET and not _contains(body, json_contains):
        return False
    if headers:
        have = {k.lower(): v for k, v in entry["headers"].items()}
        return all(have.get(k.lower()) == v for k, v in headers.items())
    return True


def _contains(value: Any, part: Any) -> bool:
    """``part`` is in ``value``: dicts by their keys (recursively), anything else by equality."""
    if isinstance(part, Mapping):
        return isinstance(value, Mapping) and all(
            k in value and _contains(value[k], v) for k, v in part.items()
        )
    return bool(value == part)


def describe(entry: dict[str, Any]) -> str:
    query = f"?{entry['query']}" if entry["query"] else ""
    body = "" if entry["body"] is None else " " + jsonio.dumps(entry["body"]).decode()[:200]
    return f"  {entry['time']} {entry['method']} {entry['path']}{query} -> {entry['status']}{body}"
