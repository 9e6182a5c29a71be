"""The fake server's request rules and its text generation, written from the documentation, not from the mock.

``validate`` enforces the documented rules always and the mock's or Gemini's extra ones only when not lenient;
``generate`` honours the word limit, stop sequences and JSON mode the kit checks.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

TEXT = "Run fast with light grip now and go far today on any road you pick"
INTEGER_KEYS = ("max_output_tokens", "top_k", "seed")
NUMBER_KEYS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _config_errors(config: Any, lenient: bool) -> list[str]:
    if not isinstance(config, dict):
        return ["Expected an object."]
    errors = [f"{k}: a number is required." for k in NUMBER_KEYS if k in config and not _is_number(config[k])]
    errors += [
        f"{k}: an integer is required."
        for k in INTEGER_KEYS
        if k in config and not isinstance(config[k], int)
    ]
    stops = config.get("stop_sequences", [])
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        errors.append("stop_sequences: a list of strings is required.")
    if "response_mime_type" in config and not isinstance(config["response_mime_type"], str):
        errors.append("response_mime_type: a string is required.")
    if lenient or errors:
        return errors
    if any(isinstance(config.get(k), int) and config[k] < 1 for k in ("max_output_tokens", "top_k")):
        errors.append("must be at least 1.")
    if len(stops) > 5 or "" in stops:
        errors.append("stop_sequences: at most 5 non-empty strings.")
    if config.get("response_mime_type", "text/plain") not in ("text/plain", "application/json"):
        errors.append("response_mime_type: not a valid choice.")
    if "response_json_schema" in config and not isinstance(config["response_json_schema"], dict):
        errors.append("response_json_schema: an object is required.")
    return errors


def _message_errors(messages: Any, lenient: bool) -> list[str]:
    if not isinstance(messages, list):
        return ["Expected a list of items."]
    if not messages and not lenient:
        return ["This list may not be empty."]
    for message in messages:
        if not isinstance(message, dict):
            return ["Expected an object."]
        if "role" not in message and not lenient:
            return ["role: This field is required."]
        if "role" in message and message["role"] not in ("user", "model"):
            return [f"{message['role']!r} is not a valid choice."]
        if not isinstance(message.get("content", ""), str):
            return ["content: Not a valid string."]
    return []


def validate(body: Any, lenient: bool) -> dict[str, list[str]]:
    """DRF-style field errors; empty when the body is accepted."""
    if not isinstance(body, dict):
        return {"non_field_errors": ["Expected an object."]}
    errors: dict[str, list[str]] = {}
    name = body.get("model_name")
    if "model_name" not in body:
        errors["model_name"] = ["This field is required."]
    elif not isinstance(name, str) or len(name) > 255 or (not name and not lenient):
        errors["model_name"] = ["A string of at most 255 characters is required."]
    if "messages" not in body:
        errors["messages"] = ["This field is required."]
    elif found := _message_errors(body["messages"], lenient):
        errors["messages"] = found
    if not isinstance(body.get("system_instruction", ""), str):
        errors["system_instruction"] = ["Not a valid string."]
    if "config" in body and (found := _config_errors(body["config"], lenient)):
        errors["config"] = found
    url = body.get("webhook_url")
    if "webhook_url" in body and not (
        isinstance(url, str) and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc
    ):
        errors["webhook_url"] = ["Enter a valid URL."]
    return errors


def _value(schema: Any) -> Any:
    """A small value valid against the simple schemas clients send (object, array, string, integer, …)."""
    if not isinstance(schema, dict):
        return {}
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: _value(s) for k, s in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [_value(schema.get("items"))]
    return {"string": "fast", "integer": 1, "number": 1.5, "boolean": True}.get(str(kind))


def generate(config: dict[str, Any]) -> str:
    """The done job's text: JSON in JSON mode; otherwise cut at the first stop sequence, then at the word limit."""
    if config.get("response_mime_type") == "application/json":
        schema = config.get("response_json_schema")
        return json.dumps(_value(schema) if isinstance(schema, dict) else {"text": TEXT})
    text = TEXT
    for stop in config.get("stop_sequences") or []:
        if stop and stop in text:
            text = text[: text.index(stop)]
    limit = config.get("max_output_tokens")
    if isinstance(limit, int):
        text = " ".join(text.split()[: max(0, limit)])
    return text
