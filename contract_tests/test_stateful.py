"""A stateful test: create, read, list and wait in any order, against a model of what the server must hold.

The model keeps, per job, the body sent and the furthest status seen; invariants: statuses only move forward,
a terminal job never changes, and the list agrees with the reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from .checks import check_status
from .checks_job import STATUSES, TERMINAL, check_echo, check_terminal_stable, check_transition
from .checks_list import check_list_holds
from .client import ContractClient
from .polling import PollResult
from .profiles import contract_settings
from .rules import covers
from .strategies import create_requests

MAX_JOBS_PER_RUN = 4


MIN_JOBS = 3  # the machine needs a few creates to exercise reads, lists and waits


@dataclass
class Seen:
    sent: dict[str, Any]
    job: dict[str, Any]
    history: list[str] = field(default_factory=list)


class JobMachine(RuleBasedStateMachine):
    """Drives one account; ``has_list`` is False when the target has no list endpoint."""

    jobs = Bundle("jobs")

    def __init__(
        self, client: ContractClient, wait: Callable[..., PollResult], has_list: bool, allowance: int
    ) -> None:
        super().__init__()
        self.client, self.wait, self.has_list, self.allowance = client, wait, has_list, allowance
        self.model: dict[str, Seen] = {}

    def _budget_left(self) -> bool:
        """Each machine gets a fixed share of the budget up front: a precondition on the shared budget would
        change between hypothesis runs (flaky), and a machine with nothing left could make no progress."""
        return len(self.model) < self.allowance

    def _update(self, job: dict[str, Any]) -> None:
        seen = self.model[job["id"]]
        check_transition(str(seen.job.get("status")), str(job.get("status")), job["id"])
        if seen.job.get("status") in TERMINAL:
            check_terminal_stable(seen.job, job)
        check_echo(seen.sent, job)
        seen.job = job
        seen.history.append(str(job.get("status")))

    @precondition(_budget_left)
    @rule(target=jobs, body=create_requests(with_config=False))
    def create(self, body: dict[str, Any]) -> str:
        job = self.client.create(body)
        self.model[job["id"]] = Seen(body, job, [str(job["status"])])
        return str(job["id"])

    @rule(job_id=jobs)
    def read(self, job_id: str) -> None:
        self._update(self.client.read(job_id)[0])

    @precondition(lambda self: self.has_list and bool(self.model))
    @rule(data=st.data())
    def list(self, data: st.DataObject) -> None:
        ids = data.draw(st.sampled_from([None, sorted(self.model)]))
        exchange = self.client.list(ids)
        check_status(exchange, 200, "list")
        check_list_holds(exchange.body, list(self.model), exchange)
        for job in exchange.body:
            if job.get("id") in self.model:
                self._update(job)

    @rule(job_id=jobs)
    def wait_for_end(self, job_id: str) -> None:
        seen = self.model[job_id]
        if seen.job.get("status") not in TERMINAL:
            self._update(self.wait(seen.job, seen.sent).job)

    @invariant()
    def statuses_are_known(self) -> None:
        for seen in self.model.values():
            assert seen.job.get("status") in STATUSES, seen.job


@pytest.mark.contract("stateful")
@covers("api.lifecycle", "api.create.echo", "api.list")
@pytest.mark.contract_variety
def test_jobs_state_machine(
    contract_client: ContractClient, contract_wait: Callable[..., PollResult]
) -> None:
    remaining = contract_client.budget.remaining
    if remaining is not None and remaining < MIN_JOBS:
        pytest.skip(f"job budget too small for the state machine ({remaining} left, needs {MIN_JOBS})")
    has_list = contract_client.send("GET", "/api/text_generator/", kind="job_list").status not in (404, 405)
    settings = contract_settings(max_examples=6, stateful_step_count=8)
    machines = max(1, settings.max_examples)
    allowance = MAX_JOBS_PER_RUN if remaining is None else min(MAX_JOBS_PER_RUN, remaining // machines)
    if allowance == 0:  # fewer jobs than machines: fewer machines of one job each
        settings, allowance = contract_settings(max_examples=remaining, stateful_step_count=8), 1

    class BoundMachine(JobMachine):
        def __init__(self) -> None:
            super().__init__(contract_client, contract_wait, has_list, allowance)

    run_state_machine_as_test(BoundMachine, settings=settings)
