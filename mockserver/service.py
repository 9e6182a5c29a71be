"""MockService: the mock's core operations (create, read, list, admin moves) over store, clock and generator.

No Flask here: views parse and serialize; this module decides.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from .accounts import Accounts
from .clock import Clock, FrozenClock, SystemClock
from .generation import Generator
from .journal import Journal
from .lifecycle import plan
from .limits import RateLimiter, parse_rate
from .models import Job, JobStatus, Outcome
from .scenarios import Rule, ScenarioBook, render
from .scheduler import Scheduler
from .settings import Settings
from .store import JobStore
from .webhooks import Dispatcher

ADMIN_FAILED_REASON = "Failed on request through the mock's admin API."


class MockService:
    """Everything one running mock knows; lives in ``app.extensions["creatify_mock"]``."""

    def __init__(
        self, settings: Settings, clock: Clock | None = None, user_agent: str = "creatify-mock"
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.generator = Generator()
        self.store = JobStore(self._finish, settings.max_jobs)
        self._rng_lock = threading.Lock()
        self._seq = 0
        self._rng = random.Random(settings.seed)
        self.scheduler = Scheduler(self.store, self.clock)
        self.webhooks = Dispatcher(settings, self.clock, user_agent)
        self.store.listeners.append(self.webhooks.on_transition)
        self.journal = Journal(settings.journal_size, self.clock)
        self.accounts = Accounts(settings)
        self.store.listeners.append(self.accounts.on_transition)
        # Balances must drop when a job ends, read or not: watch jobs of accounts that have a balance.
        self.store.watch = lambda job: (
            job.webhook_url is not None or self.accounts.get(job.account) is not None
        )
        self.limiter = RateLimiter(parse_rate(settings.rate_limit))
        #: Called by reset(): the journal, balances and rate buckets start afresh too.
        self.reset_hooks: list[Callable[[], object]] = [
            self.journal.clear,
            self.accounts.reset,
            self.limiter.reset,
        ]
        self.scenarios = ScenarioBook(settings.seed)
        self._startup_scenarios: tuple[Sequence[Any], str] = ((), "startup")

    def start(self) -> None:
        """Start background work (the scheduler); servers call this, and a webhook job starts it too."""
        self.scheduler.start()

    def close(self) -> None:
        self.scheduler.stop()
        self.webhooks.close()

    # -- API -----------------------------------------------------------------------------------------------
    def create(
        self, account: str, request: dict[str, Any], webhook_url: str | None, rule: Rule | None = None
    ) -> dict[str, Any]:
        """Store a new pending job for ``account``; ``request`` is the cleaned, validated body; a scenario
        ``rule`` may decide its outcome and timing."""
        now = self.clock.now_us()
        timing = self._timing_for(rule)
        with self._rng_lock:
            self._seq += 1
            seq = self._seq
            job_id = (
                str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
                if self._seeded
                else str(uuid.uuid4())
            )
            schedule = plan(timing, now, self._rng)
        request.setdefault("config", {})
        job = Job(job_id, account, seq, request, webhook_url, now, schedule)
        if rule is not None and "outcome" in rule.spec:
            job.forced = self._scenario_outcome(rule, request, account)
        view = self.store.add(job)
        if self.store.watch(job):
            self.scheduler.start()
            self.scheduler.wake()
        return view

    def _timing_for(self, rule: Rule | None) -> Settings:
        spec = rule.spec.get("timing") if rule is not None else None
        if not spec:
            return self.settings
        if spec.get("manual"):
            return replace(self.settings, timing="manual")
        return replace(
            self.settings,
            timing="realtime",
            pending_seconds=spec.get("pending_seconds", self.settings.pending_seconds),
            running_seconds=spec.get("running_seconds", self.settings.running_seconds),
        )

    def _scenario_outcome(self, rule: Rule, request: dict[str, Any], account: str) -> Outcome:
        spec = rule.spec["outcome"]
        if spec["status"] == "failed":
            reason = spec.get("failed_reason") or f"Failed by scenario rule {rule.id!r}."
            return Outcome(JobStatus.FAILED, failed_reason=render(reason, request, account))
        text = render(spec["response_text"], request, account) if "response_text" in spec else None
        return self.generator.done(request, text, spec.get("credits_used"))

    def get(self, account: str | None, job_id: str) -> dict[str, Any] | None:
        return self.store.get(job_id, self.clock.now_us(), account)

    def list(self, account: str | None, ids: list[str] | None = None) -> list[dict[str, Any]]:
        return self.store.snapshot(self.clock.now_us(), account, ids)

    # -- admin ---------------------------------------------------------------------------------------------
    def advance(
        self,
        job_id: str,
        status: JobStatus | None = None,
        response_text: str | None = None,
        failed_reason: str | None = None,
    ) -> dict[str, Any]:
        """Move a job now (one step, or straight to ``status``); KeyError if unknown, Conflict if terminal."""
        forced: Outcome | None = None
        if status is JobStatus.FAILED:
            forced = Outcome(JobStatus.FAILED, failed_reason=failed_reason or ADMIN_FAILED_REASON)
        elif status is JobStatus.DONE:
            forced = self.generator.done(self.store.request_of(job_id), response_text)
        return self.store.advance(job_id, self.clock.now_us(), status, forced)

    def advance_clock(self, seconds: float) -> int:
        """Move the clock (every timing mode) and apply the transitions it crosses at once."""
        self.clock.advance(seconds)
        return self.store.tick(self.clock.now_us())

    def sequence_state(self) -> tuple[int, Any]:
        """The creation counter and the seeded random's state (for state snapshots)."""
        with self._rng_lock:
            return self._seq, self._rng.getstate()

    def restore_sequence(self, seq: int | None, rng_state: Any | None) -> None:
        with self._rng_lock:
            if seq is not None:
                self._seq = seq
            if rng_state is not None:
                self._rng.setstate(rng_state)

    def load_scenarios(self, specs: Sequence[Any], source: str) -> None:
        """Rules loaded at startup; ``reset`` comes back to them. ScenarioError names a bad rule."""
        self.scenarios.replace(specs, source)
        self._startup_scenarios = (specs, source)

    def reset(self) -> None:
        """Forget every job and webhook delivery, restore the startup scenarios, restart the seeded sequence."""
        self.store.reset()
        self.webhooks.reset()
        self.scenarios.replace(*self._startup_scenarios)
        for hook in self.reset_hooks:
            hook()
        with self._rng_lock:
            self._seq = 0
            self._rng = random.Random(self.settings.seed)

    @property
    def _seeded(self) -> bool:
        return self.settings.seed is not None

    def _finish(self, job: Job) -> Outcome:
        return self.generator.outcome(job.request)


def make_clock(frozen: bool) -> Clock:
    return FrozenClock() if frozen else SystemClock()
