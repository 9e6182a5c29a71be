"""The admin API over HTTP: health, reset, jobs, advance, clock, token."""

from __future__ import annotations

import uuid

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import TIMEOUT, Client


def admin(mock: MockServer, method: str, path: str, **kwargs: object) -> requests.Response:
    if method != "GET":  # what every client of ours sends (docs/security.md); json= sets the same header
        kwargs["headers"] = {"Content-Type": "application/json", **kwargs.get("headers", {})}  # type: ignore[dict-item]
    response = requests.request(method, f"{mock.url}/__admin/{path}", timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]
    assert response.headers["Content-Type"] == "application/json"
    return response


def test_health(mock: MockServer) -> None:
    body = admin(mock, "GET", "health").json()
    assert body["status"] == "ok" and body["jobs"] == 0 and body["timing"] == "realtime"


def test_reset_forgets_every_job(client: Client, mock: MockServer) -> None:
    client.create()
    assert admin(mock, "POST", "reset").status_code == 200
    assert client.get().json() == []
    assert admin(mock, "GET", "jobs").json() == []


def test_jobs_and_job(client: Client, mock: MockServer) -> None:
    job = client.create()
    assert admin(mock, "GET", "jobs").json() == [job]
    assert admin(mock, "GET", f"jobs/{job['id']}").json() == job
    assert admin(mock, "GET", f"jobs/{uuid.uuid4()}").status_code == 404


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_advance_step_by_step_then_409(client: Client, mock: MockServer) -> None:
    job = client.create()
    running = admin(mock, "POST", f"jobs/{job['id']}/advance").json()
    assert running["status"] == "running"
    done = admin(mock, "POST", f"jobs/{job['id']}/advance").json()
    assert done["status"] == "done" and done["response_text"] and done["credits_used"] > 0
    assert done == client.job(job["id"])
    response = admin(mock, "POST", f"jobs/{job['id']}/advance")
    assert response.status_code == 409 and "terminal" in response.json()["detail"]


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_advance_straight_to_a_status_with_text_or_reason(client: Client, mock: MockServer) -> None:
    a, b, c = client.create(), client.create(), client.create()
    done = admin(
        mock, "POST", f"jobs/{a['id']}/advance", json={"status": "done", "response_text": "Hello!"}
    ).json()
    assert done["status"] == "done" and done["response_text"] == "Hello!" and done["credits_used"] > 0
    failed = admin(
        mock, "POST", f"jobs/{b['id']}/advance", json={"status": "failed", "failed_reason": "SAFETY"}
    ).json()
    assert failed == {**client.job(b["id"]), "status": "failed", "failed_reason": "SAFETY"}
    assert failed["response_text"] is None and failed["credits_used"] == 0
    running = admin(mock, "POST", f"jobs/{c['id']}/advance", json={"status": "running"}).json()
    assert running["status"] == "running"
    back = admin(mock, "POST", f"jobs/{c['id']}/advance", json={"status": "running"})
    assert back.status_code == 409


def test_advance_validates_its_body(client: Client, mock: MockServer) -> None:
    job = client.create()
    response = admin(mock, "POST", f"jobs/{job['id']}/advance", json={"status": "pending"})
    assert response.status_code == 400 and list(response.json()) == ["status"]
    response = admin(mock, "POST", f"jobs/{job['id']}/advance", json={"status": "done", "colour": "red"})
    assert response.status_code == 400
    assert admin(mock, "POST", f"jobs/{uuid.uuid4()}/advance").status_code == 404


def test_clock_advance_moves_jobs_in_realtime_mode(client: Client, mock: MockServer) -> None:
    job = client.create()
    before = admin(mock, "GET", "clock").json()["now"]
    response = admin(mock, "POST", "clock/advance", json={"seconds": 3})
    assert response.status_code == 200 and response.json()["now"] > before
    assert client.job(job["id"])["status"] == "done"
    assert admin(mock, "POST", "clock/advance", json={"seconds": -1}).status_code == 400
    assert admin(mock, "POST", "clock/advance", json={}).status_code == 400


@pytest.mark.parametrize("mock_options", [{"admin_token": "s3cret"}])
def test_admin_token(mock: MockServer) -> None:
    assert admin(mock, "GET", "health").status_code == 200
    assert admin(mock, "GET", "jobs").status_code == 401
    assert admin(mock, "GET", "jobs", headers={"X-Admin-Token": "nope"}).status_code == 401
    assert admin(mock, "GET", "jobs", headers={"X-Admin-Token": "s3cret"}).status_code == 200
    assert admin(mock, "POST", "reset", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_admin_needs_no_api_credentials_and_api_ignores_admin_token(mock: MockServer) -> None:
    assert admin(mock, "GET", "jobs").status_code == 200
