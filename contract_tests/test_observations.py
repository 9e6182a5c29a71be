"""Requests the documentation says nothing about: what the target answers is written to the report, never judged.

Error shapes, unknown fields, paths without their trailing slash, malformed ids. Whatever the target does here is
allowed by the documentation, so these tests only observe: even a 5xx is reported (``server_errors``), not failed.
They fail only when the target cannot be reached at all.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .checks import ContractViolation, check_response
from .checks_job import check_echo
from .client import API, ContractClient
from .report import Report

pytestmark = pytest.mark.contract("observations")
BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Observe me"}]}


def _note(report: Report, key: str, case: str, exchange: Any) -> None:
    """Write the answer down; a 5xx is noted as a server error, not failed (the documentation is silent here)."""
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
    if exchange.status >= 500:
        report.observe("server_errors", {"case": case, "status": exchange.status})


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
        _note(
            contract_report, "error_shapes", case, contract_client.send(method, path, check=False, **kwargs)
        )


def test_trailing_slash_handling(contract_client: ContractClient, contract_report: Report) -> None:
    for case, path in (
        ("list without slash", API.rstrip("/")),
        ("read without slash", f"{API}{uuid.uuid4()}"),
    ):
        _note(contract_report, "trailing_slash", case, contract_client.send("GET", path, check=False))


def test_unknown_field_handling(contract_client: ContractClient, contract_report: Report) -> None:
    contract_client.budget.take()
    sent = {**BODY, "contract_unknown_field": "x"}
    exchange = contract_client.send("POST", API, json=sent, check=False)
    echoed = isinstance(exchange.body, dict) and "contract_unknown_field" in exchange.body
    contract_report.observe("unknown_field", {"status": exchange.status, "echoed": echoed})
    if (
        exchange.status == 201
    ):  # accepted (DRF ignores unknown fields): is it an ordinary job echoing the rest?
        contract_report.observe("unknown_field_job", {"ordinary": _problem(BODY, exchange) or "yes"})


def _problem(sent: dict[str, Any], exchange: Any) -> str | None:
    """Why an accepted undocumented request did not give an ordinary job (written down, never raised)."""
    try:
        check_response(exchange, "job")
        check_echo(sent, exchange.body, exchange)
    except ContractViolation as exc:
        return str(exc).splitlines()[0]
    return None
