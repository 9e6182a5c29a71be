"""MockService: the one facade over the mock's core and capabilities.

Every HTTP view, ``MockServer`` method and CLI action calls this class and nothing below it, so two entry points
can never drift apart (WireMock's ``Admin`` interface is the model). No Flask here: views parse and serialize.
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Callable
from typing import Any

from mockserver.config.settings import Settings
from mockserver.config.values import parse_credit_rates
from mockserver.config.version import mock_version
from mockserver.contract import ranges
from mockserver.core.clock import Clock, isoformat
from mockserver.core.journal import Journal
from mockserver.core.lifecycle import plan
from mockserver.core.memory import release_memory
from mockserver.core.models import Family, Job, JobStatus, Outcome, Schedule, uuid4_text
from mockserver.core.scenarios import Rule, ScenarioBook
from mockserver.core.scheduler import Scheduler
from mockserver.core.storage import open_storage
from mockserver.core.storage.base import JobRepository
from mockserver.core.store import Conflict
from mockserver.core.streams import StreamBook
from mockserver.core.waiters import Waiters
from mockserver.generation.background import Background
from mockserver.generation.text import Generator
from mockserver.replay import ReplayBook
from mockserver.service.accounts import AccountOperations
from mockserver.service.events import EventOperations
from mockserver.service.listing import ListOperations
from mockserver.service.replaying import ReplayOperations
from mockserver.service.ruled import scenario_outcome, timing_for
from mockserver.service.shared import share
from mockserver.service.stream_control import StreamControlOperations
from mockserver.service.streaming import SseOperations
from mockserver.validation.drf import RequestValidator
from mockserver.webhooks.dispatcher import Dispatcher

#: A reset that forgets at least this many jobs gives their memory back to the system (``core.memory``).
RELEASE_MEMORY_AFTER_JOBS = 1_000
ADMIN_FAILED_REASON = "Failed on request through the mock's admin API."
INSTANT_HINT = (
    "With timing 'instant' a job is finished from the moment it is created (its first read shows it done), "
    "so there is nothing left to advance: use timing 'manual' to move jobs yourself, or a scenario rule "
    "with an outcome to decide how jobs end"
)
#: Request bodies checked against a schema of their own: the API's create and the admin API's bodies.
VALIDATED_BODIES = (
    "create_request",
    "sse_create_request",
    "admin_advance",
    "admin_stream_release",
    "admin_clock_advance",
    "admin_webhook_faults",
    "admin_account",
    "admin_state",
)


class MockService(
    ReplayOperations,
    SseOperations,
    StreamControlOperations,
    AccountOperations,
    ListOperations,
    EventOperations,
):
    """Everything one running mock knows and does; a web app keeps one in ``app.extensions``."""

    def __init__(self, settings: Settings, clock: Clock | None = None, user_agent: str | None = None) -> None:
        self.settings = settings
        self.generator = Generator(parse_credit_rates(settings.credit_rates))
        self.replay: ReplayBook | None = None
        self.background = Background(per_account=settings.generation_queue)
        self.storage = open_storage(settings, self._finish, clock)
        self.clock: Clock = self.storage.clock
        self.store: JobRepository = self.storage.jobs
        self.ids = self.storage.ids
        self.scheduler = Scheduler(self.store, self.clock)
        self.store.on_ready = self.scheduler.wake
        self.webhooks = Dispatcher(settings, self.clock, user_agent or f"creatify-mock/{mock_version()}")
        self.journal: Journal = self.storage.journal
        self.accounts = self.storage.balances  # a finished job's cost is taken by the store itself
        #: Sync calls and streams sleep here until their job moves; the book tracks open streams.
        self.waiters = Waiters()
        self.store.listeners.append(self.waiters.on_transition)
        self.streams: StreamBook = self.storage.streams
        self._closing = threading.Event()
        # Balances must drop when a job ends, read or not: watch jobs of accounts that have a balance.
        self.store.watch = lambda job: (
            job.webhook_url is not None or self.accounts.get(job.account) is not None
        )
        self.limiter = self.storage.rate
        #: Called by reset(): the journal, balances and rate buckets start afresh too.
        hooks = [
            self.journal.clear,
            self.accounts.reset,
            self.limiter.reset,
            self.background.close,  # queued generations of forgotten jobs are dropped
        ]
        self.reset_hooks: list[Callable[[], object]] = list(hooks)
        # Webhook events: queued here (memory), or through the shared store's stream (one process sends each).
        self.shared = share(self) if self.storage.shared else None
        if self.shared is None:
            self.store.listeners.append(self.webhooks.on_transition)
        self.scenarios: ScenarioBook = self.storage.scenarios
        self._startup_scenarios: tuple[list[Any], str] = ([], "startup")
        self._validators = {name: RequestValidator(name) for name in VALIDATED_BODIES}
        self._init_events()

    # -- running -------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start background work (the scheduler); servers call this, and a watched job starts it too."""
        self._closing.clear()
        self.scenarios.started()
        if self.shared is not None:  # again after a close (MockServer stop, then start)
            self.shared.start()
        self.scheduler.start()

    def close(self) -> None:
        if self.shared is not None:
            self.shared.close()
        self.stop_waiting()
        self.scheduler.stop()
        self.background.close()
        self.webhooks.close()
        self.storage.close()

    @property
    def background_error(self) -> BaseException | None:
        """The first error a background thread (scheduler, generation, webhooks) hit, for tests to re-raise."""
        return self.scheduler.error or self.background.error or self.webhooks.error

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "version": mock_version(),
            "timing": self.settings.timing,
            "jobs": len(self.store),
            "now": self.now(),
        }

    def now(self) -> str:
        """The mock's clock as the API shows times."""
        return isoformat(self.clock.now_us())

    # -- requests ------------------------------------------------------------------------------------------
    def body_errors(self, schema: str, body: Any) -> dict[str, Any] | None:
        """None when ``body`` is valid against ``schema`` (one of VALIDATED_BODIES), else a DRF error body.

        The create body also gets Gemini's ranges when ``--strict-ranges`` is on."""
        errors = self._validators[schema].errors(body, self.settings.max_errors_listed)
        if errors is None and schema.endswith("create_request") and self.settings.strict_ranges:
            errors = ranges.drf_errors(body.get("config") or {})
        return errors

    def clean_create(self, body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """A valid create body as DRF's validated_data, and its webhook URL (kept apart from the request)."""
        cleaned = self._validators["create_request"].clean(body)
        return cleaned, cleaned.pop("webhook_url", None)

    def throttle(self, account: str) -> float:
        """Take one request from the account's rate budget: 0 when allowed, else seconds to wait."""
        return self.limiter.acquire(account)

    def may_create(self, account: str) -> bool:
        """False when the account has a balance and it is used up (jobs that ended unread counted first)."""
        if self.accounts.get(account) is None:
            return True
        self.store.tick(self.clock.now_us())
        return not self.accounts.exhausted(account)

    def insufficient_credits(self) -> tuple[int, Any]:
        """The status and body that answer a create of an exhausted account."""
        return self.accounts.error_status, self.accounts.error_body

    # -- jobs ----------------------------------------------------------------------------------------------
    def create(
        self, account: str, request: dict[str, Any], webhook_url: str | None, rule: Rule | None = None
    ) -> dict[str, Any]:
        """Store a new pending job for ``account``; ``request`` is the cleaned, validated body; a scenario
        ``rule`` may decide its outcome and timing."""
        return self._add(self._new_job(account, request, webhook_url, rule))

    def _new_job(
        self,
        account: str,
        request: dict[str, Any],
        webhook_url: str | None,
        rule: Rule | None,
        family: Family = Family.API,
    ) -> Job:
        now = self.clock.now_us()
        timing = timing_for(self.settings, rule)
        seeded = self.settings.seed is not None

        def draw(rng: random.Random) -> tuple[str, Schedule]:
            bits = rng.getrandbits(128) if seeded else int.from_bytes(os.urandom(16), "big")
            job_id = uuid4_text(bits)
            return job_id, plan(timing, now, rng)

        seq, (job_id, schedule) = self.ids.allocate(draw)
        request.setdefault("config", {})
        job = Job(job_id, account, seq, request, webhook_url, now, schedule, family=family)
        job.rule_id = rule.id if rule is not None else None
        if rule is not None and ("outcome" in rule.spec or rule.forced is not None):
            job.forced = scenario_outcome(self.generator, rule, request, account)
        return job

    def _add(self, job: Job) -> dict[str, Any]:
        """Store a new job (and wake the scheduler when it must move unread); its view at creation."""
        view = self.store.add(job)
        self._published_create(job, view)
        if self.store.watch(job):
            self.scheduler.start()
            self.scheduler.wake()
        return view

    def get(self, account: str | None, job_id: str) -> dict[str, Any] | None:
        return self.store.get(job_id, self.clock.now_us(), account)

    def advance(
        self,
        job_id: str,
        status: JobStatus | None = None,
        response_text: str | None = None,
        failed_reason: str | None = None,
    ) -> dict[str, Any]:
        """Move a job now (one step, or straight to ``status``); KeyError if unknown, Conflict if terminal."""
        forced: Outcome | None = None
        streamed = self.streams.get(job_id)
        if status is JobStatus.FAILED:
            forced = Outcome(JobStatus.FAILED, failed_reason=failed_reason or ADMIN_FAILED_REASON)
        elif status is JobStatus.DONE and (streamed is None or response_text is not None):
            if streamed is not None and not (response_text or "").startswith(streamed.sent_text):
                raise Conflict(
                    f"job {job_id} is being streamed and has sent {streamed.sent_text!r} already: "
                    "a response_text must start with it"
                )
            forced = self.generator.done(
                self.store.request_of(job_id), response_text, budget=self.settings.generation_budget
            )
        # A streamed job moved to done without a text keeps the outcome its stream is sending.
        try:
            return self.store.advance(job_id, self.clock.now_us(), status, forced)
        except Conflict as exc:
            if self.settings.timing != "instant":
                raise
            raise Conflict(f"{exc}. {INSTANT_HINT}") from None

    def advance_clock(self, seconds: float) -> str:
        """Move the clock (every timing mode), apply the transitions it crosses at once; the new time."""
        self.clock.advance(seconds)
        self.store.tick(self.clock.now_us())
        self.waiters.notify_all()
        self.storage.bus.publish("all")
        self.events.publish("clock.moved", {"seconds": seconds, "now": self.now()})
        return self.now()

    def reset(self) -> None:
        """Forget every job and webhook delivery, restore the startup scenarios, restart the seeded sequence.

        What the forgotten jobs held goes back to the system only when there were many of them: a full garbage
        collection costs ~100 ms in a large process (a test suite resetting the mock before every test would pay
        it each time), and a few hundred jobs' pages are not worth it.
        """
        forgotten = len(self.store)
        self.store.reset()
        self.streams.clear()
        self.waiters.notify_all()  # open streams and sync calls of forgotten jobs end
        self.webhooks.reset()
        self.scenarios.replace(*self._startup_scenarios)
        for hook in self.reset_hooks:
            hook()
        self.ids.reset()
        self.storage.bus.publish("reset")
        if forgotten >= RELEASE_MEMORY_AFTER_JOBS:
            release_memory()

    # -- internals -----------------------------------------------------------------------------------------
    def _finish(self, job: Job, blocking: bool) -> Outcome | None:
        """The job's outcome, or None when a background worker finishes it (``JobStore.deliver``)."""
        return self.background.prepare(
            self.generator,
            job.request,
            self.settings.generation_budget,
            blocking,
            lambda outcome: self.store.deliver(job, outcome),
            job.account,
        )
