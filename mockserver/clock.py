"""Injected clocks. Time is integer microseconds since the epoch, so timestamps round-trip exactly."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    """What the core needs of time: now, and a way for tests and the admin API to move it."""

    def now_us(self) -> int: ...

    def advance(self, seconds: float) -> None: ...

    @property
    def is_real(self) -> bool: ...


class SystemClock:
    """Wall-clock time plus an offset that ``advance`` grows (so /__admin/clock/advance works in realtime mode)."""

    is_real = True

    def __init__(self) -> None:
        self._offset_us = 0
        self._lock = threading.Lock()

    def now_us(self) -> int:
        return time.time_ns() // 1000 + self._offset_us

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset_us += round(seconds * 1_000_000)


class FrozenClock:
    """Time that moves only when told: fully deterministic tests."""

    is_real = False

    def __init__(self, start_us: int = 1_767_225_600_000_000) -> None:
        self._now_us = start_us
        self._lock = threading.Lock()

    def now_us(self) -> int:
        return self._now_us

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now_us += round(seconds * 1_000_000)


def to_us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def isoformat(us: int) -> str:
    """ISO 8601 UTC with microseconds and ``Z``, as Django REST Framework renders datetimes."""
    dt = datetime.fromtimestamp(us // 1_000_000, tz=timezone.utc)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{us % 1_000_000:06d}Z"
