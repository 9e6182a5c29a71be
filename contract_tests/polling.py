"""Polling a job to its end while checking every read: echo, forward-only transitions, a stable terminal state.

Polling is how the documentation says to follow a job, so it is also where the lifecycle is observed; the times
at which each status was first seen go to the report (they calibrate the mock's timings).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .checks_job import (
    TERMINAL,
    check_echo,
    check_finished,
    check_terminal_fields,
    check_terminal_stable,
    check_transition,
)
from .client import ContractClient

STABLE_READS = 2  # extra reads of a terminal job, to see that it does not change


@dataclass
class PollResult:
    """The reads of one job: (seconds since polling started, status) per read, and the last job seen."""

    job: dict[str, Any]
    history: list[tuple[float, str]] = field(default_factory=list)

    @property
    def statuses(self) -> list[str]:
        return [s for _, s in self.history]

    def first_seen(self) -> dict[str, float]:
        seen: dict[str, float] = {}
        for at, status in self.history:
            seen.setdefault(status, round(at, 3))
        return seen


def wait_terminal(
    client: ContractClient,
    created: Mapping[str, Any],
    sent: Mapping[str, Any],
    *,
    interval: float,
    timeout: float,
    stable_reads: int = STABLE_READS,
) -> PollResult:
    """Poll until done/failed (bounded by ``timeout``), checking each read; then re-read to check stability."""
    __tracebackhide__ = True
    job_id = str(created["id"])
    start = time.monotonic()
    result = PollResult(dict(created), [(0.0, str(created.get("status")))])
    deadline = start + timeout
    while result.statuses[-1] not in TERMINAL and time.monotonic() < deadline:
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        job, exchange = client.read(job_id)
        check_echo(sent, job, exchange)
        check_transition(result.statuses[-1], str(job.get("status")), job_id, exchange)
        result.job = job
        result.history.append((time.monotonic() - start, str(job.get("status"))))
    check_finished(result.statuses, timeout, job_id)
    check_terminal_fields(result.job)
    for _ in range(stable_reads):
        again, exchange = client.read(job_id)
        check_terminal_stable(result.job, again, exchange)
    client.report.observe("transition_seconds_first_seen", result.first_seen())
    return result
