"""CORS over real HTTP: preflights answered before authentication, real answers marked,
``--cors-origins`` restricting and ``--no-cors`` turning it off."""

from __future__ import annotations

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, Client, valid_body

APP = "http://localhost:5173"
PREFLIGHT = {
    "Origin": APP,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "x-api-id,x-api-key,content-type",
}


@pytest.mark.parametrize(
    "path", [API, f"{API}6f1c0000-0000-4000-8000-000000000000/", API[:-1]]
)  # the admin API has no CORS by default: tests/test_admin_safety.py
def test_a_preflight_is_answered_before_authentication(mock: MockServer, path: str) -> None:
    answer = requests.options(mock.url + path, headers=PREFLIGHT, timeout=TIMEOUT, allow_redirects=False)
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    allowed = {h.strip().lower() for h in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"x-api-id", "x-api-key", "content-type"} <= allowed
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    assert mock.requests(method="OPTIONS", status=401) == []


def test_real_answers_carry_the_origin_header_errors_too(client: Client, mock: MockServer) -> None:
    created = client.post(json=valid_body(), headers={"Origin": APP})
    assert created.status_code == 201 and created.headers["Access-Control-Allow-Origin"] == "*"
    refused = requests.get(mock.url + API, headers={"Origin": APP}, timeout=TIMEOUT)
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]
    health = requests.get(f"{mock.url}/__admin/health", headers={"Origin": APP}, timeout=TIMEOUT)
    assert "Access-Control-Allow-Origin" not in health.headers  # the admin API is not the API
    assert "Access-Control-Allow-Origin" not in client.get().headers  # no Origin, no CORS headers


def test_a_plain_options_still_gets_the_api_metadata(client: Client) -> None:
    assert client.request("OPTIONS", API).json()["name"] == "Text Generator List"


def test_cors_origins_restricts_and_no_cors_turns_it_off() -> None:
    with MockServer(cors_origins=f"{APP}, https://app.test") as mock:
        ok = requests.options(mock.url + API, headers=PREFLIGHT, timeout=TIMEOUT)
        assert ok.status_code == 204 and ok.headers["Access-Control-Allow-Origin"] == APP
        assert "Origin" in ok.headers["Vary"]
        other = requests.options(
            mock.url + API, headers={**PREFLIGHT, "Origin": "https://evil.test"}, timeout=TIMEOUT
        )
        assert other.status_code == 204 and "Access-Control-Allow-Origin" not in other.headers
        answer = requests.get(mock.url + API, headers={**mock.headers, "Origin": APP}, timeout=TIMEOUT)
        assert answer.headers["Access-Control-Allow-Origin"] == APP and "Origin" in answer.headers["Vary"]
    with MockServer(cors=False) as mock:
        off = requests.options(mock.url + API, headers=PREFLIGHT, timeout=TIMEOUT)
        assert off.status_code == 401 and "Access-Control-Allow-Origin" not in off.headers
