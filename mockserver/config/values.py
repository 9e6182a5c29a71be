"""Parsers of setting values that are more than a type: rates, balances, delays, JSON bodies.

Standard library only, so a bad value stops startup (or an admin change) with a message that names the setting,
and the core and web layers take the parsed form without re-parsing.
"""

from __future__ import annotations

import json
import math

#: Period names DRF's throttle rates accept (only the first letter counts there too).
PERIODS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class SettingsError(ValueError):
    """A setting has a value the mock cannot use; the message names the setting and what is accepted.

    ``setting`` is the field's name; ``label`` is what the user typed for it (``--pending-seconds``,
    ``CREATIFY_MOCK_PENDING_SECONDS``, ``pending-seconds in mock.toml``), which the message starts with.
    """

    def __init__(self, problem: str, setting: str | None = None, label: str | None = None) -> None:
        self.problem, self.setting, self.label = problem, setting, label
        named = label or setting
        super().__init__(f"{named} {problem}" if named else problem)

    def labelled(self, label: str) -> SettingsError:
        """The same error, naming the setting as the user spelled it."""
        return SettingsError(self.problem, self.setting, label)


def parse_rate(spec: str) -> tuple[int, float] | None:
    """``"5/s"``, ``"100/min"``, ``"1000/h"`` -> (requests, period seconds); ``""`` -> None (no limit)."""
    spec = spec.strip()
    if not spec:
        return None
    count, sep, period = spec.partition("/")
    unit = period.strip().lower()[:1]
    try:
        number = int(count)
    except ValueError:
        number = 0
    if not sep or unit not in PERIODS or number < 1:
        raise SettingsError(f"must look like N/s, N/m, N/h or N/d with N >= 1, got {spec!r}", "rate_limit")
    return number, PERIODS[unit]


def parse_credits(pairs: tuple[str, ...]) -> dict[str, float]:
    """``("team=10", "ci=0.5")`` -> balances; a bad pair raises SettingsError naming it."""
    balances: dict[str, float] = {}
    for pair in pairs:
        api_id, sep, amount = pair.partition("=")
        try:
            value = float(amount)
        except ValueError:
            value = math.nan
        if not sep or not api_id.strip() or not math.isfinite(value):
            raise SettingsError(f"must look like ID=AMOUNT (a finite number), got {pair!r}", "credits")
        balances[api_id.strip()] = value
    return balances


def parse_error_body(text: str, name: str = "insufficient_credits_body") -> object:
    """A configured error body, parsed (strict JSON: no NaN, as the mock answers it)."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise SettingsError(f"must be JSON, got {text!r}: {exc}", name) from None


def parse_credit_rates(pairs: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """``("gemini-2.5-pro=0.4",)`` -> ((model fragment, credits per 1,000 tokens), ...), longest fragment first
    so ``gemini-2.5-flash-lite`` is not priced as ``gemini-2.5-flash``."""
    rates: list[tuple[str, float]] = []
    for pair in pairs:
        fragment, sep, amount = pair.rpartition("=")
        try:
            value = float(amount)
        except ValueError:
            value = math.nan
        if not sep or not fragment.strip() or not math.isfinite(value) or value < 0:
            raise SettingsError(
                f"must look like MODEL=RATE (credits per 1,000 tokens, >= 0), got {pair!r}", "credit_rates"
            )
        rates.append((fragment.strip(), value))
    return tuple(sorted(rates, key=lambda r: -len(r[0])))


def parse_rules(text: str) -> list[object]:
    """Inline scenario rules (``[[scenario-rules]]`` in the config file; JSON in the environment): a list of
    objects; each rule is checked against its schema when the mock loads it."""
    if not text.strip():
        return []
    try:
        rules = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise SettingsError(f"must be a JSON list of rules, got {text!r}: {exc}", "scenario_rules") from None
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise SettingsError(f"must be a list of rule objects, got {text!r}", "scenario_rules")
    return rules


def parse_delay(spec: str) -> tuple[float, float]:
    """``"0.5"`` (fixed) or ``"0.1-2"`` (a seeded uniform range) -> (low, high) seconds."""
    low, sep, high = str(spec).strip().partition("-")
    try:
        bounds = (float(low), float(high) if sep else float(low))
    except ValueError:
        raise SettingsError(f"must be SECONDS or LOW-HIGH, got {spec!r}", "webhook_delay") from None
    if not 0 <= bounds[0] <= bounds[1]:
        raise SettingsError(f"must satisfy 0 <= LOW <= HIGH, got {spec!r}", "webhook_delay")
    return bounds


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")
