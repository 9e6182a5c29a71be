"""The /sse/ family over real HTTP: async and sync create, list, read, its errors, and the shared pipeline."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mockserver.contract import schemas
from mockserver.core.clock import FrozenClock
from mockserver.testing import MockServer

from .conftest import API, Client, valid_body
from .receiver import Receiver
from .sse_client import SSE, STREAM, SseClient, body

TIMEOUT = 10


@pytest.fixture
def sse(mock: MockServer) -> Iterator[SseClient]:
    client = SseClient(mock)
    yield client
    client.close()


def test_async_create_is_a_pending_text_gen_response(sse: SseClient) -> None:
    job = sse.create(config={"temperature": 0.5}, system_instruction="Be brief.")
    assert list(job) == list(schemas.schema("text_gen_response")["properties"])
    assert job["status"] == "pending" and job["response_function_calls"] == []
    assert job["messages"] == [{"role": "user", "content": "Hi"}] and job["config"] == {"temperature": 0.5}
    assert uuid.UUID(job["id"]).version == 4


def test_tools_sync_and_webhook_url_are_accepted_but_not_echoed(sse: SseClient) -> None:
    tools = [{"function_declarations": [{"name": "get_weather", "parameters": {"type": "OBJECT"}}]}]
    job = sse.create(
        tools=tools,
        tool_config={"function_calling_config": {"mode": "AUTO"}},
        webhook_url="http://127.0.0.1:9/hook",
        sync=False,
    )
    assert not {"tools", "tool_config", "webhook_url", "sync"} & set(job)


def test_one_store_two_representations(sse: SseClient, client: Client) -> None:
    made_on_sse = sse.create()
    made_on_api = client.create()
    for job_id in (made_on_sse["id"], made_on_api["id"]):
        on_api = client.job(job_id)
        on_sse = sse.job(job_id)
        assert list(on_api) == list(schemas.schema("job")["properties"])  # /api/ exactly as before
        assert on_sse == {**on_api, "response_function_calls": []}
    listed = sse.request("GET", SSE)[1]
    assert [j["id"] for j in listed] == [made_on_api["id"], made_on_sse["id"]]  # newest first


def test_other_accounts_and_unknown_ids_are_404_in_the_family_shape(mock: MockServer, sse: SseClient) -> None:
    job = sse.create()
    other = SseClient(mock, {"X-API-ID": "someone-else", "X-API-KEY": "k"})
    for path in (f"{SSE}{job['id']}/", f"{SSE}{uuid.uuid4()}/", f"{SSE}not-a-uuid/"):
        assert other.request("GET", path) == (404, {"error": "Not found."})
    assert other.request("GET", SSE) == (200, [])
    other.close()


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_sync_in_instant_timing_answers_the_finished_job(sse: SseClient) -> None:
    job = sse.create(sync=True)
    assert job["status"] == "done" and job["response_text"]
    assert sse.job(job["id"], "api")["response_text"] == job["response_text"]


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_sync_answers_a_failed_job_too(sse: SseClient) -> None:
    job = sse.create(sync=True, config={"temperature": 3.5})
    assert job["status"] == "failed" and "temperature" in job["failed_reason"]


def _post_in_thread(client: SseClient, request_body: dict[str, Any]) -> tuple[threading.Thread, list[Any]]:
    answer: list[Any] = []
    thread = threading.Thread(
        target=lambda: answer.append(client.request("POST", SSE, json=request_body)), daemon=True
    )
    thread.start()
    return thread, answer


def _wait_for_job(mock: MockServer) -> dict[str, Any]:
    for _ in range(1000):
        jobs = mock.jobs()
        if jobs:
            return jobs[0]
        threading.Event().wait(0.01)
    raise AssertionError("the sync call created no job")


def test_sync_in_realtime_waits_for_the_clock(mock: MockServer, sse: SseClient) -> None:
    thread, answer = _post_in_thread(sse, body(sync=True))
    job = _wait_for_job(mock)
    assert not answer  # the frozen clock has not moved: the call is still waiting
    mock.advance_clock(mock.settings.pending_seconds + mock.settings.running_seconds)
    thread.join(TIMEOUT)
    assert answer[0][0] == 201 and answer[0][1]["status"] == "done" and answer[0][1]["id"] == job["id"]


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_sync_in_manual_timing_waits_for_an_admin_move(mock: MockServer, sse: SseClient) -> None:
    thread, answer = _post_in_thread(sse, body(sync=True))
    job = _wait_for_job(mock)
    mock.advance(job["id"], "done", response_text="Released.")
    thread.join(TIMEOUT)
    status, done = answer[0]
    assert status == 201 and done["status"] == "done" and done["response_text"] == "Released."


@pytest.mark.parametrize("mock_options", [{"timing": "manual", "sync_timeout": 0.2}])
def test_sync_gives_up_after_the_sync_timeout_with_the_job_as_it_is(sse: SseClient) -> None:
    job = sse.create(sync=True)
    assert job["status"] == "pending"


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"messages": [{"role": "user"}]}, "model_name"),
        (body(messages=[{"role": "assistant", "content": "x"}]), "messages.0.role"),
        (body(model_name="x" * 256), "model_name"),
        (body(messages="hi"), "messages"),
        (body(system_instruction=5), "system_instruction"),
        (body(config=[]), "config"),
        (body(webhook_url="not a url"), "webhook_url"),
        (body(sync="yes"), "sync"),
        (body(tools={"name": "x"}), "tools"),
        (body(messages=[{"role": "model", "function_call": {"args": {}}}]), "messages.0.function_call.name"),
    ],
)
def test_invalid_bodies_are_400_with_an_error_string_naming_the_field(
    sse: SseClient, sent: dict[str, Any], field: str
) -> None:
    for path in (SSE, STREAM):
        status, error = sse.request("POST", path, json=sent)
        assert status == 400
        assert error["error"].startswith("Invalid request body: ") and f"{field}: " in error["error"]


def test_unknown_model_is_a_400_model_not_found(sse: SseClient, client: Client) -> None:
    for path in (SSE, STREAM):
        status, error = sse.request("POST", path, json=body(model_name="gemini-1.0-pro"))
        assert status == 400 and error["error"].startswith("Model not found: 'gemini-1.0-pro'")
    assert client.create(valid_body(model_name="gemini-1.0-pro"))["status"] == "pending"  # /api/ takes any


@pytest.mark.parametrize("mock_options", [{"models": ("my-model",)}, {"models": ()}])
def test_models_setting_changes_the_list_and_empty_accepts_any(
    sse: SseClient, mock_options: dict[str, Any]
) -> None:
    assert sse.create(model_name="my-model")["model_name"] == "my-model"
    status, _ = sse.request("POST", SSE, json=body())
    assert status == (201 if not mock_options["models"] else 400)


def test_http_level_errors_are_json_in_the_family_shape(mock: MockServer, sse: SseClient) -> None:
    assert sse.request("POST", SSE, content=b"{nope", headers={"Content-Type": "application/json"})[0] == 400
    status, error = sse.request("POST", SSE, content=b"a=b", headers={"Content-Type": "text/plain"})
    assert status == 415 and "Unsupported media type" in error["error"]
    assert sse.request("PUT", SSE) == (405, {"error": 'Method "PUT" not allowed.'})
    assert sse.request("GET", STREAM) == (405, {"error": 'Method "GET" not allowed.'})  # not a job id
    assert sse.request("GET", "/sse/text_generator/x/y/") == (404, {"error": "Not found."})
    redirect = sse.http.get("/sse/text_generator")
    assert redirect.status_code == 308 and "trailing slash" in redirect.json()["error"]


def test_credentials_are_checked_in_the_family_shape(mock: MockServer) -> None:
    with MockServer(api_key=("me:secret",)) as strict:
        for headers, text in (
            ({}, "Authentication credentials were not provided."),
            ({"X-API-ID": "me", "X-API-KEY": "wrong"}, "Incorrect authentication credentials."),
        ):
            client = SseClient(strict, headers)
            for method, path in (("GET", SSE), ("POST", SSE), ("POST", STREAM), ("GET", f"{SSE}x/")):
                assert client.request(method, path, json=body()) == (401, {"error": text})
            client.close()


def test_insufficient_credits_and_rate_limits_in_the_family_shape(clock: FrozenClock) -> None:
    with MockServer(clock=clock, timing="instant", credits=("poor=0",), rate_limit="2/m") as mock:
        poor = SseClient(mock, {"X-API-ID": "poor", "X-API-KEY": "k"})
        for path in (SSE, STREAM):
            assert poor.request("POST", path, json=body()) == (402, {"error": "Insufficient credits."})
        status, error = poor.request("GET", SSE)
        assert status == 429 and error["error"].startswith("Request was throttled.")
        poor.close()


def test_scenario_faults_answer_in_the_family_shape_and_can_target_a_family(
    mock: MockServer, sse: SseClient, client: Client
) -> None:
    mock.service.add_rules(
        [
            {"name": "outage", "match": {"operation": "any", "family": "sse"}, "http": {"status": 503}},
        ]
    )
    assert sse.request("GET", SSE) == (503, {"error": "Service Unavailable"})
    assert sse.request("POST", STREAM, json=body()) == (503, {"error": "Service Unavailable"})
    assert client.get(API).status_code == 200  # the rule is for /sse/ only


def test_scenario_outcomes_apply_to_the_family(mock: MockServer, sse: SseClient) -> None:
    mock.service.add_rules([{"match": {"message": "weapon"}, "outcome": {"status": "failed"}}])
    job = sse.create(messages=[{"role": "user", "content": "a weapon"}])
    mock.advance_clock(60)
    assert sse.job(job["id"])["status"] == "failed"


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_the_journal_records_sse_calls(mock: MockServer, sse: SseClient) -> None:
    sse.create()
    sse.request("GET", SSE)
    sse.stream(body())
    mock.assert_requested(SSE, "POST", count=1, status=201, json_contains={"model_name": "gemini-2.5-flash"})
    mock.assert_requested(STREAM, "POST", count=1, status=200)
    assert [e["method"] for e in mock.requests(path="/sse/*")] == ["POST", "GET", "POST"]


def test_webhooks_carry_the_representation_of_the_family_that_created_the_job(clock: FrozenClock) -> None:
    with Receiver() as receiver, MockServer(clock=clock, timing="instant") as mock:
        sse = SseClient(mock)
        job = sse.create(webhook_url=receiver.url())
        api_job = requests.post(
            f"{mock.url}{API}", json=valid_body(webhook_url=receiver.url()), headers=mock.headers, timeout=5
        ).json()
        mock.advance_clock(1)
        mock.wait_for_webhooks(count=4, timeout=TIMEOUT)
        payloads = {c.json()["id"]: c.json() for c in receiver.wait_for(4) if c.json()["status"] == "done"}
        schemas.validate("text_gen_response", payloads[job["id"]])
        assert payloads[job["id"]] == sse.job(job["id"])
        assert "response_function_calls" not in payloads[api_job["id"]]
        sse.close()


def test_snapshots_keep_the_family(mock: MockServer, sse: SseClient) -> None:
    job = sse.create(webhook_url="http://127.0.0.1:9/hook")
    state = mock.export_state()
    assert state["jobs"][0]["family"] == "sse"
    mock.reset()
    mock.import_state(state)
    assert mock.service.store.export_jobs()[0].family.value == "sse"
    assert sse.job(job["id"])["id"] == job["id"]


def test_openapi_documents_the_four_paths_and_the_event_stream(client: Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/sse/text_generator/", "/sse/text_generator/{id}/", "/sse/text_generator/stream/"} <= set(paths)
    assert set(paths["/sse/text_generator/"]) == {"get", "post"}
    stream = paths["/sse/text_generator/stream/"]["post"]["responses"]["200"]["content"]["text/event-stream"]
    data = stream["schema"]["properties"]["data"]
    assert data["contentSchema"] == {"$ref": "#/components/schemas/StreamChunk"}
    create = paths["/sse/text_generator/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create["allOf"][1]["properties"]["model_name"]["enum"][0] == "gemini-2.5-flash"


def test_models_and_sync_timeout_come_from_cli_env_and_toml(tmp_path: Any) -> None:
    from mockserver.cli import settings_from_args
    from mockserver.config import SettingsError, load
    from mockserver.config.settings import DOCUMENTED_MODELS

    assert load({}, {}).models == DOCUMENTED_MODELS and load({}, {}).sync_timeout == 60
    assert settings_from_args(["serve", "--models", "a,b", "--models", "c"]).models == ("a", "b", "c")
    assert load({}, {"CREATIFY_MOCK_MODELS": "x y", "CREATIFY_MOCK_SYNC_TIMEOUT": "2.5"}).models == ("x", "y")
    assert load({}, {"CREATIFY_MOCK_MODELS": ""}).models == ()
    config = tmp_path / "mock.toml"
    config.write_text('models = ["m1"]\nsync-timeout = 3\n')
    assert load({"config": str(config)}, {}).sync_timeout == 3.0
    with pytest.raises(SettingsError, match="--sync-timeout"):
        load({"sync_timeout": 0}, {})
