"""Admin snapshots (export, import, round trips) and determinism: the same seed gives the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver.core.clock import FrozenClock
from mockserver.testing import MockServer

from .conftest import TIMEOUT, Client, valid_body

CANNED = str(Path(__file__).resolve().parent.parent / "fixtures" / "scenarios" / "canned.json")
TAGLINE = valid_body(
    messages=[{"role": "user", "content": "Write a tagline"}], config={"response_mime_type": "text/plain"}
)


def state(mock: MockServer, method: str = "GET", **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{mock.url}/__admin/state", timeout=TIMEOUT, **kwargs)


def make_history(client: Client, mock: MockServer, clock: FrozenClock) -> list[str]:
    """Jobs in every state: running, pending, failed by the admin API, and one decided by a scenario rule."""
    ids = [client.create()["id"], client.create(config={"response_mime_type": "application/json"})["id"]]
    clock.advance(1.5)
    ids += [client.create()["id"], client.create()["id"], client.create(TAGLINE)["id"]]
    mock.advance(ids[3], "failed", failed_reason="SAFETY")
    Client(mock, api_id="other").create()
    mock.set_credits("other", 7.25)
    return ids


def views(client: Client, ids: list[str]) -> list[dict[str, Any]]:
    return [client.job(i) for i in ids]


@pytest.mark.parametrize("mock_options", [{"seed": 5, "scenarios": CANNED}])
def test_export_then_import_into_another_mock_reads_and_moves_the_same(
    client: Client, mock: MockServer, clock: FrozenClock
) -> None:
    ids = make_history(client, mock, clock)
    snapshot = state(mock).json()
    assert [j["status"] for j in snapshot["jobs"]] == [
        "running",
        "running",
        "pending",
        "failed",
        "pending",
        "pending",
    ]
    assert snapshot["balances"] == {"other": 7.25} and snapshot["sequence"]["seq"] == 6
    assert [r["name"] for r in snapshot["scenarios"]] == ["tagline", "echo"]

    with MockServer(clock=FrozenClock(), seed=5) as twin:
        answer = state(twin, "PUT", json=snapshot)
        assert answer.status_code == 200, answer.text
        assert answer.json()["imported"] == {"jobs": 6, "balances": 1}
        twin_client = Client(twin)
        assert views(twin_client, ids) == views(client, ids)
        assert twin.jobs() == mock.jobs() and twin.credits("other") == 7.25
        clock.advance(5)
        twin.advance_clock(5)  # the twin's clock was moved to the snapshot's "now": both are at the same time
        after = views(client, ids)
        assert views(twin_client, ids) == after
        assert [j["status"] for j in after] == ["done", "done", "done", "failed", "done"]
        assert after[4]["response_text"] == "Fresh beans, warm hands."  # the scenario outcome travelled
        assert twin_client.create()["id"] == client.create()["id"]  # so did the seeded sequence
        assert state(twin).json()["scenarios"] == state(mock).json()["scenarios"]


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_export_reset_import_round_trip_and_the_lifecycle_goes_on(
    client: Client, mock: MockServer, clock: FrozenClock
) -> None:
    ids = [client.create()["id"] for _ in range(3)]
    mock.advance(ids[0], "done", response_text="Hello!")
    mock.advance(ids[1])
    before = views(client, ids)
    snapshot = mock.export_state()
    assert requests.post(f"{mock.url}/__admin/reset", json={}, timeout=TIMEOUT).status_code == 200
    assert mock.jobs() == []
    assert state(mock, "PUT", json=snapshot).status_code == 200
    assert views(client, ids) == before and client.get().json() == before[::-1]
    done = mock.advance(ids[1], "done")
    assert done["status"] == "done" and done["response_text"] and client.job(ids[1]) == done
    newest = client.create()
    assert client.get().json()[0]["id"] == newest["id"]  # the sequence continues after the imported jobs


def test_a_bad_snapshot_is_refused_and_changes_nothing(client: Client, mock: MockServer) -> None:
    job = client.create()
    missing = state(mock, "PUT", json={"jobs": [{"id": "x"}], "balances": {"a": "lots"}})
    assert missing.status_code == 400
    assert missing.json()["jobs"]["0"]["account"] == ["This field is required."]
    assert missing.json()["balances"] == {"a": ["A valid number is required."]}
    good = mock.export_state()["jobs"][0]
    bad_time = state(mock, "PUT", json={"jobs": [{**good, "created_at": "yesterday"}]})
    assert bad_time.status_code == 400 and "jobs.0.created_at" in bad_time.json()["non_field_errors"][0]
    twice = state(mock, "PUT", json={"jobs": [good, {**good, "seq": 9}]})
    assert twice.status_code == 400 and "different id" in twice.text
    bad_rule = state(mock, "PUT", json={"jobs": [], "scenarios": [{"match": {"colour": "red"}}]})
    assert bad_rule.status_code == 400 and "scenarios" in bad_rule.text
    assert client.get().json() == [client.job(job["id"])]


@pytest.mark.parametrize("mock_options", [{"admin_token": "s3cret", "api_key": ("me:pw",)}])
def test_settings_are_exported_with_secrets_masked(mock: MockServer) -> None:
    assert state(mock).status_code == 401
    exported = state(mock, headers={"X-Admin-Token": "s3cret"}).json()["settings"]
    assert exported["admin_token"] == "***" and exported["api_key"] == ["me:***"]
    assert "pw" not in str(exported) and "s3cret" not in str(exported)


def run(seed: int, options: dict[str, Any]) -> list[dict[str, Any]]:
    """The same requests against a fresh mock; the jobs as they end."""
    clock = FrozenClock()
    with MockServer(clock=clock, seed=seed, **options) as mock:
        client = Client(mock)
        ids = [
            client.create(valid_body(messages=[{"role": "user", "content": f"Say {i}"}]))["id"]
            for i in range(4)
        ]
        ids.append(client.create(config={"response_mime_type": "application/json"})["id"])
        clock.advance(60)
        return views(client, ids)


@pytest.mark.parametrize("options", [{"timing": "instant"}, {"timing": "realtime", "jitter": 2.0}])
def test_the_same_seed_gives_the_same_ids_texts_and_times(options: dict[str, Any]) -> None:
    first, second = run(11, options), run(11, options)
    assert first == second
    assert all(j["status"] == "done" and j["response_text"] for j in first)
    assert len({j["id"] for j in first}) == 5
    other = run(12, options)
    assert [j["id"] for j in other] != [j["id"] for j in first]
    assert [j["response_text"] for j in other] == [
        j["response_text"] for j in first
    ]  # text follows the request


def test_out_of_range_times_are_refused_and_nothing_changes(client: Client, mock: MockServer) -> None:
    job = client.create(valid_body())
    url = f"{mock.url}/__admin/state"
    snapshot = requests.get(url, timeout=TIMEOUT).json()
    for bad in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        broken = {**snapshot, "jobs": [{**snapshot["jobs"][0], "created_at": bad}]}
        response = requests.put(url, json=broken, timeout=TIMEOUT)
        assert response.status_code == 400 and "created_at" in response.text
    assert client.job(job["id"]) == job
    assert requests.get(url, timeout=TIMEOUT).status_code == 200


def test_a_random_state_out_of_range_is_a_400(mock: MockServer) -> None:
    url = f"{mock.url}/__admin/state"
    snapshot = requests.get(url, timeout=TIMEOUT).json()
    for word in (-1, 2**64):
        state = snapshot["sequence"]["random_state"]
        bad = {
            **snapshot,
            "sequence": {**snapshot["sequence"], "random_state": [state[0], [word, *state[1][1:]], state[2]]},
        }
        response = requests.put(url, json=bad, timeout=TIMEOUT)
        assert response.status_code == 400 and "random_state" in response.text
