"""The storage boundary: what the service needs of everything that is state, whichever store holds it.

Two implementations stand behind these Protocols: memory (``memory.py``, the default, one process) and Redis
(``redis_*.py``, shared by every mock process on one Redis). The service talks to a ``Storage`` bundle and never
asks which one it got; the web layer does not even see it. Django's cache backends and ``limits``' storages are
the model: one small protocol, backends chosen by URI.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from mockserver.core.clock import Clock
from mockserver.core.journal import Journal
from mockserver.core.models import Job, JobStatus, Outcome
from mockserver.core.scenarios import ScenarioBook
from mockserver.core.streams import StreamBook

T = TypeVar("T")
Listener = Callable[[dict[str, Any], Job], None]
View = Callable[[Job], dict[str, Any]]
#: ``outbox(view, job)``: the webhook event a transition queues (a JSON-able dict), or None for none.
Outbox = Callable[[dict[str, Any], Job], "dict[str, Any] | None"]


class StoreError(RuntimeError):
    """The store cannot be used (no server there, or a URI the mock does not take); the message says which."""


class StoreUnavailable(StoreError):
    """The store stopped answering mid-call (the web layer answers 503 and the caller may retry)."""


class JobRepository(Protocol):
    """Jobs with their schedules and fixed outcomes, each account's index (newest first), the watch list."""

    listeners: list[Listener]
    on_ready: Callable[[], object]
    watch: Callable[[Job], bool]

    def add(self, job: Job) -> dict[str, Any]: ...

    def get(
        self, job_id: str, now_us: int, account: str | None = None, view: View = Job.to_api
    ) -> dict[str, Any] | None: ...

    def snapshot(
        self,
        now_us: int,
        account: str | None = None,
        ids: Iterable[str] | None = None,
        view: View = Job.to_api,
        limit: int | None = None,
        before_seq: int | None = None,
    ) -> list[dict[str, Any]]: ...

    def request_of(self, job_id: str) -> dict[str, Any]: ...

    def owner(self, job_id: str) -> str | None: ...

    def __len__(self) -> int: ...

    def pending_outcomes(self) -> int: ...

    def deliver(self, job: Job, outcome: Outcome) -> None: ...

    def advance(
        self, job_id: str, now_us: int, target: JobStatus | None, forced: Outcome | None
    ) -> dict[str, Any]: ...

    def tick(self, now_us: int) -> int: ...

    def next_wakeup(self) -> int | None: ...

    def rewatch(self, account: str | None = None) -> None: ...

    def export_jobs(self) -> list[Job]: ...

    def import_jobs(self, jobs: Iterable[Job]) -> None: ...

    def reset(self) -> None: ...


class IdSequence(Protocol):
    """The job sequence number and the seeded random that ids and jitter are drawn from."""

    def allocate(self, draw: Callable[[random.Random], T]) -> tuple[int, T]:
        """The next sequence number, and ``draw`` applied to the random that belongs to it (atomically)."""
        ...

    def state(self) -> tuple[int, Any]: ...

    def restore(self, seq: int | None, random_state: Any | None) -> None: ...

    def reset(self) -> None: ...


class Balances(Protocol):
    """Credit balances by X-API-ID; absent means unlimited."""

    error_status: int

    @property
    def error_body(self) -> Any: ...

    def on_transition(self, view: dict[str, Any], job: Job) -> None: ...

    def exhausted(self, account: str) -> bool: ...

    def get(self, account: str) -> float | None: ...

    def set(self, account: str, credits: float | None) -> None: ...

    def view(self, account: str) -> dict[str, Any]: ...

    def all(self) -> dict[str, float]: ...

    def replace(self, balances: Mapping[str, float]) -> None: ...

    def reset(self) -> None: ...


class RateBuckets(Protocol):
    """Token buckets per account (``--rate-limit``)."""

    rate: tuple[int, float] | None

    def acquire(self, account: str) -> float: ...

    def reset(self) -> None: ...


class Bus(Protocol):
    """How one process tells the others that something changed (nothing to tell for the memory store)."""

    def publish(self, message: str) -> None: ...

    def close(self) -> None: ...


class NoBus:
    """The memory store's bus: one process, nobody else to tell."""

    def publish(self, message: str) -> None:
        return None

    def close(self) -> None:
        return None


@dataclass
class Storage:
    """Everything that is state, as one bundle; ``shared`` is True when other processes see it too."""

    jobs: JobRepository
    ids: IdSequence
    balances: Balances
    rate: RateBuckets
    clock: Clock
    scenarios: ScenarioBook
    streams: StreamBook
    journal: Journal
    bus: Bus = field(default_factory=NoBus)
    shared: bool = False
    #: What a shared store's other parts need (its client and key names).
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        """Stop listening and let the connections go (a closed memory store has nothing to let go)."""
        eviction = getattr(self.jobs, "eviction", None)  # the Redis store's trimming thread
        if eviction is not None:
            eviction.close()
        self.bus.close()
        client = self.extras.get("client")
        if client is not None:
            client.close()
