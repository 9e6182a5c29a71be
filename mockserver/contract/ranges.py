"""Gemini's value ranges for config (``x-gemini-range`` in config.schema.json): failed jobs or strict 400s."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mockserver.contract import schemas


def _out_of_range(config: Mapping[str, Any]) -> Iterator[tuple[str, float, dict[str, float]]]:
    for name, prop in schemas.schema("config")["properties"].items():
        bounds = prop.get("x-gemini-range")
        value = config.get(name)
        if bounds is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not bounds["minimum"] <= value <= bounds["maximum"]:
            yield name, value, bounds


def failed_reason(config: Mapping[str, Any]) -> str | None:
    """Gemini-style reason for a job whose config is out of range (the default, non-strict behaviour)."""
    problems = [
        f"generation_config.{name}: {value} is out of range, must be between {b['minimum']} and {b['maximum']}"
        for name, value, b in _out_of_range(config)
    ]
    return "400 INVALID_ARGUMENT: " + "; ".join(problems) if problems else None


def drf_errors(config: Mapping[str, Any]) -> dict[str, Any] | None:
    """With ``--strict-ranges``: the 400 body DRF's min/max validators would give, keyed under ``config``."""
    errors: dict[str, list[str]] = {}
    for name, value, b in _out_of_range(config):
        if value < b["minimum"]:
            errors[name] = [f"Ensure this value is greater than or equal to {b['minimum']}."]
        else:
            errors[name] = [f"Ensure this value is less than or equal to {b['maximum']}."]
    return {"config": errors} if errors else None
