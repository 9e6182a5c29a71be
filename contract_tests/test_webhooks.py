"""Webhooks: every job with a ``webhook_url`` gets POSTs with its id and a valid status, ending with the terminal
state the GET shows; non-ASCII content survives. Skipped when the target delivers no webhook to the receiver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given

from .checks_list import check_webhook_event, check_webhook_events, check_webhook_unicode
from .client import ContractClient
from .config import ContractConfig
from .polling import PollResult
from .profiles import contract_settings
from .receiver import WebhookReceiver
from .report import Report
from .strategies import create_requests, unicode_text

pytestmark = pytest.mark.contract("webhooks")


def _run(
    client: ContractClient,
    wait: Callable[..., PollResult],
    receiver: WebhookReceiver,
    report: Report,
    body: dict[str, Any],
    timeout: float,
) -> None:
    __tracebackhide__ = True
    job = client.create(body)
    final = wait(job, body).job
    events = receiver.wait(body["webhook_url"], until_terminal=True, timeout=timeout)
    payloads = [e.body for e in events]
    for event in events:
        check_webhook_event(job["id"], event.headers, event.body)
        report.observe("webhook_header_names", sorted(h.lower() for h in event.headers))
        if isinstance(event.body, dict):
            report.observe("webhook_payload_keys", sorted(event.body))
    report.observe("webhook_statuses", [p.get("status") if isinstance(p, dict) else None for p in payloads])
    check_webhook_events(job["id"], payloads, final)
    for payload in payloads:
        if isinstance(payload, dict):
            check_webhook_unicode(body["messages"], payload)


@contract_settings(max_examples=5)
@given(data=create_requests(with_config=False))
def test_every_job_gets_its_events(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_webhooks: WebhookReceiver,
    contract_report: Report,
    contract_config: ContractConfig,
    data: dict[str, Any],
) -> None:
    body = {**data, "webhook_url": contract_webhooks.url_for()}
    _run(
        contract_client, contract_wait, contract_webhooks, contract_report, body, contract_config.poll_timeout
    )


@contract_settings(max_examples=3)
@given(text=unicode_text())
def test_unicode_content_round_trips(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_webhooks: WebhookReceiver,
    contract_report: Report,
    contract_config: ContractConfig,
    text: str,
) -> None:
    body = {
        "model_name": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": text}],
        "webhook_url": contract_webhooks.url_for(),
    }
    _run(
        contract_client, contract_wait, contract_webhooks, contract_report, body, contract_config.poll_timeout
    )


def test_failed_job_gets_a_failed_event(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_webhooks: WebhookReceiver,
    contract_report: Report,
    contract_config: ContractConfig,
    contract_failing_request: dict[str, Any],
) -> None:
    body = {**contract_failing_request, "webhook_url": contract_webhooks.url_for()}
    _run(
        contract_client, contract_wait, contract_webhooks, contract_report, body, contract_config.poll_timeout
    )
