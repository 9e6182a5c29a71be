"""Invalid create requests: a valid request with exactly one violation, and the field the 400 must name.

Each mutation says whether the rule it breaks is documented (the seed's body table and API_NOTES.md [doc]): those
must be a 400 that names the field; the others (rules the project's schema adds, such as Gemini's limits) are
only observed, because a server that accepts them still honours the documented contract.
Wrong types are values Django REST Framework cannot coerce (a list for a string), never ``5`` for ``"5"``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from mockserver.contract import schemas

from .strategies import create_requests

Body = dict[str, Any]


@dataclass(frozen=True)
class Mutation:
    """One way to break a valid body: ``field`` is the top-level key a 400 body must name."""

    name: str
    field: str
    documented: bool
    apply: Callable[[Body], Body]
    by_format: bool = False  # breaks a ``format``, which jsonschema checks only with optional packages


@dataclass(frozen=True)
class InvalidCase:
    """A body broken by ``mutation``; what the test sends and what it expects to be named."""

    body: Body
    mutation: Mutation

    def __repr__(self) -> str:  # hypothesis prints this when a case fails
        return f"InvalidCase({self.mutation.name}, body={self.body!r})"


def _drop(key: str) -> Callable[[Body], Body]:
    return lambda body: {k: v for k, v in body.items() if k != key}


def _set(key: str, value: Any) -> Callable[[Body], Body]:
    return lambda body: {**body, key: copy.deepcopy(value)}


def _first_message(key: str, value: Any) -> Callable[[Body], Body]:
    def apply(body: Body) -> Body:
        out = copy.deepcopy(body)
        out["messages"][0][key] = value
        return out

    return apply


def _config(key: str, value: Any) -> Callable[[Body], Body]:
    return lambda body: {**body, "config": {**(body.get("config") or {}), key: value}}


def mutations() -> tuple[Mutation, ...]:
    """The mutations; bounds and enums are read from the schema so they follow it."""
    request = schemas.schema("create_request")
    config = schemas.schema("config")["properties"]
    too_long = "m" * (int(request["properties"]["model_name"]["maxLength"]) + 1)
    max_stops = int(config["stop_sequences"]["maxItems"])
    return (
        *(Mutation(f"missing {key}", key, True, _drop(key)) for key in request["required"]),
        Mutation("model_name not a string", "model_name", True, _set("model_name", ["gemini-2.5-flash"])),
        Mutation("model_name over maxLength", "model_name", True, _set("model_name", too_long)),
        Mutation("messages not a list", "messages", True, _set("messages", "Write a tagline")),
        Mutation("message role not user/model", "messages", True, _first_message("role", "assistant")),
        Mutation("message without role", "messages", False, lambda b: {**b, "messages": [{"content": "hi"}]}),
        Mutation("message content not a string", "messages", True, _first_message("content", {"text": "hi"})),
        Mutation(
            "system_instruction not a string", "system_instruction", True, _set("system_instruction", ["x"])
        ),
        Mutation("config not an object", "config", True, _set("config", "creative")),
        Mutation("webhook_url not a URL", "webhook_url", True, _set("webhook_url", "not a url"), True),
        Mutation("messages empty", "messages", False, _set("messages", [])),
        Mutation("model_name empty", "model_name", False, _set("model_name", "")),
        Mutation("temperature not a number", "config", False, _config("temperature", "hot")),
        Mutation("max_output_tokens below 1", "config", False, _config("max_output_tokens", 0)),
        Mutation(
            "too many stop_sequences", "config", False, _config("stop_sequences", ["s"] * (max_stops + 1))
        ),
        Mutation(
            "response_mime_type not in enum", "config", False, _config("response_mime_type", "text/html")
        ),
    )


def _broken(body: Body, mutation: Mutation) -> InvalidCase:
    broken = mutation.apply(body)
    if not mutation.by_format and schemas.validator("create_request").is_valid(broken):
        raise AssertionError(f"mutation {mutation.name!r} left the body valid: {broken!r}")
    return InvalidCase(broken, mutation)


def invalid_requests(documented: bool | None = None) -> st.SearchStrategy[InvalidCase]:
    """Valid bodies with one violation each (only documented rules, only undocumented ones, or all)."""
    chosen = [m for m in mutations() if documented is None or m.documented is documented]
    return st.builds(_broken, create_requests(with_config=True), st.sampled_from(chosen))
