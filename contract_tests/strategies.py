"""Hypothesis strategies for valid create requests, built from ``schemas/`` with realistic (Faker) text.

The schema says which fields exist, their types, bounds and enums; this module only chooses realistic values
inside them (Gemini's ranges where the schema gives ``x-gemini-range``), and every request it builds is
validated against ``create_request`` before a test sees it, so the strategies cannot drift from the schema.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from faker import Faker
from hypothesis import strategies as st

from mockserver.contract import schemas

#: The model names of Creatify's guide (API_NOTES.md); any string is accepted, these are the realistic ones.
DOCUMENTED_MODELS = (
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-3-flash-preview",
    "gemini-3.1-pro-preview",
    "gemini-3.1-flash-lite-preview",
)
UNICODE_SAMPLES = (
    "naïve café",
    "東京の天気",
    "Привет, мир",
    "🚀 launch ✨",
    "e\u0301 combining",
    "ﷺ العربية",
)
#: Realistic response schemas for JSON mode (a strategy that invents arbitrary schemas tests Gemini, not the API).
JSON_SCHEMAS: tuple[dict[str, Any], ...] = (
    {"type": "object", "properties": {"tagline": {"type": "string"}}, "required": ["tagline"]},
    {
        "type": "object",
        "properties": {"title": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
        "required": ["title", "tags"],
    },
    {
        "type": "array",
        "items": {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]},
    },
)
_faker_lock = threading.Lock()


@cache
def _faker() -> Faker:
    return Faker("en_US")


def _sentence(seed: int, words: int) -> str:
    with _faker_lock:
        faker = _faker()
        faker.seed_instance(seed)
        return str(faker.sentence(nb_words=words))


def realistic_text(max_words: int = 20) -> st.SearchStrategy[str]:
    """A Faker sentence (seeded by hypothesis, so it shrinks), sometimes with non-ASCII text appended."""
    sentence = st.builds(_sentence, st.integers(0, 2**32 - 1), st.integers(1, max_words))
    suffix = st.one_of(st.just(""), st.sampled_from(UNICODE_SAMPLES).map(lambda s: " " + s))
    return st.builds(lambda a, b: a + b, sentence, suffix)


def unicode_text() -> st.SearchStrategy[str]:
    """Text that is certainly not ASCII: a sentence plus samples from several scripts and emoji."""
    return st.builds(lambda s, u: f"{s} {u}", realistic_text(8), st.sampled_from(UNICODE_SAMPLES))


def messages(min_size: int = 1, max_size: int = 4) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Turns of a conversation; ``content`` sometimes omitted (its documented default is "")."""
    roles = tuple(schemas.schema("message")["properties"]["role"]["enum"])
    message = st.fixed_dictionaries({"role": st.sampled_from(roles)}, optional={"content": realistic_text()})
    return st.lists(message, min_size=min_size, max_size=max_size)


def _property(name: str, spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A realistic value for one config property, from its schema."""
    if "enum" in spec:
        return st.sampled_from(spec["enum"])
    kind = spec.get("type")
    bounds = spec.get("x-gemini-range", spec)
    if kind == "integer":
        low = int(bounds.get("minimum", 0))
        return st.integers(low, int(bounds.get("maximum", low + 2000)))
    if kind == "number":
        return st.floats(
            float(bounds.get("minimum", -2)), float(bounds.get("maximum", 2)), allow_nan=False
        ).map(lambda x: round(x, 3))
    if kind == "array":
        words = st.builds(_sentence, st.integers(0, 2**32 - 1), st.just(1)).map(
            lambda s: s.rstrip(".").lower()
        )
        return st.lists(words, min_size=1, max_size=int(spec.get("maxItems", 5)), unique=True)
    if kind == "object" and name == "response_json_schema":
        return st.sampled_from(JSON_SCHEMAS)
    raise NotImplementedError(f"no realistic strategy for config.{name} of type {kind!r}")


def configs() -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the config schema's properties; JSON mode without stop sequences or a word limit."""
    props = schemas.schema("config")["properties"]
    optional = {name: _property(name, spec) for name, spec in props.items() if name != "response_json_schema"}
    plain = st.fixed_dictionaries({}, optional=optional).map(_plain_or_json)
    json_mode = st.fixed_dictionaries(
        {"response_mime_type": st.just("application/json")},
        optional={"response_json_schema": _property("response_json_schema", props["response_json_schema"])},
    )
    return st.one_of(plain, json_mode)


def _plain_or_json(config: dict[str, Any]) -> dict[str, Any]:
    """Stop sequences and word limits are tested on text; with JSON they would only make Gemini fail."""
    if config.get("response_mime_type") == "application/json":
        config.pop("stop_sequences", None)
        config.pop("max_output_tokens", None)
    return config


def _validated(body: dict[str, Any]) -> dict[str, Any]:
    schemas.validate("create_request", body)
    return body


def create_requests(
    webhook_url: str | None = None, with_config: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid ``POST /api/text_generator/`` bodies; ``webhook_url`` is added when given (a local receiver)."""
    required = {"model_name": st.sampled_from(DOCUMENTED_MODELS), "messages": messages()}
    if webhook_url is not None:
        required["webhook_url"] = st.just(webhook_url)
    optional: dict[str, st.SearchStrategy[Any]] = {"system_instruction": realistic_text()}
    if with_config:
        optional["config"] = configs()
    return st.fixed_dictionaries(required, optional=optional).map(_validated)
