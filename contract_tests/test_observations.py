"""Requests the documentation says nothing about: what the target answers is written to the report.

Error shapes, unknown fields, paths without their trailing slash, malformed ids. The exact answer is never judged;
what is asserted is what holds whatever the server chooses: a malformed or unroutable request is the client's
error, so a 5xx (a crash) fails, and a job created with an unknown field is an ordinary job that echoes the body.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .checks import check_response
from .checks_job import check_echo
from .client import API, ContractClient
from .report import Report

pytestmark = pytest.mark.contract("observations")
BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Observe me"}]}


def _note(report: Report, key: str, case: str, exchange: Any) -> None:
    """Write the answer down, then hold it to the one rule every answer obeys: no 5xx."""
    headers = {k.lower(): v for k, v in exchange.headers.items()}
    report.observe(
        key,
        {
            "case": case,
            "status": exchange.status,
            "content_type": headers.get("content-type"),
            "location": headers.get("location"),
            "body": exchange.body if exchange.body is not None else exchange.text[:200],
        },
    )
    check_response(exchange, None)


def test_error_shapes(contract_client: ContractClient, contract_report: Report) -> None:
    cases: list[tuple[str, str, str, dict[str, Any]]] = [
        ("unknown route", "GET", "/api/text_generator_nope/", {}),
        ("PUT on the list", "PUT", API, {"json": BODY}),
        ("DELETE a job", "DELETE", f"{API}{uuid.uuid4()}/", {}),
        (
            "malformed JSON",
            "POST",
            API,
            {"data": b"{not json", "headers": {"Content-Type": "application/json"}},
        ),
        ("form-encoded body", "POST", API, {"data": {"model_name": "gemini-2.5-flash"}}),
        ("malformed id", "GET", f"{API}not-a-uuid/", {}),
        ("malformed ids filter", "GET", f"{API}?ids=not-a-uuid", {}),
    ]
    for case, method, path, kwargs in cases:
        _note(contract_report, "error_shapes", case, contract_client.send(method, path, **kwargs))


def test_trailing_slash_handling(contract_client: ContractClient, contract_report: Report) -> None:
    for case, path in (
        ("list without slash", API.rstrip("/")),
        ("read without slash", f"{API}{uuid.uuid4()}"),
    ):
        _note(contract_report, "trailing_slash", case, contract_client.send("GET", path, check=False))


def test_unknown_field_handling(contract_client: ContractClient, contract_report: Report) -> None:
    contract_client.budget.take()
    sent = {**BODY, "contract_unknown_field": "x"}
    exchange = contract_client.send("POST", API, json=sent, kind="job")
    echoed = isinstance(exchange.body, dict) and "contract_unknown_field" in exchange.body
    contract_report.observe("unknown_field", {"status": exchange.status, "echoed": echoed})
    if exchange.status == 201:  # accepted (DRF ignores unknown fields): an ordinary job that echoes the rest
        check_echo(BODY, exchange.body, exchange)
