"""Which functions the mock's model calls, and with what ``args``: deterministic, seeded like the text.

- ``NONE`` never calls; ``ANY`` always calls: the callable functions the last user message names, else one
  chosen by the seed; ``AUTO`` and ``VALIDATED`` call the callable functions the last user message names, and
  answer text otherwise.
- When the last message carries a ``function_response``, ``AUTO``/``VALIDATED``/``NONE`` answer text that refers
  to it, so an agent loop ends; ``ANY`` calls again, as Gemini does.
- ``args`` are seeded values valid against the declaration, except where the last user message names a value
  for a parameter ("Call get_weather for Paris" gives ``city: "Paris"``; see ``prompt.py``).
- A name is "named" when it occurs in the message as a whole word (case-insensitive): ``get_weather`` in
  "call get_weather for Paris" or "then get_weather.", not in "get_weathers" or "get_weather.v2".
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.generation.jsongen import SchemaGenerationError, generate_json_text
from mockserver.generation.tools.declarations import Toolbox
from mockserver.generation.tools.prompt import apply as with_prompt_values

Words = Callable[[random.Random, int], list[str]]
#: Characters that continue a function name: a name is matched only where none touches it.
_NAME_CHAR = r"[A-Za-z0-9_.\-]"
#: Where a name ends: no name character follows, except a full stop that ends the sentence ("... get_time.").
_NAME_END = r"(?![A-Za-z0-9_\-]|\.[A-Za-z0-9_\-])"
MAX_REFERENCE_CHARS = 200


@dataclass(frozen=True)
class FunctionCall:
    """One call as ``response_function_calls`` shows it."""

    name: str
    args: dict[str, Any]

    def view(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args}


def last_message(messages: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    return messages[-1] if messages else {}


def named(text: str, names: Sequence[str]) -> list[str]:
    """The names that occur in ``text`` as whole words, in declaration order."""
    found = []
    for name in names:
        if re.search(rf"(?<!{_NAME_CHAR}){re.escape(name)}{_NAME_END}", text, re.IGNORECASE):
            found.append(name)
    return found


def decide(
    toolbox: Toolbox, messages: Sequence[Mapping[str, Any]], seed: int, words: Words
) -> list[FunctionCall]:
    """The calls the model makes for this request ([] means it answers text).

    Raises SchemaGenerationError when a chosen function's ``parameters`` cannot be satisfied (the job fails,
    as JSON mode does)."""
    callable_names = toolbox.callable
    if not callable_names:
        return []
    last = last_message(messages)
    after_response = last.get("function_response") is not None
    if after_response and toolbox.mode != "ANY":
        return []
    text = str(last.get("content") or "") if last.get("role", "user") == "user" else ""
    chosen = named(text, callable_names)
    rng = random.Random(seed)
    if not chosen and toolbox.mode == "ANY":
        chosen = [rng.choice(callable_names)]
    calls = []
    for index, name in enumerate(chosen):
        schema = toolbox.functions[name].schema
        try:
            args_text = generate_json_text(schema, rng=random.Random(f"{seed}:{index}:{name}"), words=words)
        except SchemaGenerationError as exc:
            raise SchemaGenerationError(f"parameters of {name!r}: {exc}") from None
        args = json.loads(args_text)
        if not isinstance(args, dict):  # a non-object ``parameters`` schema: Gemini's args are always objects
            raise SchemaGenerationError(f"parameters of {name!r} must describe an object")
        calls.append(FunctionCall(name, with_prompt_values(schema, args, text, name)))
    return calls


def answer_after_response(messages: Sequence[Mapping[str, Any]]) -> str | None:
    """Text that refers to the function result the last message carries (None when it carries none)."""
    response = last_message(messages).get("function_response")
    if not isinstance(response, Mapping):
        return None
    name = response.get("name", "the function")
    shown = json.dumps(response.get("response"), ensure_ascii=False, sort_keys=True, default=str)
    if len(shown) > MAX_REFERENCE_CHARS:
        shown = shown[: MAX_REFERENCE_CHARS - 1] + "…"
    return f"According to {name}, the result is {shown}."
