"""The OpenAPI documents: valid, generator-friendly, and true — every status the mock answers is documented
with a schema its body satisfies, checked over real HTTP for the API and for every admin operation."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from mockserver.contract.openapi import build
from mockserver.contract.openapi_admin import build_admin
from mockserver.contract.openapi_components import COMPONENT, all_components, reachable
from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for section in ("paths", "webhooks"):
        for path, item in doc.get(section, {}).items():
            for method, op in item.items():
                if method in METHODS:
                    yield path, method, op


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


@pytest.fixture(scope="module")
def live() -> Iterator[MockServer]:
    with MockServer(timing="manual", credits=("broke=0",), rate_limit="1000/s", max_body_bytes=4096) as mock:
        yield mock


@pytest.fixture(scope="module")
def docs(live: MockServer) -> dict[str, dict[str, Any]]:
    return {
        "api": requests.get(f"{live.url}/openapi.json", timeout=TIMEOUT).json(),
        "admin": requests.get(f"{live.url}/__admin/openapi.json", timeout=TIMEOUT).json(),
    }


@pytest.mark.parametrize("name", ["api", "admin"])
def test_documents_are_valid_openapi_3_1_built_from_the_schemas(
    live: MockServer, docs: dict[str, dict[str, Any]], name: str
) -> None:
    doc = docs[name]
    validate_openapi(doc)
    assert doc["openapi"] == "3.1.0"
    assert doc == json.loads(json.dumps((build if name == "api" else build_admin)(live.url)))
    assert doc["servers"] == [{"url": live.url, "description": "creatify-mock"}]


@pytest.mark.parametrize("name", ["api", "admin"])
def test_every_reference_names_a_component_and_no_component_nests_definitions(
    docs: dict[str, dict[str, Any]], name: str
) -> None:
    doc = docs[name]
    components = doc["components"]["schemas"]
    for target in refs(doc):
        assert target.startswith(COMPONENT) and "/" not in target.removeprefix(COMPONENT), target
        assert target.removeprefix(COMPONENT) in components, target
    for component, schema in components.items():
        assert "$defs" not in schema and "$id" not in schema, component
        assert set(schema) - {"title", "description", "$ref"}, f"{component} is only an alias"
        assert schema["title"] == component  # generators name models after titles: no duplicates
    assert components == reachable([doc["paths"], doc.get("webhooks", {})])


def test_nested_definitions_became_components_and_the_webhook_alias_is_the_job() -> None:
    every = all_components()
    assert every["Job"]["properties"]["status"] == {"$ref": COMPONENT + "JobStatus"}
    assert every["AdminStateJob"]["properties"]["forced"]["anyOf"][1] == {
        "$ref": COMPONENT + "AdminStateOutcome"
    }
    assert "WebhookPayload" not in every
    hook = build()["webhooks"]["jobStatusChanged"]["post"]
    assert hook["requestBody"]["content"]["application/json"]["schema"] == {"$ref": COMPONENT + "Job"}


@pytest.mark.parametrize("name", ["api", "admin"])
def test_every_operation_has_an_id_a_summary_and_a_declared_tag(
    docs: dict[str, dict[str, Any]], name: str
) -> None:
    doc = docs[name]
    declared = {tag["name"] for tag in doc["tags"]}
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids)), ids
    for path, method, op in operations(doc):
        assert op["summary"] and op["tags"] and set(op["tags"]) <= declared, (path, method)


def _check(doc: dict[str, Any], template: str, method: str, response: requests.Response) -> None:
    """The answer's status is documented for the operation, and its body fits the documented schema."""
    __tracebackhide__ = True
    responses = doc["paths"][template][method]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{method.upper()} {template} answered undocumented {status}: {response.text}"
    schema = responses[status]["content"]["application/json"]["schema"]
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        **schema,
    }
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(response.json())]
    assert not errors, (template, method, status, errors[:3], response.text[:300])
    for header, spec in responses[status].get("headers", {}).items():
        if spec.get("required", True):  # a page's X-Next-Cursor is documented as optional (not on the last)
            assert header in response.headers, (template, method, status, header)


