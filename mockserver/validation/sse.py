"""The /sse/ family's 400 message: the same rules as ``/api/`` (the schemas), said in one ``error`` string.

Creatify documents ``{"error": "Invalid request body or model not found."}``; the mock keeps that opening and
names each field that failed, from the DRF-shaped errors the validator already builds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.validation.drf import NON_FIELD

INVALID_BODY = "Invalid request body"
MAX_MESSAGES = 5


def _flatten(errors: Mapping[str, Any], prefix: str) -> list[str]:
    out: list[str] = []
    for key, value in errors.items():
        name = prefix if key == NON_FIELD else (f"{prefix}.{key}" if prefix else key)
        if isinstance(value, Mapping):
            out += _flatten(value, name)
        elif isinstance(value, Sequence) and not isinstance(value, str):
            out += [f"{name}: {message}" if name else str(message) for message in value]
    return out


def invalid_body(errors: Mapping[str, Any]) -> str:
    """``Invalid request body: messages.0.role: "assistant" is not a valid choice.`` (at most five fields)."""
    lines = _flatten(errors, "")
    shown = " ".join(lines[:MAX_MESSAGES]) + (
        f"; and {len(lines) - MAX_MESSAGES} more" if len(lines) > MAX_MESSAGES else ""
    )
    return f"{INVALID_BODY}: {shown}" if shown else f"{INVALID_BODY}."


def model_not_found(model_name: str, models: Sequence[str]) -> str:
    return f"Model not found: {model_name!r} is not a supported model; supported: {', '.join(models)}."
