"""Count limits on a request body: cost bounded by how many things it holds, not only by its bytes.

A 0.9 MB body of 300,000 empty messages, or 8,000 function declarations, is cheap to send and was costly to
validate, generate for and answer. These checks run right after the JSON is parsed and before schema
validation: the top-level counts first (constant time), then one breadth-first pass that stops at the first
object or array wider than the limit. The limits are the mock's assumption (Creatify documents none; Gemini
documents at most 512 function declarations); each is a setting, and docs/security.md lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class LimitExceeded(ValueError):
    """A body over a count limit; ``field`` is where (dotted), the message names the limit and its setting."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CountLimits:
    """The limits one create body must keep (settings ``max_messages`` and friends)."""

    messages: int = 2000
    tools: int = 128
    declarations: int = 512
    container_items: int = 10_000

    def check(self, body: Any) -> None:
        """Raise LimitExceeded for the first limit ``body`` breaks; bodies of another shape are left to the
        schema (which answers them with its own field errors)."""
        if not isinstance(body, dict):
            return
        messages, tools = body.get("messages"), body.get("tools")
        if isinstance(messages, list) and len(messages) > self.messages:
            raise LimitExceeded("messages", _over(self.messages, "elements", "max_messages", len(messages)))
        if isinstance(tools, list):
            if len(tools) > self.tools:
                raise LimitExceeded("tools", _over(self.tools, "elements", "max_tools", len(tools)))
            declared = sum(len(d) for d in _declarations(tools))
            if declared > self.declarations:
                what = "function declarations in all"
                raise LimitExceeded(
                    "tools", _over(self.declarations, what, "max_function_declarations", declared)
                )
        wide = _widest_over(body, self.container_items)
        if wide is not None:
            path, size = wide
            what = "members in one object or array"
            raise LimitExceeded(path, _over(self.container_items, what, "max_container_items", size))


def _over(limit: int, what: str, setting: str, got: int) -> str:
    flag = "--" + setting.replace("_", "-")
    return (
        f"Ensure this field has no more than {limit} {what}; got {got} (the mock's limit {setting}, {flag})."
    )


def _declarations(tools: list[Any]) -> Iterator[list[Any]]:
    for tool in tools:
        if isinstance(tool, dict):
            declared = tool.get("function_declarations")
            if isinstance(declared, list):
                yield declared


def _widest_over(body: Any, limit: int) -> tuple[str, int] | None:
    """The dotted path and size of the first container (breadth first) with more than ``limit`` members."""
    level: list[tuple[str, Any]] = [("", body)]
    while level:
        below: list[tuple[str, Any]] = []
        for path, node in level:
            if len(node) > limit:
                return path or "non_field_errors", len(node)
            pairs = node.items() if type(node) is dict else enumerate(node)
            below.extend(
                (f"{path}.{key}" if path else str(key), child)
                for key, child in pairs
                if isinstance(child, (dict, list)) and child
            )
        level = below
    return None
