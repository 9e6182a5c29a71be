"""The plugin's fixtures: the target (embedded mock or a base URL), checked clients, the webhook receiver.

All are session-scoped: hypothesis runs many examples per test and function-scoped fixtures would not be reset
between them; the suite never depends on a clean server, only on the jobs it created itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from .client import Budget, ContractClient
from .config import CONFIG_KEY, EMBEDDED_ACCOUNTS, REPORT_KEY, ContractConfig
from .polling import PollResult, wait_terminal
from .receiver import WebhookReceiver
from .report import Report

if TYPE_CHECKING:
    from mockserver.testing import MockServer

LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: The embedded mock's phases: short enough for a fast suite, long enough that polls see ``running``.
EMBEDDED_TIMING: dict[str, Any] = {"timing": "realtime", "pending_seconds": 0.05, "running_seconds": 0.1}
WEBHOOK_GRACE = (2.0, 30.0)  # seconds to wait for a first webhook after the job ended: (embedded, remote)


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
def contract_budget(contract_config: ContractConfig) -> Budget:
    return Budget(contract_config.max_jobs)


def _client(target: Target, api_id: str, api_key: str, budget: Budget, report: Report) -> ContractClient:
    return ContractClient(target.base_url, api_id, api_key, budget=budget, report=report)


@pytest.fixture(scope="session")
def contract_client(
    contract_target: Target, contract_config: ContractConfig, contract_budget: Budget, contract_report: Report
) -> Iterator[ContractClient]:
    """A client with the main account's credentials; checks every response."""
    if not contract_config.api_id or not contract_config.api_key:
        pytest.skip(
            "no credentials: give --contract-api-id/--contract-api-key (or CREATIFY_API_ID/CREATIFY_API_KEY)"
        )
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


@pytest.fixture(scope="session")
def contract_receiver(contract_config: ContractConfig, contract_target: Target) -> Iterator[WebhookReceiver]:
    """The webhook sink; skips when a remote target could not reach it."""
    host = urlsplit(contract_target.base_url).hostname or ""
    if not contract_config.webhook_public_url and host not in LOOPBACK:
        pytest.skip(
            f"the target {host} cannot reach a receiver on {contract_config.webhook_host}: "
            "give --contract-webhook-public-url (a tunnel to the receiver)"
        )
    with WebhookReceiver(contract_config.webhook_host, contract_config.webhook_public_url) as receiver:
        yield receiver


@pytest.fixture(scope="session")
def contract_webhooks(
    contract_receiver: WebhookReceiver,
    contract_client: ContractClient,
    contract_config: ContractConfig,
    contract_wait: Callable[..., PollResult],
    contract_report: Report,
) -> WebhookReceiver:
    """The receiver, once a probe job proved the target delivers webhooks to it (else skip, or fail if required)."""
    body: dict[str, Any] = {
        "model_name": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": "Webhook probe"}],
        "webhook_url": contract_receiver.url_for(),
    }
    job = contract_client.create(body)
    contract_wait(job, body)
    grace = min(contract_config.poll_timeout, WEBHOOK_GRACE[0 if contract_config.embedded else 1])
    start = time.monotonic()
    events = contract_receiver.wait(body["webhook_url"], until_terminal=False, timeout=grace)
    contract_report.observe(
        "webhook_probe", {"events": len(events), "waited_s": round(time.monotonic() - start, 3)}
    )
    if not events:
        message = f"target delivered no webhook for probe job {job['id']} within {grace:g} s after it ended"
        if contract_config.require_webhooks:
            pytest.fail(message)
        pytest.skip(message)
    return contract_receiver