def test_every_status_the_api_answers_is_documented(
    live: MockServer, docs: dict[str, dict[str, Any]]
) -> None:
    doc, url, headers = docs["api"], live.url, live.headers
    item = API + "{id}/"

    def call(method: str, path: str, template: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("headers", headers)
        response = requests.request(method, url + path, timeout=TIMEOUT, allow_redirects=False, **kwargs)
        _check(doc, template, method.lower(), response)
        return response

    job = call("POST", API, API, json=valid_body()).json()
    answered = {call("POST", API, API, json={"messages": []}).status_code}
    answered.add(
        call("POST", API, API, data=b"{", headers={**headers, "Content-Type": "application/json"}).status_code
    )
    answered.add(
        call("POST", API, API, data=b"x=1", headers={**headers, "Content-Type": "text/plain"}).status_code
    )
    answered.add(call("POST", API, API, json={"pad": "x" * 5000}).status_code)
    answered.add(call("POST", API, API, json=valid_body(), headers={}).status_code)
    answered.add(
        call("POST", API, API, json=valid_body(), headers={"X-API-ID": "broke", "X-API-KEY": "k"}).status_code
    )
    answered.add(call("GET", API, API, params={"ids": "nope"}).status_code)
    answered.add(call("GET", API, API).status_code)
    answered.add(call("GET", f"{API}{job['id']}/", item).status_code)
    answered.add(call("GET", f"{API}00000000-0000-4000-8000-000000000000/", item).status_code)
    assert answered == {200, 400, 401, 402, 404, 413, 415}
    # 405 and 308 answer methods and paths that are no operation: OpenAPI can only say so in prose.
    for method, path, status in (
        ("PUT", API, 405),
        ("DELETE", f"{API}{job['id']}/", 405),
        ("GET", API[:-1], 308),
    ):
        response = requests.request(
            method, url + path, headers=headers, timeout=TIMEOUT, allow_redirects=False
        )
        assert response.status_code == status
        assert method.lower() not in doc["paths"].get(path, {})
        assert (
            str(status) in doc["paths"][API]["description"]
            and str(status) in doc["paths"][item]["description"]
        )
    with MockServer(rate_limit="1/d") as limited:  # 429 needs a mock whose budget is spent
        limited_doc = requests.get(f"{limited.url}/openapi.json", timeout=TIMEOUT).json()
        requests.get(limited.url + API, headers=limited.headers, timeout=TIMEOUT)
        throttled = requests.get(limited.url + API, headers=limited.headers, timeout=TIMEOUT)
        assert throttled.status_code == 429
        _check(limited_doc, API, "get", throttled)


def test_402_and_429_are_marked_as_assumptions(docs: dict[str, dict[str, Any]]) -> None:
    create = docs["api"]["paths"][API]["post"]["responses"]
    assert "assumption" in create["402"]["description"].lower()
    assert "assumption" in create["429"]["description"].lower()


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_every_admin_operation_answers_as_documented(
    live: MockServer, docs: dict[str, dict[str, Any]]
) -> None:
    doc, url = docs["admin"], live.url
    seen: set[tuple[str, str]] = set()

    def call(method: str, path: str, template: str, **kwargs: Any) -> Any:
        if method != "GET" and path.startswith("/__admin"):
            kwargs.setdefault("headers", {"Content-Type": "application/json"})
        response = requests.request(method, url + path, timeout=TIMEOUT, **kwargs)
        _check(doc, template, method.lower(), response)
        seen.add((template, method.lower()))
        return response.json()

    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        hook = f"http://127.0.0.1:{receiver.server_port}/hook"
        job = requests.post(
            url + API, json=valid_body(webhook_url=hook), headers=live.headers, timeout=TIMEOUT
        ).json()
        call("GET", "/__admin/health", "/__admin/health")
        call("GET", "/__admin/jobs", "/__admin/jobs")
        call("GET", f"/__admin/jobs/{job['id']}", "/__admin/jobs/{id}")
        call("GET", "/__admin/jobs/nope", "/__admin/jobs/{id}")
        call(
            "POST",
            f"/__admin/jobs/{job['id']}/advance",
            "/__admin/jobs/{id}/advance",
            json={"status": "bogus"},
        )
        call(
            "POST",
            f"/__admin/jobs/{job['id']}/advance",
            "/__admin/jobs/{id}/advance",
            json={"status": "done"},
        )
        call("POST", f"/__admin/jobs/{job['id']}/advance", "/__admin/jobs/{id}/advance")  # 409
        call("GET", "/__admin/clock", "/__admin/clock")
        call("POST", "/__admin/clock/advance", "/__admin/clock/advance", json={"seconds": 1})
        rule = {"name": "r1", "match": {"times": 2}, "outcome": {"status": "failed"}}
        call("POST", "/__admin/scenarios", "/__admin/scenarios", json=rule)
        call("POST", "/__admin/scenarios", "/__admin/scenarios", json=[{"name": "r2"}])
        call("POST", "/__admin/scenarios", "/__admin/scenarios", json={"matchh": {}})
        call("GET", "/__admin/scenarios", "/__admin/scenarios")
        call("DELETE", "/__admin/scenarios/r1", "/__admin/scenarios/{rule_id}")
        call("PUT", "/__admin/scenarios", "/__admin/scenarios", json={"scenarios": [rule]})
        call("DELETE", "/__admin/scenarios", "/__admin/scenarios")
        [delivery, *_] = live.wait_for_webhooks(job["id"], count=1)
        call("GET", "/__admin/webhooks", "/__admin/webhooks")
        call("GET", f"/__admin/webhooks/{delivery['delivery_id']}", "/__admin/webhooks/{delivery_id}")
        call(
            "POST",
            f"/__admin/webhooks/{delivery['delivery_id']}/redeliver",
            "/__admin/webhooks/{delivery_id}/redeliver",
        )
        live.wait_for_webhooks(job["id"])
        call("GET", "/__admin/webhooks/faults", "/__admin/webhooks/faults")
        call("PUT", "/__admin/webhooks/faults", "/__admin/webhooks/faults", json={"drop_rate": 0})
        call("POST", "/__admin/webhooks/reset", "/__admin/webhooks/reset")
        call("GET", "/__admin/accounts", "/__admin/accounts")
        call("PUT", "/__admin/accounts/team", "/__admin/accounts/{api_id}", json={"credits": 3})
        call("GET", "/__admin/accounts/team", "/__admin/accounts/{api_id}")
        call("DELETE", "/__admin/accounts/team", "/__admin/accounts/{api_id}")
        state = call("GET", "/__admin/state", "/__admin/state")
        call("PUT", "/__admin/state", "/__admin/state", json={"jobs": state["jobs"]})
        call("GET", "/__admin/requests", "/__admin/requests")
        call("GET", "/__admin/requests?status=abc", "/__admin/requests")
        call("DELETE", "/__admin/requests", "/__admin/requests")
        call("GET", f"/__admin/jobs/{job['id']}/timeline", "/__admin/jobs/{id}/timeline")
        call("GET", "/__admin/jobs/nope/timeline", "/__admin/jobs/{id}/timeline")
        call("GET", "/__admin/events/recent?limit=5", "/__admin/events/recent")
        call("GET", "/__admin/events/recent?limit=0", "/__admin/events/recent")
        call("GET", "/__admin/events?since=x", "/__admin/events")
        with requests.get(url + "/__admin/events?since=0", stream=True, timeout=TIMEOUT) as feed:
            assert feed.status_code == 200
            assert feed.headers["Content-Type"].startswith("text/event-stream")
            assert next(feed.iter_lines()).startswith(b": creatify-mock")
        text = "name: as-text\nmatch: {times: 1}\noutcome: {status: failed}\n"
        call("POST", "/__admin/scenarios/text", "/__admin/scenarios/text", json={"text": text})
        call("POST", "/__admin/scenarios/text", "/__admin/scenarios/text", json={"text": "[oops"})
        call("GET", "/__admin/overview/jobs?status=done", "/__admin/overview/jobs")
        call("GET", "/__admin/overview/jobs?limit=x", "/__admin/overview/jobs")
        call("POST", "/__admin/scenarios/restore", "/__admin/scenarios/restore")
        call("POST", "/__admin/reset", "/__admin/reset")
    finally:
        receiver.shutdown()
        receiver.server_close()
    seen.add(("/__admin/events", "get"))  # its 200 is a stream, checked above
    assert seen == {(path, method) for path, method, _ in operations(doc)}
