"""The shipped suite against the mock behind a proxy: accepting a documented-invalid request or dropping webhooks
fails it; answering invalid bodies with 422 instead of 400 is an allowed variation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract_proxy import Rewrite, on, run_suite, upstream

pytestmark = pytest.mark.slow  # the shipped suite against real servers: `make test` runs it

pytest_plugins = ["pytester"]
__all__ = ["run_suite", "upstream"]  # fixtures used by the tests below


def _accepting(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Rewrite:
    """A request rewrite that repairs one documented violation before the mock sees it: the target accepts it."""

    def rewrite(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        return headers, change(body) if isinstance(body, dict) else body

    return rewrite


def _role_to_user(body: dict[str, Any]) -> dict[str, Any]:
    messages = body.get("messages")
    if isinstance(messages, list):
        body["messages"] = [
            {**m, "role": "user"} if isinstance(m, dict) and m.get("role") == "assistant" else m
            for m in messages
        ]
    return body


def _truncate_name(body: dict[str, Any]) -> dict[str, Any]:
    if isinstance(body.get("model_name"), str):
        body["model_name"] = body["model_name"][:255]
    return body


@pytest.mark.parametrize(
    ("select", "rewrite"),
    [("role_not_user", _accepting(_role_to_user)), ("over_maxLength", _accepting(_truncate_name))],
    ids=["accepts-role-assistant", "accepts-256-char-model-name"],
)
def test_a_target_accepting_a_documented_invalid_request_fails(
    run_suite: Callable[..., pytest.RunResult], select: str, rewrite: Rewrite
) -> None:
    result = run_suite(
        "test_create", "-k", f"documented_invalid_request_is_refused and {select}", rewrite=rewrite
    )
    result.assert_outcomes(failed=1)
    assert "[invalid request refused]" in result.stdout.str()


def test_a_422_for_invalid_bodies_is_an_allowed_variation(run_suite: Callable[..., pytest.RunResult]) -> None:
    result = run_suite(
        "test_create", "-k", "refused", mutate=on("POST", "/", lambda s, b: (422 if s == 400 else s, b))
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()


def test_missing_webhooks_fail_when_the_receiver_is_reachable(
    run_suite: Callable[..., pytest.RunResult],
) -> None:
    def no_webhooks(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        if isinstance(body, dict) and "webhook_url" in body:
            body = {k: v for k, v in body.items() if k != "webhook_url"}
        return headers, body

    fast = ("--contract-poll-timeout", "1")
    result = run_suite("test_webhooks", "-k", "a_job_gets", *fast, rewrite=no_webhooks)
    result.assert_outcomes(failed=1)
    assert "[webhook delivered]" in result.stdout.str()
