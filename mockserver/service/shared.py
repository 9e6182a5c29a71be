"""What a mock process does when its store is shared (Redis): listen to the others, send webhooks from the
stream, and queue each transition's webhook event with the transition itself.

Nothing here is needed by the memory store; the facade calls ``share`` once when the store is shared.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from mockserver.config.settings import Settings
from mockserver.core.clock import Clock
from mockserver.core.journal import Journal
from mockserver.core.models import Job
from mockserver.core.storage.base import JobRepository, Storage
from mockserver.core.storage.redis_bus import RedisBus
from mockserver.core.storage.redis_jobs import RedisJobStore
from mockserver.core.storage.redis_state import RedisClock
from mockserver.core.streams import StreamBook
from mockserver.core.waiters import Waiters
from mockserver.webhooks.dispatcher import Dispatcher
from mockserver.webhooks.shared_faults import SharedFaultPlan
from mockserver.webhooks.stream import StreamFeeder


class MockService(Protocol):
    """The parts of the facade a shared process wires together (the facade itself imports this module)."""

    settings: Settings
    storage: Storage
    store: JobRepository
    clock: Clock
    waiters: Waiters
    webhooks: Dispatcher
    streams: StreamBook
    journal: Journal


class Shared:
    """The threads of a process on a shared store: the bus listener and the webhook stream reader."""

    def __init__(self, service: MockService) -> None:
        storage = service.storage
        assert isinstance(storage.bus, RedisBus) and isinstance(service.store, RedisJobStore)
        self.service = service
        self.bus = storage.bus
        self.feeder = StreamFeeder(storage.extras["client"], storage.extras["keys"], service.webhooks)
        service.store.outbox = self.outbox
        plan = SharedFaultPlan(
            service.settings, storage.extras["client"], storage.extras["keys"], self.bus.publish
        )
        service.webhooks.faults = plan
        self.bus.on_faults = plan.adopt
        waiters = service.waiters
        self.bus.on_job = waiters.notify
        self.bus.on_all = waiters.notify_all
        self.bus.on_clock = self._clock_moved
        self.bus.on_reset = self._reset_elsewhere
        self.start()

    def start(self) -> None:
        """Listen to the other processes and take webhook events (again, after a close)."""
        self.bus.start()
        self.feeder.start()

    def outbox(self, view: dict[str, Any], job: Job) -> dict[str, Any] | None:
        """The webhook event a transition queues (its delivery id fixed now, as the dispatcher would draw it)."""
        events = self.service.settings.webhook_events
        if job.webhook_url is None or (events == "terminal" and not job.status.terminal):
            return None
        faults = self.service.webhooks.faults
        rng = faults.rng(job.id, view["status"])
        faults.decide(rng)  # the same draws as the dispatcher's, so a seeded run gives the same ids
        delivery_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return {"id": delivery_id, "url": job.webhook_url, "view": view}

    def _clock_moved(self, offset: int) -> None:
        clock = self.service.clock
        if isinstance(clock, RedisClock):
            clock.refresh(offset)
        self.service.waiters.notify_all()

    def _reset_elsewhere(self) -> None:
        """Another process reset the shared state: forget what this one holds of it locally."""
        service = self.service
        self.feeder.forget()
        service.webhooks.reset()
        self._clock_moved(0)

    def close(self) -> None:
        """Stop taking events; what this process still holds stays pending, for another to take over."""
        self.feeder.close()


def share(service: MockService) -> Shared:
    return Shared(service)
