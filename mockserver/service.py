"""MockService: the mock's core operations (create, read, list, admin moves) over store, clock and generator.

No Flask here: views parse and serialize; this module decides.
"""

from __future__ import annotations

import random
import threading
import uuid
from typing import Any

from .clock import Clock, FrozenClock, SystemClock
from .generation import Generator
from .lifecycle import plan
from .models import Job, JobStatus, Outcome
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
        self.store = JobStore(self._finish)
        self._rng_lock = threading.Lock()
        self._seq = 0
        self._rng = random.Random(settings.seed)
        self.scheduler = Scheduler(self.store, self.clock)
        self.webhooks = Dispatcher(settings, self.clock, user_agent)
        self.store.listeners.append(self.webhooks.on_transition)

    def start(self) -> None:
        """Start background work (the scheduler); servers call this, and a webhook job starts it too."""
        self.scheduler.start()

    def close(self) -> None:
        self.scheduler.stop()
        self.webhooks.close()

    # -- API -----------------------------------------------------------------------------------------------
    def create(self, account: str, request: dict[str, Any], webhook_url: str | None) -> dict[str, Any]:
        """Store a new pending job for ``account``; ``request`` is the cleaned, validated body."""
        now = self.clock.now_us()
        with self._rng_lock:
            self._seq += 1
            seq = self._seq
            job_id = (
                str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
                if self._seeded
                else str(uuid.uuid4())
            )
            schedule = plan(self.settings, now, self._rng)
        request.setdefault("config", {})
        job = Job(job_id, account, seq, request, webhook_url, now, schedule)
        view = self.store.add(job)
        if webhook_url is not None:
            self.scheduler.start()
            self.scheduler.wake()
        return view

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
            request = self.store.request_of(job_id)
            natural = self.generator.outcome(request)
            text = response_text if response_text is not None else natural.response_text
            if text is None:  # the natural outcome was a failure: asked for done, so give plain text
                text = self.generator.text(0, None, [])
            credits = natural.credits_used or self.generator.credits(request, text)
            forced = Outcome(JobStatus.DONE, response_text=text, credits_used=credits)
        return self.store.advance(job_id, self.clock.now_us(), status, forced)

    def advance_clock(self, seconds: float) -> int:
        """Move the clock (every timing mode) and apply the transitions it crosses at once."""
        self.clock.advance(seconds)
        return self.store.tick(self.clock.now_us())

    def reset(self) -> None:
        """Forget every job and webhook delivery, and restart the seeded sequence."""
        self.store.reset()
        self.webhooks.reset()
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
