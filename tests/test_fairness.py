"""One account's heavy schemas cannot delay another account's job beyond its own time (issue 21): a real server,
thirty budget-burning JSON jobs of account A, then one job of account B whose schema takes ~0.3 s to generate."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # a real server; it bounds a wall-clock time: run alone

#: ~0.3 s of jsongen work on this machine, done well inside the default 2 s budget.
ITEMS = {
    "type": "object",
    "properties": {"a": {"type": "string", "pattern": "^[a-z]{5,10}$"}, "b": {"type": "number"}},
    "required": ["a", "b"],
}
MODEST = {"type": "array", "minItems": 400, "maxItems": 400, "items": ITEMS}
#: Unsatisfiable in a way jsongen only finds out by trying: every attempt burns the whole budget.
BURNING = {"allOf": [MODEST, {"not": {"maxItems": 400}}]}
TERMINAL = ("done", "failed")


def json_mode(schema: Any, note: str) -> dict[str, Any]:
    body = valid_body(config={"response_mime_type": "application/json", "response_json_schema": schema})
    body["messages"][0]["content"] = note
    return body


def test_another_accounts_job_is_not_starved_by_thirty_heavy_ones() -> None:
    with MockServer(timing="instant", threads=16) as mock:
        a = requests.Session()
        a.headers.update({"X-API-ID": "greedy", "X-API-KEY": "k"})
        heavy = [
            a.post(mock.url + API, json=json_mode(BURNING, f"heavy {i}"), timeout=TIMEOUT).json()["id"]
            for i in range(30)
        ]
        listed = a.get(mock.url + API, timeout=TIMEOUT).json()  # finds all 30 due: each goes to the workers
        assert {j["id"] for j in listed} == set(heavy)
        assert {j["status"] for j in listed} <= {"running", "failed"}
        b = requests.Session()
        b.headers.update({"X-API-ID": "modest", "X-API-KEY": "k"})
        created = time.monotonic()
        mine = b.post(mock.url + API, json=json_mode(MODEST, "mine"), timeout=TIMEOUT).json()
        seen = mine
        while time.monotonic() - created < 6.0 and seen["status"] not in TERMINAL:  # the issue's bound
            time.sleep(0.05)
            seen = b.get(f"{mock.url}{API}{mine['id']}/", timeout=TIMEOUT).json()
        took = time.monotonic() - created
        print(f"account B's job: {seen['status']} {took:.2f} s after its create")
        assert seen["status"] == "done", (seen["status"], seen["failed_reason"])
        states = [a.get(f"{mock.url}{API}{j}/", timeout=TIMEOUT).json() for j in heavy]
        reasons = {s["failed_reason"].split(":")[0] for s in states if s["status"] == "failed"}
        # over the cap (429), out of budget (504), or, on a machine fast enough to finish its attempts within the
        # budget, the schema found unsatisfiable (400): never anything else. Whether the queue reaches the cap here
        # depends on how fast this machine drains it (a run where the workers kept up saw no 429): the cap itself
        # is shown without timing in tests/core/test_background.py, its setting in tests/core/test_service.py.
        assert reasons <= {"429 RESOURCE_EXHAUSTED", "504 DEADLINE_EXCEEDED", "400 INVALID_ARGUMENT"}, reasons
