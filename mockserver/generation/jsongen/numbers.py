"""Numbers for jsongen: small, realistic integers and two-decimal numbers within the schema's bounds.

Bounds (minimum/maximum and their exclusive forms, draft 4 booleans included) and multipleOf are honoured
exactly where arithmetic allows; for float multipleOf the candidates are checked with jsonschema's own float
test, so what is proposed here is what the validator accepts. Values come from ``rng`` only.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from mockserver.generation.jsongen.merge import Fail


def integers(s: Mapping[str, Any], rng: random.Random, where: str) -> Iterable[int]:
    """Small integers within the bounds (and multipleOf), nearest zero first; raises Fail if there are none."""
    lo, lo_ex, hi, hi_ex = _bounds(s)
    low = None if lo is None else (math.floor(lo) + 1 if lo_ex else math.ceil(lo))
    high = None if hi is None else (math.ceil(hi) - 1 if hi_ex else math.floor(hi))
    m = s.get("multipleOf")
    step = 1 if m is None else (m if isinstance(m, int) else Fraction(str(m)).numerator)
    k_lo = None if low is None else -((-low) // step)
    k_hi = None if high is None else high // step
    if k_lo is not None and k_hi is not None and k_lo > k_hi:
        raise Fail(where, "no integer satisfies minimum/maximum/multipleOf", "unsat")
    a, b = _window(k_lo, k_hi, max(1, 100 // step))
    ks = [rng.randint(a, b) for _ in range(8)] + [a, b]
    if isinstance(m, float):  # float division is inexact: multiples of the decimal denominator divide cleanly
        den = Fraction(str(m)).denominator
        ks += [k for k in (a, b) if k % den == 0] + [den * -(-a // den), den * (b // den)]
    for k in ks:
        x = k * step
        if (low is None or x >= low) and (high is None or x <= high) and (m is None or _multiple_ok(x, m)):
            yield x


def numbers(s: Mapping[str, Any], rng: random.Random, where: str) -> Iterable[int | float]:
    """Numbers with two decimals within the bounds (or multiples of multipleOf), then edge fallbacks."""
    lo, lo_ex, hi, hi_ex = _bounds(s)
    if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_ex or hi_ex))):
        raise Fail(where, f"no number lies between {lo} and {hi}", "unsat")
    m = s.get("multipleOf")

    def fits(x: float) -> bool:
        below = lo is not None and (x <= lo if lo_ex else x < lo)
        above = hi is not None and (x >= hi if hi_ex else x > hi)
        return not below and not above and (m is None or _multiple_ok(x, m))

    if m is not None:
        step = Fraction(str(m))
        k_lo = None if lo is None else math.ceil(Fraction(lo) / step)
        k_hi = None if hi is None else math.floor(Fraction(hi) / step)
        if k_lo is not None and k_hi is not None and k_lo > k_hi:
            raise Fail(where, f"no multiple of {m} lies between {lo} and {hi}", "unsat")
        a, b = _window(k_lo, k_hi, max(1, int(100 / step)))
        picks = [rng.randint(a, b) * step for _ in range(8)] + [Fraction(a) * step, Fraction(b) * step]
        values: list[int | float] = [v for v in map(_plain_number, picks) if v is not None]
    else:
        try:
            values = _decimals(lo, hi, rng)
        except OverflowError:  # integer bounds beyond float range: integers are numbers too
            yield from integers(s, rng, where)
            return
    yield from (x for x in values if (isinstance(x, int) or math.isfinite(x)) and fits(x))


def _decimals(lo: Any, hi: Any, rng: random.Random) -> list[int | float]:
    """Two-decimal numbers in a small window of [lo, hi], then the bounds and their neighbours as fallbacks."""
    fa, fb = _window(lo, hi, 100.0)
    values: list[int | float] = [round(rng.uniform(fa, fb), 2) for _ in range(4)] + [rng.uniform(fa, fb)]
    values += [x for x in (lo, hi) if x is not None]
    if lo is not None and hi is not None:
        values.append(lo / 2 + hi / 2)
    values += [math.nextafter(lo, math.inf)] if lo is not None else []
    values += [math.nextafter(hi, -math.inf)] if hi is not None else []
    return values


def _plain_number(x: Fraction) -> int | float | None:
    """An exact multiple as int when whole, else float (None when beyond float range)."""
    if x.denominator == 1:
        return int(x)
    try:
        return float(x)
    except OverflowError:
        return None


def _bounds(s: Mapping[str, Any]) -> tuple[Any, bool, Any, bool]:
    """(low, low exclusive?, high, high exclusive?) from minimum/exclusiveMinimum/... (draft 4 booleans too)."""
    result: list[Any] = []
    for inclusive, exclusive, tighter in (
        ("minimum", "exclusiveMinimum", max),
        ("maximum", "exclusiveMaximum", min),
    ):
        bound, ex = s.get(inclusive), s.get(exclusive)
        if isinstance(ex, bool):
            result += [bound, ex and bound is not None]
        elif ex is None or (bound is not None and tighter(bound, ex) == bound and bound != ex):
            result += [bound, False]
        else:
            result += [ex, True]
    return result[0], result[1], result[2], result[3]


def _window(lo: Any, hi: Any, span: Any) -> tuple[Any, Any]:
    """A sub-range of [lo, hi] of about ``span`` near zero, so values stay small and realistic."""
    if lo is not None and lo > 0:
        return lo, lo + span if hi is None else min(hi, lo + span)
    if hi is not None and hi < 0:
        return (hi - span if lo is None else max(lo, hi - span)), hi
    return 0, span if hi is None else min(hi, span)


def _multiple_ok(x: Any, m: Any) -> bool:
    """jsonschema's own multipleOf test (float division for float divisors), so candidates agree with it."""
    try:
        if isinstance(m, float):
            q = x / m
            return bool(int(q) == q)
        return bool(x % m == 0)
    except (OverflowError, ValueError):
        return (Fraction(x) / Fraction(m)).denominator == 1
