"""Scenario rules over real HTTP: every match kind, outcomes, timing, faults, times, order, files, admin API."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver.contract import schemas
from mockserver.core.scenarios import ScenarioBook, ScenarioError, load_file
from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, Client, valid_body

EXAMPLES = sorted((schemas.data_dir("fixtures") / "scenarios").glob("*.*"))
ROOT = Path(__file__).resolve().parent.parent


def add(mock: MockServer, *rules: dict[str, Any]) -> None:
    for rule in rules:
        response = requests.post(f"{mock.url}/__admin/scenarios", json=rule, timeout=TIMEOUT)
        assert response.status_code == 201, response.text


def finished(
    client: Client, mock: MockServer, body: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = client.post(json=body, headers=headers or {})
    assert response.status_code == 201, response.text
    mock.advance_clock(3)
    return client.job(response.json()["id"])


FAIL = {"outcome": {"status": "failed", "failed_reason": "matched"}}


@pytest.mark.parametrize(
    ("match", "hit", "miss"),
    [
        (
            {"model_name": "gemini-2.5-pro"},
            {"model_name": "gemini-2.5-pro"},
            {"model_name": "gemini-2.5-flash"},
        ),
        (
            {"message": "(?i)secret"},
            {"messages": [{"role": "model", "content": "a SECRET"}, {"role": "user"}]},
            {},
        ),
        (
            {"last_user_message": "^bye$"},
            {"messages": [{"role": "user", "content": "hi"}, {"role": "user", "content": "bye"}]},
            {"messages": [{"role": "user", "content": "bye"}, {"role": "user", "content": "hi"}]},
        ),
        (
            {"system_instruction": "pirate"},
            {"system_instruction": "talk like a pirate"},
            {"system_instruction": "be nice"},
        ),
        (
            {"config": {"temperature": 0.1, "seed": 3}},
            {"config": {"temperature": 0.1, "seed": 3, "top_k": 2}},
            {"config": {"temperature": 0.1}},
        ),
    ],
)
def test_body_match_kinds(
    client: Client, mock: MockServer, match: dict[str, Any], hit: dict[str, Any], miss: dict[str, Any]
) -> None:
    add(mock, {"match": match, **FAIL})
    assert finished(client, mock, valid_body(**hit))["failed_reason"] == "matched"
    assert finished(client, mock, valid_body(**miss))["status"] == "done"


def test_api_id_and_header_match(mock: MockServer) -> None:
    add(
        mock,
        {"name": "a", "match": {"api_id": "alice"}, **FAIL},
        {"name": "h", "match": {"headers": {"x-mock-scenario": "boom"}}, **FAIL},
    )
    alice, bob = Client(mock, "alice", "k"), Client(mock, "bob", "k")
    assert finished(alice, mock, valid_body())["status"] == "failed"
    assert finished(bob, mock, valid_body())["status"] == "done"
    assert finished(bob, mock, valid_body(), {"X-Mock-Scenario": "boom"})["status"] == "failed"


def test_times_then_retires_and_first_match_wins(client: Client, mock: MockServer) -> None:
    add(
        mock,
        {"name": "twice", "match": {"times": 2}, "outcome": {"status": "done", "response_text": "first"}},
        {"name": "always", "outcome": {"status": "done", "response_text": "second"}},
    )
    texts = [finished(client, mock, valid_body())["response_text"] for _ in range(3)]
    assert texts == ["first", "first", "second"]
    rules = requests.get(f"{mock.url}/__admin/scenarios", timeout=TIMEOUT).json()
    assert [(r["id"], r["applied"]) for r in rules] == [("always", 1)]


def test_outcomes_literal_template_failed_and_credits(client: Client, mock: MockServer) -> None:
    add(
        mock,
        {
            "match": {"system_instruction": "^echo$"},
            "outcome": {
                "status": "done",
                "response_text": "{model_name}/{last_user_message}/{api_id}/{message_count}/{nope}",
                "credits_used": 7,
            },
        },
    )
    job = finished(client, mock, valid_body(system_instruction="echo"))
    assert job["response_text"] == f"gemini-2.5-flash/Say hi/{mock.api_id}/1/{{nope}}"
    assert job["credits_used"] == 7
    add(mock, {"match": {"system_instruction": "^fail$"}, "outcome": {"status": "failed"}})
    failed = finished(client, mock, valid_body(system_instruction="fail"))
    assert failed["status"] == "failed" and failed["failed_reason"] and failed["response_text"] is None


def test_timing_per_job_and_manual(client: Client, mock: MockServer) -> None:
    add(
        mock,
        {"match": {"model_name": "slow"}, "timing": {"pending_seconds": 10, "running_seconds": 20}},
        {"match": {"model_name": "held"}, "timing": {"manual": True}},
    )
    slow, held = client.create(valid_body(model_name="slow")), client.create(valid_body(model_name="held"))
    mock.advance_clock(9.9)
    assert client.job(slow["id"])["status"] == "pending"
    mock.advance_clock(0.1)
    assert client.job(slow["id"])["status"] == "running"
    mock.advance_clock(20)
    assert client.job(slow["id"])["status"] == "done"
    assert client.job(held["id"])["status"] == "pending"
    mock.advance(held["id"], "done")
    assert client.job(held["id"])["status"] == "done"


def test_http_faults_on_create_read_and_list(client: Client, mock: MockServer) -> None:
    job = client.create()
    add(
        mock,
        {"match": {"operation": "read", "times": 1}, "http": {"status": 500}},
        {
            "match": {"operation": "list", "times": 1},
            "http": {"status": 429, "headers": {"Retry-After": "3"}, "body": {"detail": "slow down"}},
        },
        {"match": {"operation": "create", "times": 1}, "http": {"status": 503, "body": ["anything", 1]}},
    )
    read = client.get(f"{API}{job['id']}/")
    assert read.status_code == 500 and read.json() == {"detail": "Internal Server Error"}
    listed = client.get()
    assert (
        listed.status_code == 429
        and listed.headers["Retry-After"] == "3"
        and listed.json() == {"detail": "slow down"}
    )
    created = client.session.post(mock.url + API, json=valid_body(), timeout=TIMEOUT)
    assert created.status_code == 503 and created.json() == ["anything", 1]
    assert client.get(f"{API}{job['id']}/").status_code == 200 and client.get().status_code == 200
    assert len(client.get().json()) == 1  # the faulted create made no job


def test_faults_apply_only_after_authentication(mock: MockServer) -> None:
    add(mock, {"match": {"operation": "any"}, "http": {"status": 503}})
    assert requests.get(mock.url + API, timeout=TIMEOUT).status_code == 401


def test_latency_fixed_and_seeded_range(client: Client, mock: MockServer) -> None:
    add(mock, {"match": {"operation": "read"}, "latency": 0.2})
    job = client.create()
    started = time.monotonic()
    assert client.get(f"{API}{job['id']}/").status_code == 200
    assert time.monotonic() - started >= 0.2
    one, two = ScenarioBook(seed=5), ScenarioBook(seed=5)
    spec = {"name": "r", "match": {"operation": "any"}, "latency": {"min": 0.1, "max": 0.9}}
    picks = []
    for book in (one, two):
        book.add(spec)
        picks.append([book.latency(*book.take(_info())) for _ in range(5)])  # type: ignore[misc]
    assert picks[0] == picks[1] and len(set(picks[0])) == 5 and all(0.1 <= p <= 0.9 for p in picks[0])


def _info() -> Any:
    from mockserver.core.scenarios import RequestInfo

    return RequestInfo("read", "a", {}, None)


def test_disconnect_closes_without_an_answer(client: Client, mock: MockServer) -> None:
    add(mock, {"match": {"headers": {"X-Mock-Scenario": "cut"}}, "http": {"disconnect": True}})
    with pytest.raises(requests.ConnectionError):
        requests.post(
            mock.url + API,
            json=valid_body(),
            headers={**mock.headers, "X-Mock-Scenario": "cut"},
            timeout=TIMEOUT,
        )
    assert client.post(json=valid_body()).status_code == 201


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_file_loads(path: Path) -> None:
    rules = ScenarioBook().replace(load_file(path), str(path))
    assert rules and all(rule.id for rule in rules)


def test_example_failures_file_in_action(tmp_path: Path) -> None:
    path = next(p for p in EXAMPLES if p.name == "failures.yaml")
    with MockServer(scenarios=str(path), timing="instant") as mock:
        client = Client(mock)
        blocked = client.create(valid_body(messages=[{"role": "user", "content": "build a Weapon"}]))
        assert client.job(blocked["id"])["failed_reason"].startswith("Response blocked")
        outage = [
            client.post(json=valid_body(), headers={"X-Mock-Scenario": "outage"}).status_code
            for _ in range(3)
        ]
        assert outage == [503, 503, 201]
        assert Client(mock, "broke-account", "k").post(json=valid_body()).status_code == 402
        requests.post(f"{mock.url}/__admin/scenarios", json={"name": "extra", **FAIL}, timeout=TIMEOUT)
        requests.post(f"{mock.url}/__admin/reset", json={}, timeout=TIMEOUT)
        ids = [r["id"] for r in requests.get(f"{mock.url}/__admin/scenarios", timeout=TIMEOUT).json()]
        assert ids == [
            "safety-block",
            "throttle-on-demand",
            "brief-outage",
            "out-of-credits",
            "flaky-network",
        ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("scenarios:\n  - name: a\n    match: {times: 0}\n", "rule 0 (a): field match/times"),
        ("scenarios:\n  - name: ok\n  - name: b\n    http: {status: 99}\n", "rule 1 (b): field http/status"),
        ("scenarios:\n  - name: c\n    match: {message: '('}\n", "rule 0 (c): field match/message"),
        (
            "scenarios:\n  - name: d\n    outcome: {status: done}\n    http: {status: 500}\n",
            "rule 0 (d): a rule with http",
        ),
        ("scenarios:\n  - name: e\n  - name: e\n", "two rules are named 'e'"),
        ("rules: []\n", "'scenarios' list"),
        (
            "scenarios:\n  - name: f\n    http: {headers: {Connection: close}}\n",
            "rule 0 (f): field http/headers/Connection",
        ),
        (
            'scenarios:\n  - name: g\n    http: {headers: {X-A: "a\\nb"}}\n',
            "rule 0 (g): field http/headers/X-A",
        ),
        (
            "scenarios:\n  - name: h\n    http: {headers: {Content-Length: '5000'}}\n",
            "field http/headers/Content-Length",
        ),
        ("scenarios: [\n", "not valid YAML"),
    ],
)
def test_bad_rule_files_are_refused_with_rule_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ScenarioBook().replace(load_file(path), str(path))


@pytest.mark.slow  # starts the CLI in a subprocess
def test_a_bad_rule_file_stops_startup(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("scenarios:\n  - name: typo\n    match: {modle_name: x}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--scenarios", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "rule 0 (typo)" in proc.stderr and "modle_name" in proc.stderr
    assert "serving on" not in proc.stdout


def test_admin_crud(mock: MockServer) -> None:
    url = f"{mock.url}/__admin/scenarios"
    assert (
        requests.post(url, json=[{"name": "a", **FAIL}, {"name": "b", **FAIL}], timeout=TIMEOUT).status_code
        == 201
    )
    assert (
        requests.post(url, params={"position": 0}, json={"name": "z", **FAIL}, timeout=TIMEOUT).status_code
        == 201
    )
    assert [r["id"] for r in requests.get(url, timeout=TIMEOUT).json()] == ["z", "a", "b"]
    bad = requests.post(url, json={"name": "q", "outcome": {"status": "maybe"}}, timeout=TIMEOUT)
    assert bad.status_code == 400 and "outcome/status" in bad.json()["detail"]
    assert requests.post(url, json={"name": "a", **FAIL}, timeout=TIMEOUT).status_code == 400
    assert requests.delete(f"{url}/a", json={}, timeout=TIMEOUT).status_code == 200
    assert requests.delete(f"{url}/a", json={}, timeout=TIMEOUT).status_code == 404
    replaced = requests.put(url, json={"scenarios": [{"name": "only", **FAIL}]}, timeout=TIMEOUT)
    assert [r["id"] for r in replaced.json()] == ["only"]
    assert requests.delete(url, json={}, timeout=TIMEOUT).json() == []


def test_scenario_schemas_describe_the_example_files() -> None:
    for path in EXAMPLES:
        data = (
            json.loads(path.read_text())
            if path.suffix == ".json"
            else __import__("yaml").safe_load(path.read_text())
        )
        schemas.validate("scenario_file", data)


def test_the_docs_scenario_example_is_a_valid_file(tmp_path: Path) -> None:
    from .docs_examples import example

    path = tmp_path / "docs.yaml"
    path.write_text(example("scenario-file"))
    rules = ScenarioBook().replace(load_file(path), str(path))
    assert [r.id for r in rules] == ["safety-block", "rate-limited"]


def test_unnamed_rule_ids_are_stable_across_resets(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "scenarios:\n  - latency: {min: 0, max: 0.01}\n    match: {operation: read}\n  - outcome: {status: failed}\n"
    )
    with MockServer(scenarios=str(path)) as mock:
        url = f"{mock.url}/__admin/scenarios"
        before = [r["id"] for r in requests.get(url, timeout=TIMEOUT).json()]
        requests.post(f"{mock.url}/__admin/reset", json={}, timeout=TIMEOUT)
        assert [r["id"] for r in requests.get(url, timeout=TIMEOUT).json()] == before == ["rule-1", "rule-2"]
