"""Invalid create requests: a valid request with exactly one violation, and the field the 400 must name.

Whether a mutation breaks a documented rule is not written here but derived from the schemas' ``x-source``
annotations: it is documented when the documented view of ``create_request`` rejects the broken body. Those must
be refused; the others (rules only the mock or Gemini state) are only observed, because a server that accepts
them still honours the documented contract.
Wrong types are values Django REST Framework cannot coerce (a list for a string), never ``5`` for ``"5"``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st

from mockserver.contract import schemas

from .strategies import create_requests

Body = dict[str, Any]
#: The valid body every run breaks once per mutation (hypothesis breaks varied bodies on top).
BASE: Body = {
    "model_name": "gemini-2.5-flash",
    "messages": [{"role": "user", "content": "Write a tagline for a running shoe"}],
    "system_instruction": "Be brief.",
    "config": {"temperature": 0.7},
}


@dataclass(frozen=True)
class Mutation:
    """One way to break a valid body: ``field`` is the top-level key a 400 body must name."""

    name: str
    field: str
    apply: Callable[[Body], Body]
    by_format: bool = False  # breaks a ``format``, which jsonschema checks only with optional packages

    @property
    def documented(self) -> bool:
        """True when the rule broken is one Creatify documents (from the schemas, see module docstring)."""
        return _documented(self.name)

    @property
    def test_id(self) -> str:
        """The name as a pytest id that ``-k`` can select (``message_role_not_user_model``)."""
        return re.sub(r"\W+", "_", self.name).strip("_")

    def deterministic(self) -> Body:
        """The same broken body every run: ``BASE`` with this one violation."""
        return self.apply(copy.deepcopy(BASE))


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
    return _mutations()


@cache
def _mutations() -> tuple[Mutation, ...]:
    request = schemas.schema("create_request")
    config = schemas.schema("config")["properties"]
    too_long = "m" * (int(request["properties"]["model_name"]["maxLength"]) + 1)
    max_stops = int(config["stop_sequences"]["maxItems"])
    return (
        *(Mutation(f"missing {key}", key, _drop(key)) for key in request["required"]),
        Mutation("model_name not a string", "model_name", _set("model_name", ["gemini-2.5-flash"])),
        Mutation("model_name over maxLength", "model_name", _set("model_name", too_long)),
        Mutation("messages not a list", "messages", _set("messages", "Write a tagline")),
        Mutation("message role not user/model", "messages", _first_message("role", "assistant")),
        Mutation("message content not a string", "messages", _first_message("content", {"text": "hi"})),
        Mutation("system_instruction not a string", "system_instruction", _set("system_instruction", ["x"])),
        Mutation("config not an object", "config", _set("config", "creative")),
        Mutation("temperature not a number", "config", _config("temperature", "hot")),
        Mutation("webhook_url not a URL", "webhook_url", _set("webhook_url", "not a url"), True),
        Mutation("message without role", "messages", lambda b: {**b, "messages": [{"content": "hi"}]}),
        Mutation("messages empty", "messages", _set("messages", [])),
        Mutation("model_name empty", "model_name", _set("model_name", "")),
        Mutation("max_output_tokens below 1", "config", _config("max_output_tokens", 0)),
        Mutation("top_k below 1", "config", _config("top_k", 0)),
        Mutation("too many stop_sequences", "config", _config("stop_sequences", ["s"] * (max_stops + 1))),
        Mutation("empty stop sequence", "config", _config("stop_sequences", [""])),
        Mutation("response_mime_type not in enum", "config", _config("response_mime_type", "text/html")),
        Mutation(
            "response_json_schema not an object", "config", _config("response_json_schema", "a tagline")
        ),
    )


@cache
def _documented(name: str) -> bool:
    mutation = next(m for m in _mutations() if m.name == name)
    if mutation.by_format:  # jsonschema checks "uri" only with an optional package: ask the annotation
        return any(
            r.schema == "create_request" and r.pointer == f"/properties/{mutation.field}" and r.keyword == "format"
            and r.source == "doc"
            for r in schemas.all_rules()
        )  # fmt: skip
    return not schemas.documented_validator("create_request").is_valid(mutation.deterministic())


def documented_mutations() -> tuple[Mutation, ...]:
    return tuple(m for m in mutations() if m.documented)


def _broken(body: Body, mutation: Mutation) -> InvalidCase:
    broken = mutation.apply(body)
    if not mutation.by_format and schemas.validator("create_request").is_valid(broken):
        raise AssertionError(f"mutation {mutation.name!r} left the body valid: {broken!r}")
    return InvalidCase(broken, mutation)


def invalid_requests(documented: bool | None = None) -> st.SearchStrategy[InvalidCase]:
    """Valid bodies with one violation each (only documented rules, only undocumented ones, or all)."""
    chosen = [m for m in mutations() if documented is None or m.documented is documented]
    return st.builds(_broken, create_requests(with_config=True), st.sampled_from(chosen))
