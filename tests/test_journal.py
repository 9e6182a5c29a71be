"""The request journal: what is recorded, masking, filters, bounds, clearing, and the MockServer helpers."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mockserver.core.clock import FrozenClock, isoformat
from mockserver.core.journal import BODY_CAP, Journal
from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, Client, valid_body


def journal(mock: MockServer, query: str = "", **kwargs: Any) -> requests.Response:
    return requests.get(f"{mock.url}/__admin/requests{query}", timeout=TIMEOUT, **kwargs)


def test_every_api_call_is_recorded_newest_first_with_credentials_masked(
    client: Client, mock: MockServer, clock: FrozenClock
) -> None:
    job = client.create()
    clock.advance(1.5)
    client.get(f"{API}{job['id']}/", headers={"Authorization": "Bearer tok", "X-Admin-Token": "adm"})
    client.get(API, params={"ids": job["id"]})
    requests.get(f"{mock.url}/__admin/health", timeout=TIMEOUT)  # admin calls are not API calls

    entries = journal(mock).json()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", API, 200),
        ("GET", f"{API}{job['id']}/", 200),
        ("POST", API, 201),
    ]
    listed, read, created = entries
    assert created["body"] == valid_body() and created["time"] == isoformat(clock.now_us() - 1_500_000)
    assert read["time"] == isoformat(clock.now_us()) and read["body"] is None
    assert listed["query"] == f"ids={job['id']}" and listed["query_params"] == {"ids": [job["id"]]}
    for entry in entries:
        assert entry["api_id"] == mock.api_id and entry["headers"]["X-Api-Id"] == mock.api_id
        assert entry["headers"]["X-Api-Key"] == "***" and mock.api_key not in str(entry)
        assert entry["duration_ms"] >= 0 and entry["id"] >= 1
    assert read["headers"]["Authorization"] == "***" and read["headers"]["X-Admin-Token"] == "***"
    assert "tok" not in str(read) and "adm" not in str(read)


def test_failed_and_unauthenticated_calls_are_recorded_too(client: Client, mock: MockServer) -> None:
    requests.post(
        f"{mock.url}{API}", data="not json", headers={"Content-Type": "text/plain"}, timeout=TIMEOUT
    )
    requests.get(f"{mock.url}{API}", timeout=TIMEOUT)
    client.post(json={"model_name": 5})
    bad_json, no_auth, plain = journal(mock).json()
    assert plain["status"] == 401 and plain["body"] == "not json"
    assert no_auth["status"] == 401 and no_auth["api_id"] == ""
    assert bad_json["status"] == 400 and bad_json["body"] == {"model_name": 5}


@pytest.mark.parametrize("mock_options", [{"max_body_bytes": 100}])
def test_oversized_bodies_are_still_refused_and_recorded_capped(client: Client, mock: MockServer) -> None:
    big = client.post(data="x" * 5000, headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    entry = journal(mock).json()[0]
    assert entry["status"] == 413 and entry["body"] == "x" * 101  # what was read: the limit plus one
    assert client.post(json=valid_body()).status_code == 201  # the body handed on is intact


def test_long_bodies_are_kept_only_in_part(clock: FrozenClock) -> None:
    journal = Journal(5, clock)
    journal.begin("POST", API, "", [("Content-Type", "application/json")], b'"' + b"y" * BODY_CAP + b'"')
    journal.begin("POST", API, "", [("Content-Type", "application/json")], b'"short"')
    short, long = journal.entries()
    assert long["body"] == '"' + "y" * (BODY_CAP - 1) and long["body_truncated"]
    assert short["body"] == "short" and not short["body_truncated"]


def test_filters(client: Client, mock: MockServer, clock: FrozenClock) -> None:
    first = client.create()
    clock.advance(10)
    since = isoformat(clock.now_us())
    client.get(f"{API}{first['id']}/")
    client.post(json={})
    Client(mock, api_id="other-id").get(API)

    def paths(query: str) -> list[tuple[str, str, int]]:
        response = journal(mock, query)
        assert response.status_code == 200, response.text
        return [(e["method"], e["path"], e["status"]) for e in response.json()]

    assert paths(f"?path={API}") == [("GET", API, 200), ("POST", API, 400), ("POST", API, 201)]
    assert paths(f"?path={API}*&method=get") == [("GET", API, 200), ("GET", f"{API}{first['id']}/", 200)]
    assert paths("?status=201") == [("POST", API, 201)]
    assert paths("?status=4xx") == [("POST", API, 400)]
    assert len(paths(f"?since={since}")) == 3
    assert len(paths("?since=2000-01-01T00:00:00+02:00")) == 4  # the + left unencoded, as curl users do
    assert len(paths("?since=2000-01-01T00:00:00%2B02:00")) == 4
    assert paths("?api_id=other-id") == [("GET", API, 200)]
    bad = journal(mock, "?status=teapot&since=yesterday")
    assert bad.status_code == 400 and set(bad.json()) == {"status", "since"}


@pytest.mark.parametrize("mock_options", [{"journal_size": 3}])
def test_the_journal_keeps_the_newest_entries(client: Client, mock: MockServer) -> None:
    for _ in range(5):
        client.get(API)
    entries = journal(mock).json()
    assert [e["id"] for e in entries] == [5, 4, 3]


@pytest.mark.parametrize("mock_options", [{"journal_size": 0}])
def test_journal_size_zero_turns_it_off(client: Client, mock: MockServer) -> None:
    client.create()
    assert journal(mock).json() == []
    with pytest.raises(AssertionError, match="journal is off"):
        mock.assert_requested(API)


def test_delete_and_reset_clear_it(client: Client, mock: MockServer) -> None:
    client.get(API)
    client.get(API)
    deleted = requests.delete(f"{mock.url}/__admin/requests", json={}, timeout=TIMEOUT)
    assert deleted.json() == {"deleted": 2} and journal(mock).json() == []
    client.get(API)
    requests.post(f"{mock.url}/__admin/reset", json={}, timeout=TIMEOUT)
    assert journal(mock).json() == [] and mock.requests() == []


@pytest.mark.parametrize("mock_options", [{"admin_token": "s3cret"}])
def test_the_admin_token_protects_it(client: Client, mock: MockServer) -> None:
    assert journal(mock).status_code == 401
    assert journal(mock, headers={"X-Admin-Token": "s3cret"}).status_code == 200


def test_requests_and_assert_requested(client: Client, mock: MockServer) -> None:
    client.create(messages=[{"role": "user", "content": "one"}])
    client.create(messages=[{"role": "user", "content": "two"}])
    client.get(API)
    assert len(mock.requests(path=API, method="POST")) == 2 and len(mock.requests(status="2xx")) == 3
    mock.assert_requested(API, "POST", count=2)
    mock.assert_requested(API, "GET", count=1, headers={"x-api-id": mock.api_id})
    one = mock.assert_requested(API, "POST", json_contains={"messages": [{"role": "user", "content": "one"}]})
    assert len(one) == 1
    mock.assert_requested(API, "POST", json=lambda body: body["messages"][0]["content"] == "two", count=1)
    mock.assert_requested(json=valid_body(messages=[{"role": "user", "content": "two"}]))
    with pytest.raises(AssertionError) as failed:
        mock.assert_requested(API, "POST", json_contains={"model_name": "gemini-2.5-pro"})
    message = str(failed.value)
    assert "expected at least 1 request(s) matching" in message and "gemini-2.5-pro" in message
    assert "Received 3 API call(s)" in message and f"POST {API} -> 201" in message and '"one"' in message
    with pytest.raises(AssertionError, match="expected exactly 3"):
        mock.assert_requested(API, "POST", count=3)
    mock.assert_requested("/api/nowhere/", count=0)


def test_the_readme_journal_example_runs() -> None:
    from .docs_examples import example

    exec(compile(example("journal"), "docs/reference/journal.md", "exec"), {})


def test_cookies_and_proxy_credentials_are_masked(mock: MockServer) -> None:
    headers = {**mock.headers, "Cookie": "sessionid=abc", "Proxy-Authorization": "Basic eDp5"}
    requests.get(mock.url + "/api/text_generator/", headers=headers, timeout=10)
    (entry,) = mock.requests()
    assert entry["headers"]["Cookie"] == "***" and entry["headers"]["Proxy-Authorization"] == "***"
