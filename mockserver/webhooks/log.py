"""The delivery log: every webhook event, its target, payload, each attempt and its final state. Bounded."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

#: Final states; ``pending`` and ``retrying`` are not final.
FINAL_STATES = frozenset({"delivered", "abandoned", "dropped"})


class DeliveryLog:
    """Entries by delivery id in creation order; when full, the oldest finished entry goes first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.changed = threading.Condition(self._lock)
        #: Told ``("queued" | "attempt" | "state", entry)`` of every change, under the log's lock: it must only
        #: enqueue (the event feed does), and must not keep ``entry``, which changes later.
        self.listener: Callable[[str, dict[str, Any]], None] | None = None

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries[entry["delivery_id"]] = entry
            if self.listener is not None:
                self.listener("queued", entry)
            while len(self._entries) > self._size:
                victim = next((k for k, e in self._entries.items() if e["state"] in FINAL_STATES), None)
                self._entries.pop(victim if victim is not None else next(iter(self._entries)))
            self.changed.notify_all()

    def update(
        self,
        delivery_id: str,
        *,
        state: str | None = None,
        attempt: dict[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        with self._lock:
            entry = self._entries.get(delivery_id)
            if entry is None:
                return
            if attempt is not None:
                entry["attempts"].append(attempt)
            if state is not None:
                entry["state"] = state
            entry.update(fields)
            if self.listener is not None and (attempt is not None or state is not None):
                self.listener("attempt" if attempt is not None else "state", entry)
            self.changed.notify_all()

    def get(self, delivery_id: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(delivery_id)
            return copy.deepcopy(entry) if entry is not None else None

    def entries(self, job_id: str | None = None) -> list[dict[str, Any]]:
        """Copies, oldest first, optionally for one job."""
        with self._lock:
            return [
                copy.deepcopy(e) for e in self._entries.values() if job_id is None or e["job_id"] == job_id
            ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.changed.notify_all()

    def wait(self, job_id: str | None, count: int | None, timeout: float) -> list[dict[str, Any]]:
        """Wait until every entry (of the job) is final and, if ``count``, there are at least that many."""

        def settled() -> bool:
            mine = [e for e in self._entries.values() if job_id is None or e["job_id"] == job_id]
            return (count is None or len(mine) >= count) and all(e["state"] in FINAL_STATES for e in mine)

        with self._lock:
            if not self.changed.wait_for(settled, timeout):
                states = [
                    (e["event"], e["state"])
                    for e in self._entries.values()
                    if job_id is None or e["job_id"] == job_id
                ]
                raise TimeoutError(
                    f"webhook deliveries not settled after {timeout} s (count wanted {count}): {states}"
                )
            return [
                copy.deepcopy(e) for e in self._entries.values() if job_id is None or e["job_id"] == job_id
            ]
