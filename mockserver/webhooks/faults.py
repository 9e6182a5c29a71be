"""Deliberate webhook faults, all seeded and off by default: duplicates, delays, reordering, drops.

Each event decides from its own random stream (seed, job id, event), so the same seed gives the same faults
whatever the threads' timing.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, replace
from typing import Any

from mockserver.config.settings import Settings
from mockserver.config.values import SettingsError, parse_delay


@dataclass(frozen=True)
class Faults:
    duplicate_rate: float = 0.0
    delay: str = "0"
    reorder_rate: float = 0.0
    drop_rate: float = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Faults:
        return cls(
            settings.webhook_duplicate_rate,
            settings.webhook_delay,
            settings.webhook_reorder_rate,
            settings.webhook_drop_rate,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    """What happens to one event."""

    drop: bool
    duplicate: bool
    delay: float
    reorder: bool


class FaultPlan:
    """The faults in force (changeable at run time through the admin API) and the per-event decisions."""

    def __init__(self, settings: Settings) -> None:
        self._seed = settings.seed
        self._lock = threading.Lock()
        self._faults = Faults.from_settings(settings)

    @property
    def faults(self) -> Faults:
        return self._faults

    def update(self, changes: dict[str, Any]) -> Faults:
        """Apply ``changes`` (already schema-validated); raises SettingsError for a bad delay."""
        candidate = replace(self._faults, **changes)
        parse_delay(candidate.delay)
        for name in ("duplicate_rate", "reorder_rate", "drop_rate"):
            if not 0 <= getattr(candidate, name) <= 1:
                raise SettingsError(f"{name} must be between 0 and 1")
        with self._lock:
            self._faults = candidate
        return candidate

    def rng(self, job_id: str, event: str) -> random.Random:
        return random.Random(f"{self._seed}:{job_id}:{event}") if self._seed is not None else random.Random()

    def decide(self, rng: random.Random) -> Decision:
        f = self._faults
        low, high = parse_delay(f.delay)
        # Always draw the same number of values, so one knob's change does not shift the others' choices.
        draws = [rng.random() for _ in range(4)]
        return Decision(
            drop=draws[0] < f.drop_rate,
            duplicate=draws[1] < f.duplicate_rate,
            delay=low + (high - low) * draws[2],
            reorder=draws[3] < f.reorder_rate,
        )
