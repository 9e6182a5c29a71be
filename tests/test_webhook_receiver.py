"""``WebhookReceiver`` and the ``webhook_receiver`` fixture: a real endpoint that records, verifies, fails on
demand and waits; the guide's example runs as a user's test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mockserver.config.settings import Settings
from mockserver.testing import LOOPBACK_HOSTS, MockServer, WebhookReceiver

from .conftest import API, TIMEOUT, valid_body
from .docs_examples import example

pytestmark = pytest.mark.slow  # real servers

FAST = Settings(
    port=0,
    log_requests=False,
    webhook_allow_hosts=LOOPBACK_HOSTS,
    timing="instant",
    webhook_events="terminal",
    webhook_backoff=0.01,
    webhook_timeout=0.5,
)


def _create(mock: MockServer, url: str) -> str:
    answer = requests.post(
        mock.url + API, json=valid_body(webhook_url=url), headers=mock.headers, timeout=TIMEOUT
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_records_a_signed_delivery_and_verifies_it() -> None:
    with WebhookReceiver(secret="k") as hooks, MockServer(FAST, webhook_secret="k") as mock:
        job_id = _create(mock, hooks.url)
        [call] = hooks.wait_for(1)
        assert call.signature_valid is True and call.answered == 200 and call.json()["id"] == job_id
        assert call.event == "done" and call.path == "/webhook"
        hooks.assert_signed()


def test_a_wrong_secret_is_answered_401_and_fails_assert_signed() -> None:
    with (
        WebhookReceiver(secret="other") as hooks,
        MockServer(FAST, webhook_secret="k", webhook_max_attempts=1) as mock,
    ):
        _create(mock, hooks.url)
        [call] = hooks.wait_for(1)
        assert call.signature_valid is False and call.answered == 401
        with pytest.raises(AssertionError, match="without a valid signature"):
            hooks.assert_signed()
        assert hooks.events() == []


def test_fails_on_demand_status_delay_and_drop_then_the_retry_lands() -> None:
    with WebhookReceiver() as hooks, MockServer(FAST) as mock:
        hooks.fail(500)
        hooks.fail(200, delay=2.0)  # longer than the mock's 0.5 s timeout: that attempt times out
        hooks.fail(drop=True)
        _create(mock, hooks.url)
        calls = hooks.wait_for(4)
        assert [c.answered for c in calls] == [500, 200, None, 200]
        assert len({c.delivery_id for c in calls}) == 1
        assert len(hooks.events(unique=True)) == 1
        assert [d["state"] for d in mock.wait_for_webhooks(count=1)] == ["delivered"]


def test_wait_for_times_out_saying_what_arrived() -> None:
    with WebhookReceiver() as hooks, pytest.raises(TimeoutError, match="got 0"):
        hooks.wait_for(1, timeout=0.1)


def test_url_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = WebhookReceiver().url


def test_the_guides_example_runs_as_a_users_test(tmp_path: Path) -> None:
    (tmp_path / "test_docs_webhooks.py").write_text(example("webhook-receiver"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout
