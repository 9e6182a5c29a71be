"""The imitated endpoints over real HTTP: create, read, list, credentials, ownership."""

from __future__ import annotations

import re
import uuid

import pytest

from mockserver.contract import schemas
from mockserver.testing import MockServer

from .conftest import API, Client, valid_body

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_create_answers_201_with_exactly_the_documented_job(client: Client) -> None:
    response = client.post(json=valid_body(config={"temperature": 0.5}, system_instruction="Be brief."))
    assert response.status_code == 201
    job = response.json()
    assert list(job) == list(schemas.schema("job")["properties"])
    assert uuid.UUID(job["id"]).version == 4
    assert job["model_name"] == "gemini-2.5-flash"
    assert job["messages"] == [{"role": "user", "content": "Say hi"}]
    assert job["config"] == {"temperature": 0.5}
    assert job["system_instruction"] == "Be brief."
    assert job["status"] == "pending"
    assert job["response_text"] is None and job["failed_reason"] is None
    assert job["credits_used"] == 0
    assert ISO.match(job["created_at"]) and job["created_at"] == job["updated_at"]


def test_create_defaults_content_config_and_system_instruction(client: Client) -> None:
    job = client.create(valid_body(messages=[{"role": "user"}, {"role": "model", "content": "ok"}]))
    assert job["messages"] == [{"role": "user", "content": ""}, {"role": "model", "content": "ok"}]
    assert job["config"] == {}
    assert job["system_instruction"] == ""


def test_unknown_fields_are_ignored_and_not_echoed(client: Client) -> None:
    body = valid_body(extra=1, config={"seed": 3, "bogus": True})
    body["messages"][0]["name"] = "x"
    job = client.create(body)
    assert "extra" not in job
    assert job["config"] == {"seed": 3}
    assert job["messages"] == [{"role": "user", "content": "Say hi"}]


def test_webhook_url_is_accepted_but_not_part_of_the_job(client: Client) -> None:
    job = client.create(valid_body(webhook_url="http://127.0.0.1:9/hook"))
    assert "webhook_url" not in job


def test_values_are_echoed_exactly_including_big_integers_and_unicode(client: Client) -> None:
    config = {"seed": 123456789012345678901234567890, "stop_sequences": ["\u00e9t\u00e9", "\u0000"]}
    job = client.create(valid_body(config=config, system_instruction="\U0001f600 nul:\u0000"))
    assert job["config"] == config
    assert job["system_instruction"] == "\U0001f600 nul:\u0000"
    assert client.job(job["id"])["config"] == config


def test_get_returns_the_job_and_404_for_unknown_or_malformed_ids(client: Client) -> None:
    job = client.create()
    assert client.job(job["id"]) == job
    for bad in (str(uuid.uuid4()), "not-a-uuid", job["id"].upper()):
        response = client.get(f"{API}{bad}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_list_is_a_plain_array_newest_first(client: Client) -> None:
    first, second, third = (client.create() for _ in range(3))
    listed = client.get().json()
    assert [j["id"] for j in listed] == [third["id"], second["id"], first["id"]]


def test_list_filters_by_ids(client: Client) -> None:
    a, _b, c = (client.create() for _ in range(3))
    listed = client.get(params={"ids": f"{a['id']},{c['id']},{uuid.uuid4()}"}).json()
    assert [j["id"] for j in listed] == [c["id"], a["id"]]
    assert len(client.get(params={"ids": ""}).json()) == 3


def test_list_rejects_malformed_ids_and_more_than_100(client: Client) -> None:
    response = client.get(params={"ids": "abc"})
    assert response.status_code == 400 and list(response.json()) == ["ids"]
    many = ",".join(str(uuid.uuid4()) for _ in range(101))
    response = client.get(params={"ids": many})
    assert response.status_code == 400
    assert response.json() == {"ids": ["Ensure this field has no more than 100 elements."]}
    exactly = ",".join(str(uuid.uuid4()) for _ in range(100))
    assert client.get(params={"ids": exactly}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"X-API-ID": "a"}, "Authentication credentials were not provided."),
        ({"X-API-KEY": "b"}, "Authentication credentials were not provided."),
        ({"X-API-ID": "", "X-API-KEY": ""}, "Authentication credentials were not provided."),
    ],
)
def test_missing_credentials_are_401(mock: MockServer, headers: dict[str, str], detail: str) -> None:
    client = Client(mock)
    client.session.headers.clear()
    for method, path in (("POST", API), ("GET", API), ("GET", f"{API}{uuid.uuid4()}/")):
        response = client.request(
            method, path, headers=headers, json=valid_body() if method == "POST" else None
        )
        assert response.status_code == 401
        assert response.json() == {"detail": detail}


@pytest.mark.parametrize("mock_options", [{"api_key": ("acct-1:secret-1", "acct-2:secret-2")}])
def test_configured_keys_accept_only_their_pairs(mock: MockServer) -> None:
    assert Client(mock, "acct-1", "secret-1").post(json=valid_body()).status_code == 201
    assert Client(mock, "acct-2", "secret-2").get().status_code == 200
    for api_id, key in (("acct-1", "secret-2"), ("acct-3", "secret-1"), ("acct-1", "secret-1x")):
        response = Client(mock, api_id, key).post(json=valid_body())
        assert response.status_code == 401
        assert response.json() == {"detail": "Incorrect authentication credentials."}


def test_jobs_belong_to_the_account_that_created_them(mock: MockServer) -> None:
    alice, bob = Client(mock, "alice", "k1"), Client(mock, "bob", "k2")
    job = alice.create()
    assert bob.get(f"{API}{job['id']}/").status_code == 404
    assert bob.get().json() == []
    assert bob.get(params={"ids": job["id"]}).json() == []
    assert [j["id"] for j in alice.get().json()] == [job["id"]]


def test_admin_sees_every_account(mock: MockServer) -> None:
    Client(mock, "alice", "k").create()
    Client(mock, "bob", "k").create()
    assert len(mock.jobs()) == 2


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_integral_floats_in_integer_fields_are_stored_as_integers(client: Client) -> None:
    config = {"max_output_tokens": 5.0, "top_k": 2.0, "seed": 3.0}
    job = client.create(valid_body(config=config))
    assert job["config"] == {"max_output_tokens": 5, "top_k": 2, "seed": 3}
    assert all(isinstance(v, int) for v in job["config"].values())
    done = client.job(job["id"])
    assert done["status"] == "done" and len(done["response_text"].split()) <= 5
    assert client.get().status_code == 200
