"""Bugs Schemathesis found against the mock's own /openapi.json, each pinned by a test that needs no Schemathesis."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.testing import MockServer

from .conftest import API, Client


@pytest.fixture(scope="module")
def live() -> Any:
    with MockServer(timing="instant") as mock:
        yield mock


def ids_schema(client: Client) -> dict[str, Any]:
    doc = client.get("/openapi.json").json()
    params = doc["paths"][API]["get"]["parameters"]
    return next(p for p in params if p["name"] == "ids")["schema"]


def test_ids_that_the_document_allows_are_accepted(live: MockServer) -> None:
    """ST202: ``?ids=ÞÔ>`` was schema-valid (the parameter was any string) yet answered 400."""
    client = Client(live)
    schema = ids_schema(client)
    assert "pattern" in schema
    assert re.search(schema["pattern"], "ÞÔ>") is None
    assert client.get(params={"ids": "ÞÔ>"}).status_code == 400


@given(data=st.data())
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_ids_value_matching_the_pattern_is_200(live: MockServer, data: st.DataObject) -> None:
    client = Client(live)
    value = data.draw(st.from_regex(ids_schema(client)["pattern"]))
    assert client.get(params={"ids": value}).status_code == 200, repr(value)


@pytest.mark.parametrize(
    "value",
    [
        f"{{{uuid.UUID(int=1)}}}",
        uuid.UUID(int=1).hex,
        f"urn:uuid:{uuid.UUID(int=1)}",
        "abc",
        f"{uuid.UUID(int=1)} x",
    ],
)
def test_ids_outside_the_pattern_are_400(live: MockServer, value: str) -> None:
    """Exactly the documented shape: the negative checks expect the values the document refuses to be refused."""
    client = Client(live)
    assert re.search(ids_schema(client)["pattern"], value) is None
    response = client.get(params={"ids": value})
    assert response.status_code == 400 and list(response.json()) == ["ids"]


def test_uppercase_ids_are_accepted_and_normalised(live: MockServer) -> None:
    client = Client(live)
    job = client.create()
    listed = client.get(params={"ids": f" {job['id'].upper()} ,"}).json()
    assert [j["id"] for j in listed] == [job["id"]]


@pytest.mark.parametrize(
    ("allowed", "names"),
    [([["f"]], ["f"]), ([{"a": 1}], ["f"]), (["f"], [["f"]]), ([1.5, None], [7])],
)
@pytest.mark.parametrize("path", ["/sse/text_generator/", "/sse/text_generator/stream/"])
def test_names_that_are_no_strings_are_a_400_in_the_sse_shape(
    live: MockServer, allowed: Any, names: list[Any], path: str
) -> None:
    """Seed 1048226519 (fuzzing, /sse/) generated a list where a function name goes: the hook that filters
    bodies raised on it, so the mock never saw such a body. It answers them like any schema-invalid one."""
    sent = {
        "model_name": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": "Hi"}],
        "tools": [{"function_declarations": [{"name": name} for name in names]}],
        "tool_config": {"function_calling_config": {"mode": "ANY", "allowed_function_names": allowed}},
    }
    response = requests.post(live.url + path, json=sent, headers=live.headers, timeout=10)
    assert response.status_code == 400 and response.headers["Content-Type"] == "application/json"
    assert list(response.json()) == ["error"] and "Invalid request body" in response.json()["error"]
