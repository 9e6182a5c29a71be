"""Timing modes on a frozen clock: realtime, instant, manual; transitions, updated_at, terminal stability."""

from __future__ import annotations

import pytest

from mockserver.core.clock import FrozenClock
from mockserver.testing import MockServer

from .conftest import Client


def test_realtime_moves_pending_running_done_at_the_configured_seconds(
    client: Client, mock: MockServer
) -> None:
    job = client.create()
    mock.advance_clock(0.999)
    assert client.job(job["id"])["status"] == "pending"
    mock.advance_clock(0.001)
    running = client.job(job["id"])
    assert running["status"] == "running"
    assert running["updated_at"] > running["created_at"]
    mock.advance_clock(1.999)
    assert client.job(job["id"])["status"] == "running"
    mock.advance_clock(0.001)
    done = client.job(job["id"])
    assert done["status"] == "done"
    assert isinstance(done["response_text"], str) and done["response_text"]
    assert done["failed_reason"] is None and done["credits_used"] > 0


def test_updated_at_is_the_transition_time_not_the_read_time(
    client: Client, mock: MockServer, clock: FrozenClock
) -> None:
    job = client.create()
    mock.advance_clock(100)
    done = client.job(job["id"])
    assert done["status"] == "done"
    assert done["updated_at"].endswith("00:00:03.000000Z")  # created at 00:00:00 + 1 s pending + 2 s running


def test_terminal_jobs_never_change(client: Client, mock: MockServer) -> None:
    job = client.create()
    mock.advance_clock(3)
    first = client.job(job["id"])
    mock.advance_clock(1000)
    assert client.job(job["id"]) == first
    assert client.job(job["id"]) == first


@pytest.mark.parametrize("mock_options", [{"pending_seconds": 0.5, "running_seconds": 4}])
def test_custom_phase_lengths(client: Client, mock: MockServer) -> None:
    job = client.create()
    mock.advance_clock(0.5)
    assert client.job(job["id"])["status"] == "running"
    mock.advance_clock(4)
    assert client.job(job["id"])["status"] == "done"


@pytest.mark.parametrize("mock_options", [{"jitter": 1.0, "seed": 7}])
def test_jitter_is_seeded_and_bounded(clock: FrozenClock, mock: MockServer) -> None:
    client = Client(mock)
    ids = [client.create()["id"] for _ in range(20)]
    mock.advance_clock(1.0)
    assert all(client.job(i)["status"] in ("pending", "running") for i in ids)
    mock.advance_clock(4.0)  # 1 + 2 + up to 1 + 1 of jitter
    assert all(client.job(i)["status"] == "done" for i in ids)
    finish = sorted(client.job(i)["updated_at"] for i in ids)
    assert finish[0] != finish[-1]
    with MockServer(clock=FrozenClock(), jitter=1.0, seed=7) as again:
        other = Client(again)
        replay = [other.create()["id"] for _ in range(20)]
        again.advance_clock(5.0)
        assert replay == ids
        assert sorted(other.job(i)["updated_at"] for i in replay) == finish


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_instant_answers_pending_then_the_next_read_is_terminal(client: Client) -> None:
    job = client.create()
    assert job["status"] == "pending"
    after = client.job(job["id"])
    assert after["status"] == "done"
    assert after["response_text"]


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_manual_moves_only_through_the_admin_api(client: Client, mock: MockServer) -> None:
    job = client.create()
    mock.advance_clock(10_000)
    assert client.job(job["id"])["status"] == "pending"
    mock.advance(job["id"])
    assert client.job(job["id"])["status"] == "running"
    mock.advance(job["id"])
    assert client.job(job["id"])["status"] == "done"


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_out_of_range_config_fails_the_job_gemini_style(client: Client) -> None:
    job = client.create(config={"temperature": 3.5, "top_p": 0.5})
    failed = client.job(job["id"])
    assert failed["status"] == "failed"
    assert failed["response_text"] is None and failed["credits_used"] == 0
    assert "temperature" in failed["failed_reason"] and "0 and 2" in failed["failed_reason"]


@pytest.mark.parametrize("mock_options", [{"strict_ranges": True}])
def test_strict_ranges_make_out_of_range_a_400(client: Client) -> None:
    response = client.post(
        json={"model_name": "m", "messages": [{"role": "user"}], "config": {"temperature": 3, "top_p": -1}}
    )
    assert response.status_code == 400
    assert response.json() == {
        "config": {
            "temperature": ["Ensure this value is less than or equal to 2."],
            "top_p": ["Ensure this value is greater than or equal to 0."],
        }
    }


@pytest.mark.parametrize("mock_options", [{"max_jobs": 10, "timing": "manual"}])
def test_max_jobs_evicts_the_oldest_terminal_jobs_first(client: Client, mock: MockServer) -> None:
    ids = [client.create()["id"] for _ in range(10)]
    for job_id in ids[3:6]:
        mock.advance(job_id, "done")
    newest = client.create()["id"]
    kept = {j["id"] for j in mock.jobs()}
    assert newest in kept and len(kept) == 10
    assert ids[3] not in kept and set(ids[:3]) | set(ids[4:]) <= kept  # the oldest terminal one went
    for _ in range(12):
        client.create()
    assert len(mock.jobs()) <= 10  # bounded even when nothing is terminal
    assert len(client.get().json()) == len(mock.jobs())


@pytest.mark.parametrize("mock_options", [{"max_jobs": 20}])
def test_evicted_jobs_leave_no_prepared_outcome_behind(client: Client, mock: MockServer) -> None:
    for _ in range(5):
        for _ in range(30):
            client.create()
        mock.advance_clock(3)
        client.get()  # prepares outcomes for the listed jobs, while creates evict old ones
    assert mock.service.store.pending_outcomes() == 0
