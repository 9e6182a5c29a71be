"""Webhook fault knobs shared by every process on one Redis: ``PUT /__admin/webhooks/faults`` on one process
changes what every process does to the events it sends (the knobs are written to Redis and announced)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from mockserver.config.settings import Settings
from mockserver.core import jsonio
from mockserver.core.storage.redis_codec import Keys
from mockserver.webhooks.faults import FaultPlan, Faults


class SharedFaultPlan(FaultPlan):
    """``FaultPlan`` whose changes reach the other processes; a process that starts takes the shared knobs."""

    def __init__(
        self, settings: Settings, client: redis.Redis, keys: Keys, publish: Callable[[str], object]
    ) -> None:
        super().__init__(settings)
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._key = f"{keys.prefix}webhook-faults"
        self._publish = publish
        self.adopt()

    def update(self, changes: dict[str, Any]) -> Faults:
        faults = super().update(changes)
        self._r.set(self._key, jsonio.dumps(faults.as_dict()))
        self._publish("faults")
        return faults

    def adopt(self) -> None:
        """Take the knobs another process set (nothing shared yet: keep this process's own)."""
        raw = self._r.get(self._key)
        if raw is not None:
            faults = Faults(**jsonio.loads(raw))
            with self._lock:
                self._faults = faults
