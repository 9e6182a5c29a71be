"""The memory store: everything in this process, behind locks; the default, as fast as the mock has been.

The job store, balances and rate buckets are the long-standing in-process classes (``core/store.py``,
``core/accounts.py``, ``core/ratelimit.py``); this module adds the id sequence and bundles them.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from mockserver.config.settings import Settings
from mockserver.config.values import parse_rate
from mockserver.core.accounts import Accounts
from mockserver.core.clock import Clock, SystemClock
from mockserver.core.journal import Journal
from mockserver.core.ratelimit import RateLimiter
from mockserver.core.scenarios import ScenarioBook
from mockserver.core.storage.base import Storage
from mockserver.core.store import Finisher, JobStore
from mockserver.core.streams import StreamBook

T = TypeVar("T")


class MemoryIds:
    """A counter and one seeded random, under one lock: the same seed gives the same ids in the same order."""

    def __init__(self, seed: int | None) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self._seq = 0
        self._rng = random.Random(seed)

    def allocate(self, draw: Callable[[random.Random], T]) -> tuple[int, T]:
        with self._lock:
            self._seq += 1
            return self._seq, draw(self._rng)

    def state(self) -> tuple[int, Any]:
        with self._lock:
            return self._seq, self._rng.getstate()

    def restore(self, seq: int | None, random_state: Any | None) -> None:
        with self._lock:
            if seq is not None:
                self._seq = seq
            if random_state is not None:
                self._rng.setstate(random_state)

    def reset(self) -> None:
        with self._lock:
            self._seq = 0
            self._rng = random.Random(self._seed)


def open_memory(settings: Settings, finisher: Finisher, clock: Clock | None) -> Storage:
    """The in-process bundle; a job that ends done costs its account, as the Redis store's script does."""
    jobs, balances = JobStore(finisher, settings.max_jobs), Accounts(settings)
    jobs.listeners.append(balances.on_transition)
    clock = clock or SystemClock()
    return Storage(
        jobs=jobs,
        ids=MemoryIds(settings.seed),
        balances=balances,
        rate=RateLimiter(parse_rate(settings.rate_limit)),
        clock=clock,
        scenarios=ScenarioBook(settings.seed),
        streams=StreamBook(),
        journal=Journal(settings.journal_size, clock),
    )
