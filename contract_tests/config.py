"""The contract plugin's options: each a ``--contract-*`` flag and an environment variable, resolved once.

Defaults depend on the target: the embedded mock is fast and free (short polls, no job budget), a remote target
is slow and costs credits (half-second polls, two-minute timeout, 30 jobs). A target on this machine (a CLI mock, a
team's own fake) costs nothing either: it gets no job budget by default, so every test runs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .report import Report

#: (option, environment variable, help). Every value is a string until ``ContractConfig.from_pytest`` types it.
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--contract-base-url", "CONTRACT_BASE_URL", "server to test (default: start the embedded mock)"),
    ("--contract-api-id", "CREATIFY_API_ID", "X-API-ID of the account used"),
    ("--contract-api-key", "CREATIFY_API_KEY", "X-API-KEY of the account used"),
    ("--contract-api-id-2", "CREATIFY_API_ID_2", "a second account, for isolation tests (skipped without)"),
    ("--contract-api-key-2", "CREATIFY_API_KEY_2", "the second account's key"),
    ("--contract-failing-request", "CONTRACT_FAILING_REQUEST", "JSON file: a body the target ends 'failed'"),
    ("--contract-poll-interval", "CONTRACT_POLL_INTERVAL", "seconds between polls (0.02 mock, 0.5 remote)"),
    (
        "--contract-poll-timeout",
        "CONTRACT_POLL_TIMEOUT",
        "seconds a job may take to finish (10 mock, 120 remote)",
    ),
    (
        "--contract-max-jobs",
        "CONTRACT_MAX_JOBS",
        "jobs the run may create (default: 30 for a remote target; unbounded for the embedded mock and a target "
        "on this machine)",
    ),
    (
        "--contract-webhook-host",
        "CONTRACT_WEBHOOK_HOST",
        "interface the webhook receiver listens on (127.0.0.1)",
    ),
    (
        "--contract-webhook-public-url",
        "CONTRACT_WEBHOOK_PUBLIC_URL",
        "URL the target is given for the receiver",
    ),
    (
        "--contract-require-webhooks",
        "CONTRACT_REQUIRE_WEBHOOKS",
        "fail (not skip) the webhook tests even when the target cannot reach the receiver",
    ),
    (
        "--contract-allow-skips",
        "CONTRACT_ALLOW_SKIPS",
        "exit 0 even when no contract check ran (all skipped)",
    ),
    (
        "--contract-judge-upstream",
        "CONTRACT_JUDGE_UPSTREAM",
        "fail (not only report) deviations from upstream Gemini behaviour the /sse/ family passes through",
    ),
    ("--contract-report", "CONTRACT_REPORT", "write the conformance report (JSON) to this file"),
    ("--contract-profile", "CONTRACT_PROFILE", "hypothesis profile: mock or live (default by target)"),
)
#: Options that take no value on the command line (their environment variable takes 1/true/yes/on).
FLAGS = frozenset({"--contract-require-webhooks", "--contract-allow-skips", "--contract-judge-upstream"})
#: Hosts that are this machine: a target there costs no credits (and can reach the webhook receiver).
LOOPBACK = ("127.0.0.1", "localhost", "::1")
REMOTE_MAX_JOBS = 30
CONFIG_KEY = pytest.StashKey["ContractConfig"]()
REPORT_KEY = pytest.StashKey[Report]()
BUDGET_KEY = pytest.StashKey[Any]()  # the run's client.Budget, once a test asked for it
EMBEDDED_ACCOUNTS = (("contract-id", "contract-key"), ("contract-id-2", "contract-key-2"))
#: Ends ``failed`` on the embedded mock: temperature outside Gemini's 0-2 range.
EMBEDDED_FAILING_REQUEST: dict[str, Any] = {
    "model_name": "gemini-2.5-flash",
    "messages": [{"role": "user", "content": "Write a tagline"}],
    "config": {"temperature": 3.5},
}


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "Creatify text generation API contract tests")
    for flag, env, text in OPTIONS:
        if flag in FLAGS:
            group.addoption(
                flag, dest=_dest(flag), action="store_const", const="1", help=f"{text} [env {env}=1]"
            )
        else:
            group.addoption(flag, dest=_dest(flag), default=None, help=f"{text} [env {env}]")


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def config_error(message: str) -> pytest.UsageError:
    """An option has a value the kit cannot use; the message names the option and what is accepted."""
    return pytest.UsageError(message)


@dataclass(frozen=True)
class ContractConfig:
    base_url: str | None
    api_id: str
    api_key: str
    api_id_2: str | None
    api_key_2: str | None
    failing_request: dict[str, Any] | None
    poll_interval: float
    poll_timeout: float
    max_jobs: int | None
    webhook_host: str
    webhook_public_url: str | None
    require_webhooks: bool
    allow_skips: bool
    judge_upstream: bool
    report: str | None
    profile: str

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def local(self) -> bool:
        """The target runs on this machine (the embedded mock or a loopback URL): free, and it reaches us."""
        return self.base_url is None or is_loopback(self.base_url)

    @classmethod
    def from_pytest(cls, config: pytest.Config) -> ContractConfig:
        raw = {_dest(flag): _value(config, flag, env) for flag, env, _ in OPTIONS}
        embedded = not raw["contract_base_url"]
        if embedded:
            (id1, key1), (id2, key2) = EMBEDDED_ACCOUNTS
        else:
            id1, key1 = raw["contract_api_id"] or "", raw["contract_api_key"] or ""
            id2, key2 = raw["contract_api_id_2"] or "", raw["contract_api_key_2"] or ""
        failing = _load_json(raw["contract_failing_request"]) if raw["contract_failing_request"] else None
        max_jobs = raw["contract_max_jobs"]
        return cls(
            base_url=None if embedded else str(raw["contract_base_url"]).rstrip("/"),
            api_id=id1,
            api_key=key1,
            api_id_2=id2 or None,
            api_key_2=key2 or None,
            failing_request=failing
            if failing is not None
            else (EMBEDDED_FAILING_REQUEST if embedded else None),
            poll_interval=_number(
                "--contract-poll-interval", raw["contract_poll_interval"], 0.02 if embedded else 0.5
            ),
            poll_timeout=_number(
                "--contract-poll-timeout", raw["contract_poll_timeout"], 10.0 if embedded else 120.0
            ),
            max_jobs=_max_jobs(max_jobs, raw["contract_base_url"]),
            webhook_host=raw["contract_webhook_host"] or "127.0.0.1",
            webhook_public_url=raw["contract_webhook_public_url"] or None,
            require_webhooks=_flag(raw["contract_require_webhooks"]),
            allow_skips=_flag(raw["contract_allow_skips"]),
            judge_upstream=_flag(raw["contract_judge_upstream"]),
            report=raw["contract_report"] or None,
            profile=raw["contract_profile"] or ("mock" if embedded else "live"),
        )


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK


def _max_jobs(raw: str | None, base_url: str | None) -> int | None:
    """The job budget: as given; else none on this machine (every test runs), the paid budget elsewhere."""
    if raw:
        return int(_number("--contract-max-jobs", raw, REMOTE_MAX_JOBS))
    return None if not base_url or is_loopback(base_url) else REMOTE_MAX_JOBS


def _value(config: pytest.Config, flag: str, env: str) -> str | None:
    value = config.getoption(_dest(flag))
    return str(value) if value is not None else os.environ.get(env) or None


def _flag(raw: str | None) -> bool:
    return str(raw or "").lower() in ("1", "true", "yes", "on")


def _number(flag: str, raw: str | None, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise config_error(f"{flag} must be a number, got {raw!r}") from None
    if value < 0:
        raise config_error(f"{flag} must be >= 0, got {raw!r}")
    return value


def _load_json(path: str) -> dict[str, Any]:
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise config_error(f"--contract-failing-request {path}: cannot read a JSON body ({exc})") from None
    if not isinstance(body, dict):
        raise config_error(f"--contract-failing-request {path}: expected a JSON object")
    return body
