"""Create: valid requests answer 201 with a pending job that echoes them; documented-invalid ones are refused.

Every documented invalid request is sent once per run from a fixed body (so a run never depends on what
hypothesis happens to draw); hypothesis then breaks varied bodies on top. Rules only the mock or Gemini state
are sent too, and whatever the target does with them is observed, never judged.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from .checks import ContractViolation, Exchange, check_refused, check_response, error_shape
from .checks_job import check_created_pending, check_echo
from .client import API, ContractClient
from .invalid import BASE, InvalidCase, Mutation, documented_mutations, invalid_requests, mutations
from .profiles import contract_settings
from .report import Report
from .rules import covers
from .strategies import JSON_SCHEMAS, create_requests

#: One body with every documented config key, so one job shows the whole config echoed.
FULL_BODY: dict[str, Any] = {
    **BASE,
    "config": {
        "temperature": 0.7,
        "max_output_tokens": 40,
        "top_p": 0.9,
        "top_k": 40,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "seed": 7,
        "stop_sequences": ["END"],
        "response_mime_type": "text/plain",
        "response_json_schema": JSON_SCHEMAS[0],
    },
}


@pytest.mark.contract("echo")
@covers("api.create.201", "api.create.pending", "api.create.echo", "api.read", "api.timestamps", "api.no5xx")
def test_full_request_creates_a_pending_job_that_echoes_it(contract_client: ContractClient) -> None:
    job = contract_client.create(FULL_BODY)
    again, exchange = contract_client.read(job["id"])
    check_echo(FULL_BODY, again, exchange)


@pytest.mark.contract("echo")
@covers("api.create.201", "api.create.pending", "api.create.echo", "api.read", "api.no5xx")
@pytest.mark.contract_variety
@contract_settings(max_examples=20)
@given(body=create_requests())
def test_valid_request_creates_a_pending_job_that_echoes_it(
    contract_client: ContractClient, body: dict[str, Any]
) -> None:
    job = contract_client.create(body)
    again, exchange = contract_client.read(job["id"])
    check_echo(body, again, exchange)


def _refused(client: ContractClient, report: Report, body: dict[str, Any], mutation: Mutation) -> None:
    __tracebackhide__ = True
    exchange = client.send("POST", API, json=body)
    if exchange.status == 201:
        client.budget.charge()  # accepted: a job (and its credits) the run did not plan
    report.observe(
        "invalid_request_answers", {"case": mutation.name, **error_shape(exchange, mutation.field)}
    )
    check_refused(exchange, mutation.name)


@pytest.mark.contract("status")
@covers("api.create.invalid", "api.no5xx")
@pytest.mark.parametrize("mutation", documented_mutations(), ids=lambda m: m.test_id)
def test_documented_invalid_request_is_refused(
    contract_client: ContractClient, contract_report: Report, mutation: Mutation
) -> None:
    _refused(contract_client, contract_report, mutation.deterministic(), mutation)


@pytest.mark.contract("status")
@covers("api.create.invalid", "api.no5xx")
@pytest.mark.contract_variety
@contract_settings(max_examples=30)
@given(case=invalid_requests(documented=True))
def test_documented_violation_of_a_varied_body_is_refused(
    contract_client: ContractClient, contract_report: Report, case: InvalidCase
) -> None:
    _refused(contract_client, contract_report, case.body, case.mutation)


@pytest.mark.contract("observations")
def test_undocumented_rules_are_observed(contract_client: ContractClient, contract_report: Report) -> None:
    """Rules only the mock or Gemini state: refusing and accepting are both fine, so whatever the target does is
    written down and never failed: its answer, and for an accepted body whether it is an ordinary pending job that
    echoes what was sent (a lenient server may normalise instead)."""
    for mutation in mutations():
        if mutation.documented:
            continue
        if contract_client.budget.remaining == 0:
            contract_report.left_out(f"undocumented rule {mutation.name!r} not tried: job budget spent")
            continue
        body = mutation.deterministic()
        exchange = contract_client.send("POST", API, json=body, check=False)
        seen: dict[str, Any] = {"case": mutation.name, **error_shape(exchange)}
        if exchange.status == 201:
            contract_client.budget.charge()
            seen["ordinary_job"] = _ordinary(body, exchange) or "yes"
        contract_report.observe("undocumented_validation", seen)


def _ordinary(body: dict[str, Any], exchange: Exchange) -> str | None:
    """Why an accepted body did not give a pending job echoing it, or None (an observation, never raised)."""
    try:
        check_response(exchange, "job")
        check_created_pending(exchange.body, exchange)
        check_echo(body, exchange.body, exchange)
    except ContractViolation as exc:
        return str(exc).splitlines()[0]
    return None
