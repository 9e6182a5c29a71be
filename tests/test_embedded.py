"""Embedded use: MockServer in a thread and the creatify_mock pytest fixture (pytest11 entry point)."""

from __future__ import annotations

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body


def test_mock_server_context_manager() -> None:
    with MockServer(timing="manual") as mock:
        created = requests.post(
            mock.url + API, json=valid_body(), headers=mock.headers, timeout=TIMEOUT
        ).json()
        mock.advance(created["id"], "done", response_text="hi")
        got = requests.get(f"{mock.url}{API}{created['id']}/", headers=mock.headers, timeout=TIMEOUT).json()
        assert got["status"] == "done" and got["response_text"] == "hi"
        mock.reset()
        assert mock.jobs() == []
    with pytest.raises(RuntimeError, match="not started"):
        _ = mock.url


def test_mock_server_uses_the_first_configured_key() -> None:
    with MockServer(api_key=("me:pw",)) as mock:
        assert mock.headers == {"X-API-ID": "me", "X-API-KEY": "pw"}
        assert requests.get(mock.url + API, headers=mock.headers, timeout=TIMEOUT).status_code == 200


def test_the_fixture_gives_a_live_reset_instant_mock(creatify_mock: MockServer) -> None:
    job = requests.post(
        creatify_mock.url + API, json=valid_body(), headers=creatify_mock.headers, timeout=TIMEOUT
    ).json()
    polled = requests.get(
        f"{creatify_mock.url}{API}{job['id']}/", headers=creatify_mock.headers, timeout=TIMEOUT
    )
    assert polled.json()["status"] == "done"


def test_the_fixture_is_reset_between_tests(creatify_mock: MockServer) -> None:
    assert creatify_mock.jobs() == []
    requests.post(creatify_mock.url + API, json=valid_body(), headers=creatify_mock.headers, timeout=TIMEOUT)
    assert len(creatify_mock.jobs()) == 1


def test_embedded_mocks_only_call_loopback_hosts() -> None:
    with MockServer() as mock:
        assert mock.settings.allowed_webhook_hosts == {"127.0.0.1", "localhost", "::1"}
    with MockServer(webhook_allow_hosts="") as anywhere:
        assert anywhere.settings.allowed_webhook_hosts == frozenset()
