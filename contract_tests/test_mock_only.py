"""Mock-only: the embedded mock's own controls (admin API over HTTP, clock) keep the contract too.

Skipped on every other target; nothing else in the suite uses the mock's internals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import requests

from .checks import check_status
from .checks_job import check_terminal_fields, check_transition
from .client import ContractClient
from .rules import covers

if TYPE_CHECKING:
    from mockserver.testing import MockServer

pytestmark = [pytest.mark.mock_only, pytest.mark.contract("mock"), covers("api.lifecycle", "api.terminal")]
BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Admin me"}]}
TIMEOUT = 10
#: The mock's admin API refuses a state-changing call without a JSON content type (even with an empty body).
ADMIN = {"Content-Type": "application/json"}


def test_clock_advance_over_the_admin_api_finishes_a_job(
    contract_client: ContractClient, contract_mock: MockServer
) -> None:
    job = contract_client.create(BODY)
    answer = requests.post(
        f"{contract_mock.url}/__admin/clock/advance", json={"seconds": 60}, headers=ADMIN, timeout=TIMEOUT
    )
    assert answer.status_code == 200, answer.text
    done, _ = contract_client.read(job["id"])
    check_transition("pending", str(done["status"]), job["id"])
    check_terminal_fields(done)


def test_admin_advance_shows_running_then_failed() -> None:
    """With manual timing every step is observable through the public API: pending, running, failed."""
    from mockserver.testing import MockServer

    with MockServer(timing="manual", api_key=("admin-id:admin-key",), log_requests=False) as mock:
        client = ContractClient(mock.url, "admin-id", "admin-key")
        job = client.create(BODY)
        seen = ["pending"]
        for body in ({}, {"status": "failed", "failed_reason": "Stopped by the contract suite."}):
            answer = requests.post(
                f"{mock.url}/__admin/jobs/{job['id']}/advance", json=body, headers=ADMIN, timeout=TIMEOUT
            )
            assert answer.status_code == 200, answer.text
            now, exchange = client.read(job["id"])
            check_status(exchange, 200, "read")
            check_transition(seen[-1], str(now["status"]), job["id"], exchange)
            seen.append(str(now["status"]))
        assert seen == ["pending", "running", "failed"]
        check_terminal_fields(now)
        client.close()
