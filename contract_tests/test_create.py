"""Create: valid requests answer 201 with a pending job that echoes them; invalid ones a 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from .checks import check_error_names_field, check_status
from .checks_job import check_echo
from .client import API, ContractClient
from .invalid import InvalidCase, invalid_requests, mutations
from .profiles import contract_settings
from .report import Report
from .strategies import create_requests


@pytest.mark.contract("echo")
@contract_settings(max_examples=20)
@given(body=create_requests())
def test_valid_request_creates_a_pending_job_that_echoes_it(
    contract_client: ContractClient, body: dict[str, Any]
) -> None:
    job = contract_client.create(body)
    again, exchange = contract_client.read(job["id"])
    check_echo(body, again, exchange)


@pytest.mark.contract("status")
@contract_settings(max_examples=30)
@given(case=invalid_requests(documented=True))
def test_documented_violation_is_a_400_naming_the_field(
    contract_client: ContractClient, case: InvalidCase
) -> None:
    exchange = contract_client.send("POST", API, json=case.body)
    if exchange.status == 201:
        contract_client.budget.charge()  # accepted: a job (and its credits) the run did not plan
    check_status(exchange, 400, f"create with {case.mutation.name}")
    check_error_names_field(exchange, case.mutation.field)


@pytest.mark.contract("observations")
def test_undocumented_rules_are_observed(contract_client: ContractClient, contract_report: Report) -> None:
    """Rules only the project's schema states (Gemini's limits, empty lists): what the target does is noted."""
    base = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Write a tagline"}]}
    for mutation in mutations():
        if mutation.documented:
            continue
        if contract_client.budget.remaining == 0:
            break
        exchange = contract_client.send("POST", API, json=mutation.apply(base))
        if exchange.status == 201:
            contract_client.budget.charge()
        contract_report.observe(
            "undocumented_validation",
            {"case": mutation.name, "status": exchange.status, "body": exchange.body},
        )
