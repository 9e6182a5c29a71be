"""One webhook event: the record the dispatcher queues, and the delivery-log entry that describes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockserver.webhooks.faults import Decision


@dataclass
class Delivery:
    """An event on its way: where to, the exact body bytes, when it may go, and how many attempts so far."""

    id: str
    job_id: str
    event: str
    url: str
    body: bytes
    not_before: float
    duplicate: bool = False
    attempts: int = 0
    prior: int = 0  # attempts made before this (re)delivery, so numbering goes on
    epoch: int = 0  # the dispatcher's epoch at enqueue; close() starts a new one
    orphaned: bool = False  # set by reset(): the attempt out writes nothing
    rng_jitter: list[float] = field(default_factory=list)


def log_entry(
    delivery: Delivery, view: dict[str, Any], decision: Decision, created_at: str
) -> dict[str, Any]:
    """The delivery log's entry for a new event (``GET /__admin/webhooks`` shows it), before any attempt."""
    return {
        "delivery_id": delivery.id,
        "job_id": delivery.job_id,
        "event": delivery.event,
        "target": delivery.url,
        "payload": view,
        "created_at": created_at,
        "state": "pending",
        "error": None,
        "attempts": [],
        "faults": {
            "duplicate": decision.duplicate,
            "delay_seconds": round(decision.delay, 3),
            "reordered": False,
        },
    }
