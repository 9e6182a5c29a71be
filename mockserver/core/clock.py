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


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


#: Seconds of the canonical form ``isoformat`` writes (``YYYY-MM-DDTHH:MM:SS``), parsed and checked once: loading a
#: state file parses four times per job, and jobs created in one second share it. Bounded.
_SECONDS: dict[str, int] = {}


def parse_time(text: str) -> int:
    """ISO 8601 (``Z`` or an offset; none means UTC) -> microseconds, exactly; ValueError when it is not one."""
    if (
        len(text) == 27
        and text[19] == "."
        and text[26] == "Z"
        and text[20:26].isascii()
        and text[20:26].isdigit()
    ):
        second = _SECONDS.get(text[:19])
        if second is None:
            second = _parse(text[:19] + ".000000Z") // 1_000_000
            if len(_SECONDS) >= 4096:
                _SECONDS.clear()
            _SECONDS[text[:19]] = second
        return second * 1_000_000 + int(text[20:26])
    return _parse(text)


def _parse(text: str) -> int:
    text = text.strip()
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    us = (moment - _EPOCH) // _EPOCH.resolution
    try:
        isoformat(us)  # the mock must be able to show it again: years 1-9999 in UTC
    except (OverflowError, ValueError, OSError):
        raise ValueError(f"{text!r} is outside the years the mock can show") from None
    return us
