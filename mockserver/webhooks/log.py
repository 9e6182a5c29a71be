"""The delivery log: every webhook event, its target, payload, each attempt and its final state. Bounded.

Entries keep the real target (a redelivery needs it); every copy handed out shows it with its secrets masked."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from mockserver.core.secrets import mask_url

#: Final states; ``pending`` and ``retrying`` are not final.
FINAL_STATES = frozenset({"delivered", "abandoned", "dropped"})


class DeliveryLog:
    """Entries by delivery id in creation order; when full, the oldest finished entry goes first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._order: dict[str, int] = {}  # delivery id -> when it was added (a page's cursor)
        self._added = 0
        self.changed = threading.Condition(self._lock)
        #: Persistence, under the lock: ``(id, entry)`` written, ``(id, None)`` dropped, ``(None, None)`` all.
        self.on_change: Callable[[str | None, dict[str, Any] | None], object] = lambda key, entry: None
        #: Told ``("queued" | "attempt" | "state", entry)`` of every change, under the log's lock: it must only
        #: enqueue (the event feed does). It gets a copy as shown (the target's secrets masked).
        self.listener: Callable[[str, dict[str, Any]], None] | None = None

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries[entry["delivery_id"]] = entry
            self._added += 1
            self._order[entry["delivery_id"]] = self._added
            self.on_change(entry["delivery_id"], entry)
            if self.listener is not None:
                self.listener("queued", _shown(entry))
            while len(self._entries) > self._size:
                victim = next((k for k, e in self._entries.items() if e["state"] in FINAL_STATES), None)
                victim = victim if victim is not None else next(iter(self._entries))
                self._entries.pop(victim)
                self._order.pop(victim, None)
                self.on_change(victim, None)
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
            self.on_change(delivery_id, entry)
            if self.listener is not None and (attempt is not None or state is not None):
                self.listener("attempt" if attempt is not None else "state", _shown(entry))
            self.changed.notify_all()

    def get(self, delivery_id: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(delivery_id)
            return _shown(entry) if entry is not None else None

    def target(self, delivery_id: str) -> str | None:
        """The real URL of an entry (secrets included), for a redelivery."""
        with self._lock:
            entry = self._entries.get(delivery_id)
            return str(entry["target"]) if entry is not None else None

    def entries(self, job_id: str | None = None) -> list[dict[str, Any]]:
        """Copies, oldest first, optionally for one job."""
        with self._lock:
            return [_shown(e) for e in self._entries.values() if job_id is None or e["job_id"] == job_id]

    def page(
        self, job_id: str | None, after: int | None, limit: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """At most ``limit`` entries, oldest first, added after the cursor ``after``; and the next cursor (None
        on the last page)."""
        with self._lock:
            picked = [
                e
                for k, e in self._entries.items()
                if (job_id is None or e["job_id"] == job_id) and (after is None or self._order[k] > after)
            ][: limit + 1]
            more = len(picked) > limit
            picked = picked[:limit]
            cursor = self._order[picked[-1]["delivery_id"]] if more else None
            return [_shown(e) for e in picked], cursor

    def clear(self) -> None:
        with self._lock:
            self._order.clear()
            self._entries.clear()
            self.on_change(None, None)
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
            return [_shown(e) for e in self._entries.values() if job_id is None or e["job_id"] == job_id]


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """A copy of an entry as it may be shown, logged or saved: the target's secrets masked."""
    out = copy.deepcopy(entry)
    out["target"] = mask_url(out["target"])
    return out
