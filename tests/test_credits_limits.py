"""Credit balances (deduction, exhaustion, the admin API) and per-account rate limiting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver.cli import settings_from_args
from mockserver.config import SettingsError, load
from mockserver.config.values import parse_rate
from mockserver.core.ratelimit import RateLimiter
from mockserver.testing import DEFAULT_API_ID, MockServer
from mockserver.web.pipeline import throttled

from .conftest import API, TIMEOUT, Client, valid_body

CREDITED = {"timing": "instant", "credits": (f"{DEFAULT_API_ID}=0.005",)}


def admin(mock: MockServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    if method != "GET":  # what every client of ours sends (docs/security.md)
        kwargs["headers"] = {"Content-Type": "application/json", **kwargs.get("headers", {})}
    return requests.request(method, f"{mock.url}/__admin/{path}", timeout=TIMEOUT, **kwargs)


def raw_post(mock: MockServer, api_id: str | None = None) -> requests.Response:
    headers = {**mock.headers, **({"X-API-ID": api_id} if api_id else {})}
    return requests.post(f"{mock.url}{API}", json=valid_body(), headers=headers, timeout=TIMEOUT)


@pytest.mark.parametrize("mock_options", [CREDITED])
def test_done_jobs_deduct_and_an_exhausted_account_cannot_create(client: Client, mock: MockServer) -> None:
    first = client.job(client.create()["id"])
    assert first["status"] == "done" and 0 < first["credits_used"] < 0.005
    assert mock.credits(mock.api_id) == pytest.approx(0.005 - first["credits_used"])
    second = client.job(client.create()["id"])  # a positive balance may go below zero
    balance = admin(mock, "GET", f"accounts/{mock.api_id}").json()
    assert balance == {"api_id": mock.api_id, "credits": round(0.005 - 2 * second["credits_used"], 6)}
    assert balance["credits"] <= 0
    refused = client.post(json=valid_body())
    assert refused.status_code == 402 and refused.json() == {"detail": "Insufficient credits."}
    assert client.job(first["id"]) == first and len(client.get().json()) == 2  # reads cost nothing
    assert raw_post(mock, "someone-else").status_code == 201  # accounts without a balance are unlimited
    mock.assert_requested(API, "POST", status=402, count=1)


@pytest.mark.parametrize(
    "mock_options",
    [
        {
            **CREDITED,
            "credits": (f"{DEFAULT_API_ID}=0",),
            "insufficient_credits_status": 403,
            "insufficient_credits_body": '{"error": "no credits left", "code": 7}',
        }
    ],
)
def test_the_insufficient_credits_answer_is_configurable(mock: MockServer) -> None:
    refused = raw_post(mock)
    assert refused.status_code == 403 and refused.json() == {"error": "no credits left", "code": 7}


@pytest.mark.parametrize("mock_options", [{"timing": "manual", "credits": (f"{DEFAULT_API_ID}=1",)}])
def test_failed_jobs_cost_nothing(client: Client, mock: MockServer) -> None:
    job = client.create()
    mock.advance(job["id"], "failed", failed_reason="SAFETY")
    assert mock.credits(mock.api_id) == 1


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_admin_accounts_api(client: Client, mock: MockServer) -> None:
    assert admin(mock, "GET", "accounts/team").json() == {"api_id": "team", "credits": None}
    assert admin(mock, "PUT", "accounts/team", json={"credits": 2.5}).json() == {
        "api_id": "team",
        "credits": 2.5,
    }
    assert admin(mock, "PUT", f"accounts/{mock.api_id}", json={"credits": 0}).status_code == 200
    assert admin(mock, "GET", "accounts").json() == [
        {"api_id": "team", "credits": 2.5},
        {"api_id": mock.api_id, "credits": 0},
    ]
    assert raw_post(mock).status_code == 402
    assert admin(mock, "PUT", f"accounts/{mock.api_id}", json={"credits": None}).json()["credits"] is None
    assert raw_post(mock).status_code == 201
    bad = admin(mock, "PUT", "accounts/team", json={"credits": "lots"})
    assert bad.status_code == 400 and bad.json() == {"credits": ["A valid number is required."]}
    assert admin(mock, "PUT", "accounts/team", json={}).json() == {"credits": ["This field is required."]}
    assert admin(mock, "DELETE", "accounts/team").json() == {"api_id": "team", "credits": None}


@pytest.mark.parametrize("mock_options", [CREDITED])
def test_reset_restores_the_configured_balances(client: Client, mock: MockServer) -> None:
    client.job(client.create()["id"])
    mock.set_credits("other", 3)
    mock.reset()
    assert mock.credits(mock.api_id) == 0.005 and mock.credits("other") is None


@pytest.mark.parametrize("mock_options", [{"rate_limit": "2/h"}])
def test_rate_limit_per_account_with_drf_429(client: Client, mock: MockServer) -> None:
    assert client.get().status_code == 200
    assert requests.get(f"{mock.url}{API}", timeout=TIMEOUT).status_code == 401  # auth first: no token taken
    assert client.post(json=valid_body()).status_code == 201
    over = client.get()
    assert over.status_code == 429
    wait = int(over.headers["Retry-After"])
    assert 1 <= wait <= 1800
    assert over.json() == {"detail": f"Request was throttled. Expected available in {wait} seconds."}
    assert client.post(json=valid_body()).status_code == 429  # every /api/ call counts
    assert Client(mock, api_id="other").get().status_code == 200  # buckets are per account
    mock.reset()
    assert client.get().status_code == 200


def test_token_bucket_refills_on_monotonic_time() -> None:
    now = [100.0]
    limiter = RateLimiter(parse_rate("2/s"), monotonic=lambda: now[0])
    assert [limiter.acquire("a") for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(0.5)
    now[0] += 0.25
    assert limiter.acquire("a") == pytest.approx(0.25)
    now[0] += 0.25
    assert limiter.acquire("a") == 0.0 and limiter.acquire("b") == 0.0
    now[0] += 60  # never more than the burst
    assert [limiter.acquire("a") > 0 for _ in range(3)] == [False, False, True]
    assert RateLimiter(None).acquire("a") == 0.0


def test_throttled_answer_matches_drf() -> None:
    one = throttled(0.2)
    assert one.status == 429 and one.headers == {"Retry-After": "1"}
    assert one.body == {"detail": "Request was throttled. Expected available in 1 second."}
    assert throttled(2.01).body == {"detail": "Request was throttled. Expected available in 3 seconds."}


def test_rate_limit_spellings() -> None:
    assert parse_rate("5/s") == (5, 1.0) and parse_rate("100/min") == (100, 60.0)
    assert parse_rate("1000/hour") == (1000, 3600.0) and parse_rate("7/day") == (7, 86400.0)
    assert parse_rate(" ") is None


@pytest.mark.parametrize(
    ("cli", "env", "message"),
    [
        ({"rate_limit": "fast"}, {}, "--rate-limit must look like N/s"),
        ({"rate_limit": "0/s"}, {}, "--rate-limit must look like N/s"),
        ({"credits": ("team",)}, {}, "--credits must look like ID=AMOUNT"),
        ({}, {"CREATIFY_MOCK_CREDITS": "team=lots"}, "CREATIFY_MOCK_CREDITS must look like ID=AMOUNT"),
        ({"insufficient_credits_status": 200}, {}, "--insufficient-credits-status must be 400-599"),
        ({"insufficient_credits_body": "{oops"}, {}, "--insufficient-credits-body must be JSON"),
        ({"journal_size": -1}, {}, "--journal-size must be >= 0"),
    ],
)
def test_bad_limit_settings_say_which_and_why(cli: dict[str, Any], env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load(cli, env)


def test_limit_settings_from_cli_env_and_toml(tmp_path: Path) -> None:
    s = settings_from_args(
        [
            "serve",
            "--credits",
            "a=1.5",
            "--credits",
            "b=0",
            "--rate-limit",
            "10/s",
            "--journal-size",
            "5",
            "--insufficient-credits-status",
            "429",
            "--insufficient-credits-body",
            '{"detail": "Out of credits."}',
        ]
    )
    assert s.credits == ("a=1.5", "b=0") and s.rate_limit == "10/s" and s.journal_size == 5
    assert (
        s.insufficient_credits_status == 429
        and s.insufficient_credits_body == '{"detail": "Out of credits."}'
    )
    assert load({}, {"CREATIFY_MOCK_CREDITS": "a=1, b=2"}).credits == ("a=1", "b=2")
    config = tmp_path / "mock.toml"
    config.write_text("[credits]\nteam = 10\nci = 0.5\n")
    assert load({"config": str(config)}, {}).credits == ("team=10", "ci=0.5")


@pytest.mark.parametrize("mock_options", [{"timing": "instant", "credits": ("ci=0.000001",)}])
def test_credits_are_deducted_even_when_no_job_is_ever_read(mock: MockServer) -> None:
    client = Client(mock, "ci", "k")
    assert client.post(json=valid_body()).status_code == 201
    response = client.post(json=valid_body())
    assert response.status_code == 402  # the first job finished unread and spent the balance
    balance = requests.get(f"{mock.url}/__admin/accounts/ci", timeout=TIMEOUT).json()["credits"]
    assert balance < 0


@pytest.mark.parametrize("mock_options", [{"timing": "realtime"}])
def test_a_balance_set_later_counts_jobs_that_end_unread(mock: MockServer) -> None:
    client = Client(mock, "late", "k")
    assert client.post(json=valid_body()).status_code == 201  # unlimited at creation
    requests.put(f"{mock.url}/__admin/accounts/late", json={"credits": 0.000001}, timeout=TIMEOUT)
    mock.advance_clock(3)  # the job ends, nobody reads it
    assert client.post(json=valid_body()).status_code == 402
