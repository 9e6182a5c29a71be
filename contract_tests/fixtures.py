"""The plugin's fixtures: the target (embedded mock or a base URL), checked clients, the webhook receiver.

Webhooks are required whenever they can arrive: the target is on this machine (so it reaches the receiver on a
loopback address) or ``--contract-webhook-public-url`` says where the receiver is exposed. Only a receiver the
target cannot reach skips the webhook tests, and that skip is listed in the summary.

All are session-scoped: hypothesis runs many examples per test and function-scoped fixtures would not be reset
between them; the suite never depends on a clean server, only on the jobs it created itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from .client import Budget, ContractClient
from .config import BUDGET_KEY, CONFIG_KEY, EMBEDDED_ACCOUNTS, LOOPBACK, REPORT_KEY, ContractConfig
from .polling import PollResult, wait_terminal
from .receiver import WebhookReceiver
from .report import Report
from .verdict import NO_CREDENTIALS

if TYPE_CHECKING:
    from mockserver.testing import MockServer

#: The embedded mock's phases: short enough for a fast suite, long enough that polls see ``running``.
EMBEDDED_TIMING: dict[str, Any] = {"timing": "realtime", "pending_seconds": 0.05, "running_seconds": 0.1}


#: Jobs kept back from variety tests so that observations of undocumented rules can still create a few.
OBSERVATION_RESERVE = 5


@dataclass
class Target:
    """What is being tested: its base URL, and the embedded mock when the suite started one."""

    base_url: str
    mock: MockServer | None


@pytest.fixture(scope="session")
def contract_config(pytestconfig: pytest.Config) -> ContractConfig:
    return pytestconfig.stash[CONFIG_KEY]


@pytest.fixture(scope="session")
def contract_report(pytestconfig: pytest.Config) -> Report:
    """Where tests note observations of undocumented behaviour (``contract_report.observe(key, value)``)."""
    return pytestconfig.stash[REPORT_KEY]


@pytest.fixture(scope="session")
def contract_target(contract_config: ContractConfig, contract_report: Report) -> Iterator[Target]:
    if contract_config.base_url is not None:
        contract_report.target = contract_config.base_url
        yield Target(contract_config.base_url, None)
        return
    from mockserver.testing import MockServer

    keys = tuple(f"{i}:{k}" for i, k in EMBEDDED_ACCOUNTS)
    with MockServer(api_key=keys, log_requests=False, **EMBEDDED_TIMING) as mock:
        contract_report.target = f"embedded mock {mock.url} ({EMBEDDED_TIMING})"
        yield Target(mock.url, mock)


@pytest.fixture(scope="session")
def contract_budget(
    pytestconfig: pytest.Config, contract_config: ContractConfig, contract_report: Report
) -> Iterator[Budget]:
    budget = Budget(contract_config.max_jobs, OBSERVATION_RESERVE)
    pytestconfig.stash[BUDGET_KEY] = budget
    yield budget
    contract_report.budget = {"limit": budget.limit, "used": budget.used}


def _client(target: Target, api_id: str, api_key: str, budget: Budget, report: Report) -> ContractClient:
    return ContractClient(target.base_url, api_id, api_key, budget=budget, report=report)


@pytest.fixture(scope="session")
def contract_client(
    contract_target: Target, contract_config: ContractConfig, contract_budget: Budget, contract_report: Report
) -> Iterator[ContractClient]:
    """A client with the main account's credentials; checks every response."""
    if not contract_config.api_id or not contract_config.api_key:
        pytest.skip(NO_CREDENTIALS)
    client = _client(
        contract_target, contract_config.api_id, contract_config.api_key, contract_budget, contract_report
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def contract_client_2(
    contract_target: Target, contract_config: ContractConfig, contract_budget: Budget, contract_report: Report
) -> Iterator[ContractClient]:
    """A client for a second account (isolation tests); skips without one."""
    if not contract_config.api_id_2 or not contract_config.api_key_2:
        pytest.skip("no second account: give --contract-api-id-2/--contract-api-key-2")
    client = _client(
        contract_target, contract_config.api_id_2, contract_config.api_key_2, contract_budget, contract_report
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def contract_wait(
    contract_client: ContractClient, contract_config: ContractConfig
) -> Callable[..., PollResult]:
    """``contract_wait(created_job, sent_body)``: poll to the end with the configured interval and timeout."""

    def wait(
        created: dict[str, Any], sent: dict[str, Any], client: ContractClient | None = None
    ) -> PollResult:
        __tracebackhide__ = True
        interval, timeout = contract_config.poll_interval, contract_config.poll_timeout
        return wait_terminal(client or contract_client, created, sent, interval=interval, timeout=timeout)

    return wait


@pytest.fixture(scope="session")
def contract_failing_request(contract_config: ContractConfig) -> dict[str, Any]:
    if contract_config.failing_request is None:
        pytest.skip("no request known to fail on this target: give --contract-failing-request FILE")
    return dict(contract_config.failing_request)


@pytest.fixture
def contract_mock(contract_target: Target) -> MockServer:
    """The embedded mock, for tests marked ``mock_only``; skips on any other target."""
    if contract_target.mock is None:
        pytest.skip("mock-only: the target is not the embedded mock")
    return contract_target.mock


def receiver_unreachable(config: ContractConfig, target: Target) -> str | None:
    """Why the target cannot deliver to a receiver on this machine, or None when it can."""
    host = urlsplit(target.base_url).hostname or ""
    if config.webhook_public_url or host in LOOPBACK:
        return None
    return (
        f"webhooks not checked: the target {host} cannot reach a receiver on this machine "
        "(give --contract-webhook-public-url, a tunnel to the receiver)"
    )


@pytest.fixture(scope="session")
def contract_receiver(contract_config: ContractConfig, contract_target: Target) -> Iterator[WebhookReceiver]:
    """The webhook sink; skips only when the target could not reach it (fails then with --contract-require-webhooks)."""
    problem = receiver_unreachable(contract_config, contract_target)
    if problem is not None:
        if contract_config.require_webhooks:
            pytest.fail(f"{problem}; --contract-require-webhooks is set", pytrace=False)
        pytest.skip(problem)
    with WebhookReceiver(contract_config.webhook_host, contract_config.webhook_public_url) as receiver:
        yield receiver


@pytest.fixture(scope="session")
def contract_webhooks(contract_receiver: WebhookReceiver) -> WebhookReceiver:
    """The receiver, for tests that require webhooks (kept as the name teams already use)."""
    return contract_receiver
