"""The facade's operations on what outlives single calls: credit balances and whole-state snapshots.

A part of ``MockService`` (a mixin, so there is still one facade to call): both settle jobs that ended unread
before they answer, and both re-watch jobs when what matters about them changes (a balance given later).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.config.settings import Settings
from mockserver.core import snapshots
from mockserver.core.clock import Clock
from mockserver.core.scenarios import ScenarioBook
from mockserver.core.scheduler import Scheduler
from mockserver.core.storage.base import Balances, IdSequence, JobRepository
from mockserver.webhooks.dispatcher import Dispatcher


class AccountOperations:
    """Balances and state snapshots of ``MockService``."""

    settings: Settings
    clock: Clock
    store: JobRepository
    accounts: Balances
    ids: IdSequence
    scenarios: ScenarioBook
    scheduler: Scheduler
    webhooks: Dispatcher

    def restore_deliveries(self, entries: Sequence[dict[str, Any]]) -> None:
        raise NotImplementedError  # the admin part's (AdminOperations)

    # -- credits -------------------------------------------------------------------------------------------
    def credits(self, account: str) -> float | None:
        """An account's balance after settling jobs that ended unread; None means unlimited."""
        self.store.tick(self.clock.now_us())
        return self.accounts.get(account)

    def all_credits(self) -> dict[str, float]:
        self.store.tick(self.clock.now_us())
        return self.accounts.all()

    def set_credits(self, account: str, credits: float | None) -> float | None:
        """Set a balance (None: unlimited); the account's unfinished jobs now count against it when they end."""
        self.accounts.set(account, credits)
        self.store.rewatch(account)
        self.scheduler.start()
        self.scheduler.wake()
        return self.accounts.get(account)

    # -- state snapshots -----------------------------------------------------------------------------------
    def sequence_state(self, random_state: bool = True) -> tuple[int, Any]:
        """The id sequence: the last ``seq`` given and the seeded random's state (the next ids follow from it;
        None when not asked for: copying it costs 625 words)."""
        seq, state = self.ids.state()
        return seq, state if random_state else None

    def export_state(self) -> dict[str, Any]:
        """Jobs, balances, scenarios, the seeded sequence and (masked) settings, as ``GET /__admin/state``."""
        self.store.snapshot(
            self.clock.now_us()
        )  # bring every job up to now, as a read would, so the snapshot shows current statuses
        sequence = self.sequence_state()
        jobs, balances = self.store.export_jobs(), self.accounts.all()
        return snapshots.export(
            jobs,
            balances,
            self.scenarios.export(),
            sequence,
            self.clock.now_us(),
            self.settings,
            self.webhooks.log.entries(),
        )

    def import_state(self, data: Mapping[str, Any]) -> dict[str, int]:
        """Replace the parts present in ``data``; ``settings`` is ignored. Everything is checked before anything
        changes (StateError, ScenarioError). The clock moves forward to the snapshot's ``now`` when it is behind
        (never backwards), so jobs read the same as they did when exported."""
        snap = snapshots.read(data)
        if snap.scenarios is not None:
            self.scenarios.replace(snap.scenarios, "state: scenarios")
        if snap.jobs is not None:
            self.store.import_jobs(snap.jobs)
        if snap.balances is not None:
            self.accounts.replace(snap.balances)
            self.store.rewatch()
        self.ids.restore(snap.seq, snap.random_state)
        if snap.now_us is not None and snap.now_us > self.clock.now_us():
            self.clock.advance((snap.now_us - self.clock.now_us()) / 1_000_000)
        if snap.webhooks is not None:
            self.restore_deliveries(snap.webhooks)
        self.scheduler.start()
        self.scheduler.wake()
        return {"jobs": len(snap.jobs or []), "balances": len(snap.balances or {})}
