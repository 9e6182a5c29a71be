"""Cost bounded by count, not only bytes (issue 21): count limits refused in each family's shape and naming the
limit, error bodies that list the first problems and say how many more, the /api/ list bounded, admin pages."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body
from .receiver import Receiver

pytestmark = pytest.mark.slow  # real servers

SSE = "/sse/text_generator/"
JSON = {"Content-Type": "application/json"}


def declarations(n: int) -> list[dict[str, Any]]:
    params = {"type": "object", "properties": {"a": {"type": "string"}}}
    return [{"function_declarations": [{"name": f"f{i}", "parameters": params} for i in range(n)]}]


@pytest.fixture(scope="module")
def mock() -> Any:
    with MockServer(timing="instant") as server:
        yield server


def post(mock: MockServer, path: str, body: Any) -> requests.Response:
    headers = {**mock.headers, **JSON}
    return requests.post(mock.url + path, data=orjson.dumps(body), headers=headers, timeout=TIMEOUT)


def test_three_hundred_thousand_empty_messages_are_refused_naming_the_limit(mock: MockServer) -> None:
    body = {"model_name": "gemini-2.5-flash", "messages": [{}] * 300_000}
    api = post(mock, API, body)
    assert api.status_code == 400 and list(api.json()) == ["messages"]
    [message] = api.json()["messages"]
    assert "2000" in message and "max_messages" in message and "300000" in message
    for path in (SSE, SSE + "stream/"):
        sse = post(mock, path, body)
        assert sse.status_code == 400 and "max_messages" in sse.json()["error"], path
        assert sse.json()["error"].startswith("Invalid request body: messages: ")
    assert len(api.content) < 1000


def test_eight_thousand_declarations_and_too_many_tools_are_refused(mock: MockServer) -> None:
    many = post(mock, SSE, valid_body(tools=declarations(8000)))
    assert many.status_code == 400 and "max_function_declarations" in many.json()["error"]
    assert "8000" in many.json()["error"]
    tools = post(mock, SSE, valid_body(tools=[{"function_declarations": []}] * 129))
    assert tools.status_code == 400 and "max_tools" in tools.json()["error"]
    fine = post(mock, SSE, valid_body(tools=declarations(512)))
    assert fine.status_code == 201, fine.text[:300]


def test_a_wide_container_anywhere_is_refused_with_its_path(mock: MockServer) -> None:
    schema = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(10_001)}}
    config = {"response_mime_type": "application/json", "response_json_schema": schema}
    wide = post(mock, API, valid_body(config=config))
    assert wide.status_code == 400
    assert list(wide.json()) == ["config.response_json_schema.properties"]
    assert "max_container_items" in wide.json()["config.response_json_schema.properties"][0]


def test_error_bodies_list_the_first_problems_and_say_how_many_more(mock: MockServer) -> None:
    body = {"model_name": "gemini-2.5-flash", "messages": [{"role": "bad"}] * 300}
    api = post(mock, API, body).json()
    # 300 problems: counting stops at 200 (ten per listed one), so the count is a lower bound, said as one.
    assert api["non_field_errors"] == [
        "At least 181 more problems are not listed (counting stopped at 200); the first 20 are."
    ]
    assert len(api["messages"]) == 20
    sse = post(mock, SSE, body).json()["error"]
    assert "At least 181 more problems are not listed" in sse and len(sse) < 1000
    few = post(mock, API, {**body, "messages": [{"role": "bad"}] * 30}).json()
    assert few["non_field_errors"] == ["10 more problems are not listed; the first 20 are."]


def test_the_api_list_keeps_its_plain_array_bounded_to_the_newest_jobs() -> None:
    with MockServer(timing="instant", max_list_jobs=3) as mock:
        ids = [post(mock, API, valid_body()).json()["id"] for _ in range(5)]
        listed = requests.get(mock.url + API, headers=mock.headers, timeout=TIMEOUT).json()
        assert [j["id"] for j in listed] == ids[::-1][:3]
        sse = requests.get(mock.url + SSE, headers=mock.headers, timeout=TIMEOUT).json()
        assert [j["id"] for j in sse] == ids[::-1][:3]
        oldest = requests.get(f"{mock.url}{API}?ids={ids[0]}", headers=mock.headers, timeout=TIMEOUT).json()
        assert [j["id"] for j in oldest] == [ids[0]]  # ?ids= reaches any job


def walk(mock: MockServer, path: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Every page of an admin list by following Link headers (bounded); the items and the page count."""
    url: str | None = f"{mock.url}/__admin/{path}{'&' if '?' in path else '?'}limit={limit}"
    items: list[dict[str, Any]] = []
    pages = 0
    while url is not None and pages < 50:
        answer = requests.get(url, timeout=TIMEOUT)
        assert answer.status_code == 200 and isinstance(answer.json(), list)
        assert len(answer.json()) <= limit
        items += answer.json()
        pages += 1
        link = answer.headers.get("Link")
        assert (link is None) == ("X-Next-Cursor" not in answer.headers)
        url = link[1 : link.index(">")] if link else None
        if url is not None:
            assert f"cursor={answer.headers['X-Next-Cursor']}" in url
    return items, pages


def test_admin_lists_paginate_with_a_cursor_and_link_headers() -> None:
    with Receiver() as receiver, MockServer(timing="instant", admin_page_size=4) as mock:
        ids = [post(mock, API, valid_body(webhook_url=receiver.url())).json()["id"] for _ in range(7)]
        jobs, pages = walk(mock, "jobs", 3)
        assert [j["id"] for j in jobs] == ids[::-1] and pages == 3
        mine, _ = walk(mock, f"jobs?account={mock.api_id}", 2)
        assert [j["id"] for j in mine] == ids[::-1]
        default = requests.get(f"{mock.url}/__admin/jobs", timeout=TIMEOUT)
        assert len(default.json()) == 4 and "X-Next-Cursor" in default.headers  # --admin-page-size
        calls, _ = walk(mock, "requests?method=POST", 2)
        assert [c["id"] for c in calls] == sorted((c["id"] for c in calls), reverse=True) and len(calls) == 7
        for job_id in ids:
            mock.service.webhooks.log.wait(job_id, 1, timeout=10)
        everything = mock.service.deliveries()
        deliveries, _ = walk(mock, "webhooks", 3)
        assert [d["delivery_id"] for d in deliveries] == [d["delivery_id"] for d in everything]
        for bad in ("limit=0", "limit=x", "limit=1001", "cursor=abc", "cursor=-1"):
            refused = requests.get(f"{mock.url}/__admin/jobs?{bad}", timeout=TIMEOUT)
            assert refused.status_code == 400 and set(refused.json()) <= {"limit", "cursor"}, bad
