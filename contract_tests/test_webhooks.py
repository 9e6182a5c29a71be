"""Webhooks: every job with a ``webhook_url`` gets JSON POSTs carrying its id and a valid status, ending with the
terminal state the GET shows; non-ASCII content survives.

Required whenever the target can reach the receiver (see fixtures.py): a target that sends nothing, or calls
with GET and no body, fails. Fixed examples first; hypothesis varies bodies on top.
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
from .rules import covers
from .strategies import UNICODE_SAMPLES, create_requests, unicode_text

pytestmark = [pytest.mark.contract("webhooks"), covers("api.webhook")]
WEBHOOK_GRACE = (2.0, 30.0)  # seconds a webhook may lag behind the terminal GET: (embedded, remote)
BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Write a tagline"}]}


def _run(
    client: ContractClient,
    wait: Callable[..., PollResult],
    receiver: WebhookReceiver,
    report: Report,
    config: ContractConfig,
    body: dict[str, Any],
) -> None:
    __tracebackhide__ = True
    body = {**body, "webhook_url": receiver.url_for()}
    job = client.create(body)
    final = wait(job, body).job
    grace = min(config.poll_timeout, WEBHOOK_GRACE[0 if config.embedded else 1])
    events = receiver.wait(body["webhook_url"], until_terminal=True, timeout=grace)
    for event in events:
        check_webhook_event(job["id"], event.headers, event.body, event.method)
        report.observe("webhook_header_names", sorted(h.lower() for h in event.headers))
        if isinstance(event.body, dict):
            report.observe("webhook_payload_keys", sorted(event.body))
    payloads = [e.body for e in events]
    report.observe("webhook_statuses", [p.get("status") if isinstance(p, dict) else None for p in payloads])
    check_webhook_events(job["id"], payloads, final)
    for payload in payloads:
        if isinstance(payload, dict):
            check_webhook_unicode(body["messages"], payload)


def test_a_job_gets_its_events(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_webhooks: WebhookReceiver,
    contract_report: Report,
    contract_config: ContractConfig,
) -> None:
    _run(contract_client, contract_wait, contract_webhooks, contract_report, contract_config, BODY)


def test_unicode_content_round_trips(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_webhooks: WebhookReceiver,
    contract_report: Report,
    contract_config: ContractConfig,
) -> None:
    body = {**BODY, "messages": [{"role": "user", "content": " ".join(UNICODE_SAMPLES)}]}
    _run(contract_client, contract_wait, contract_webhooks, contract_report, contract_config, body)


def test_failed_job_gets_a_failed_event(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_webhooks: WebhookReceiver,
    contract_report: Report,
    contract_config: ContractConfig,
    contract_failing_request: dict[str, Any],
) -> None:
    body = contract_failing_request
    _run(contract_client, contract_wait, contract_webhooks, contract_report, contract_config, body)


@pytest.mark.contract_variety
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
    _run(contract_client, contract_wait, contract_webhooks, contract_report, contract_config, data)


@pytest.mark.contract_variety
@contract_settings(max_examples=3)
@given(text=unicode_text())
def test_varied_unicode_content_round_trips(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_webhooks: WebhookReceiver,
    contract_report: Report,
    contract_config: ContractConfig,
    text: str,
) -> None:
    body = {**BODY, "messages": [{"role": "user", "content": text}]}
    _run(contract_client, contract_wait, contract_webhooks, contract_report, contract_config, body)
