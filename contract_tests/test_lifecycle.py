"""Lifecycle: pending on create, forward-only transitions while polling, a stable and complete terminal state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given

from .checks import ContractViolation
from .client import ContractClient
from .polling import PollResult
from .profiles import contract_settings
from .rules import covers
from .strategies import create_requests

pytestmark = [pytest.mark.contract("lifecycle"), covers("api.lifecycle", "api.terminal")]
BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Write a tagline"}]}


def test_a_job_moves_forward_to_a_stable_end(
    contract_client: ContractClient, contract_wait: Callable[..., PollResult]
) -> None:
    result = contract_wait(contract_client.create(BODY), BODY)
    assert result.statuses[-1] in ("done", "failed")


@pytest.mark.contract_variety
@contract_settings(max_examples=6)
@given(body=create_requests(with_config=False))
def test_varied_jobs_move_forward_to_a_stable_end(
    contract_client: ContractClient, contract_wait: Callable[..., PollResult], body: dict[str, Any]
) -> None:
    result = contract_wait(contract_client.create(body), body)
    assert result.statuses[-1] in ("done", "failed")


def test_failing_request_ends_failed_with_a_reason(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_failing_request: dict[str, Any],
) -> None:
    result = contract_wait(contract_client.create(contract_failing_request), contract_failing_request)
    if result.job.get("status") != "failed":
        raise ContractViolation(
            "failed path", "status 'failed' for --contract-failing-request", result.statuses, None
        )
