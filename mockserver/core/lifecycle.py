"""Pure lifecycle rules: given a job's schedule and the time, which transitions are due."""

from __future__ import annotations

import itertools
import random
from collections.abc import Collection

from mockserver.config.settings import Settings
from mockserver.core.clock import to_us
from mockserver.core.models import Job, JobStatus, Schedule


def plan(settings: Settings, created_at: int, rng: random.Random) -> Schedule:
    """The schedule of a new job under the timing mode; jitter adds a seeded 0..jitter seconds to each phase."""
    if settings.timing == "manual":
        return Schedule(None, None)
    if settings.timing == "instant":
        return Schedule(created_at, created_at)
    pending = settings.pending_seconds + (rng.uniform(0, settings.jitter) if settings.jitter else 0.0)
    running = settings.running_seconds + (rng.uniform(0, settings.jitter) if settings.jitter else 0.0)
    running_at = created_at + to_us(pending)
    return Schedule(running_at, running_at + to_us(running))


def due(job: Job, now_us: int) -> list[tuple[str, int]]:
    """Transitions the clock has crossed and the job has not yet taken: ``("running"|"finish", at_us)``."""
    steps: list[tuple[str, int]] = []
    if job.status.terminal:
        return steps
    sched = job.schedule
    if job.status is JobStatus.PENDING and sched.running_at is not None and sched.running_at <= now_us:
        steps.append(("running", sched.running_at))
    if sched.finish_at is not None and sched.finish_at <= now_us:
        steps.append(("finish", sched.finish_at))
    return steps


def next_due(job: Job) -> int | None:
    """When the job's next scheduled transition happens, if any."""
    if job.status.terminal:
        return None
    if job.status is JobStatus.PENDING and job.schedule.running_at is not None:
        return job.schedule.running_at
    return job.schedule.finish_at


def is_terminal_at(job: Job, now_us: int) -> bool:
    """Whether the job is (or by the clock has become) done or failed, without computing its outcome."""
    return job.status.terminal or (job.schedule.finish_at is not None and job.schedule.finish_at <= now_us)


def eviction_victims(jobs: Collection[Job], batch: int, now_us: int) -> list[Job]:
    """Which ``batch`` jobs a full store drops: the oldest terminal ones (``jobs`` is oldest first), then the
    oldest of the rest. The scan stops at the batch: a scan of every job (100,000) was the p99 of creates."""
    terminal = (j for j in jobs if is_terminal_at(j, now_us))
    victims = list(itertools.islice(terminal, batch))
    if len(victims) < batch:
        chosen = {j.id for j in victims}
        victims += [j for j in jobs if j.id not in chosen][: batch - len(victims)]
    return victims
