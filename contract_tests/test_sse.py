"""The ``/sse/text_generator/`` family: async and sync create, list, detail, its 400s, and the event stream.

Documented-only checks (Creatify's API reference and guide). Every test skips, with the reason in the summary,
when the target answers 404 on the family.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .checks import Exchange, check_status
from .checks_job import check_created_pending, check_echo
from .checks_sse import (
    check_finish_reason,
    check_sse_error,
    check_sse_response,
    check_stream,
    check_streamed_text,
    check_terminal,
)
from .client import API, ContractClient
from .config import ContractConfig
from .report import Report
from .rules import covers
from .sse_reader import STREAM, read_stream

pytest.importorskip("httpx_sse", reason="the /sse/ tests read streams with httpx-sse: pip install httpx-sse")

pytestmark = pytest.mark.contract("sse")
SSE = "/sse/text_generator/"
BODY: dict[str, Any] = {
    "model_name": "gemini-2.5-flash",
    "messages": [{"role": "user", "content": "Write a tagline for a bakery"}],
}


@pytest.fixture(scope="module")
def sse(contract_client: ContractClient) -> ContractClient:
    """The client, once the target proved it has the family (a 404 on the list skips every test here)."""
    exchange = contract_client.send("GET", SSE, check=False)
    if exchange.status == 404:
        pytest.skip(f"the target answers GET {SSE} with 404: it has no /sse/ family")
    return contract_client


def _send(client: ContractClient, method: str, path: str, kind: str | None, **kwargs: Any) -> Exchange:
    exchange = client.send(method, path, check=False, **kwargs)
    check_sse_response(exchange, kind)
    return exchange


def _create(client: ContractClient, body: dict[str, Any]) -> Exchange:
    client.budget.take()
    exchange = _send(client, "POST", SSE, "text_gen_response", json=body)
    check_status(exchange, 201, "sse create")
    check_echo(body, exchange.body, exchange)
    return exchange


@covers("sse.create", "sse.no5xx")
def test_async_create_answers_a_pending_job(sse: ContractClient) -> None:
    created = _create(sse, BODY)
    check_created_pending(created.body, created)
    job = created.body
    detail = _send(sse, "GET", f"{SSE}{job['id']}/", "text_gen_response")
    check_status(detail, 200, "sse detail")
    check_echo(BODY, detail.body, detail)


@covers("sse.sync", "sse.no5xx")
def test_sync_create_answers_the_finished_job(sse: ContractClient) -> None:
    exchange = _create(sse, {**BODY, "sync": True})
    check_terminal(exchange.body, exchange)


@covers("sse.list", "sse.no5xx")
def test_list_is_a_plain_array_of_jobs(sse: ContractClient) -> None:
    exchange = _send(sse, "GET", SSE, "text_gen_response_list")
    check_status(exchange, 200, "sse list")


@covers("sse.invalid", "sse.no5xx")
@pytest.mark.parametrize(
    "body",
    [
        {"messages": BODY["messages"]},
        {"model_name": "gemini-2.5-flash"},
        {**BODY, "model_name": "not-a-gemini-model"},
        {**BODY, "messages": [{"role": "assistant", "content": "x"}]},
    ],
    ids=["no model_name", "no messages", "unknown model", "bad role"],
)
def test_documented_violations_are_400_with_an_error_string(
    sse: ContractClient, body: dict[str, Any]
) -> None:
    exchange = _send(sse, "POST", SSE, "text_gen_response", json=body)
    if exchange.status == 201:
        sse.budget.charge()
    check_status(exchange, 400, "sse create with an invalid body")
    check_sse_error(exchange)


@covers("sse.stream", "sse.stream.finish", "sse.stream.job", "sse.stream.same", "sse.no5xx")
def test_stream_sends_gemini_chunks_and_the_job_keeps_the_text(
    sse: ContractClient, contract_config: ContractConfig, contract_report: Report
) -> None:
    sse.budget.take()
    timeout = max(30.0, contract_config.poll_timeout)
    read = read_stream(sse.base_url, sse.headers, BODY, timeout)
    if read.exchange.status == 400:
        check_sse_error(read.exchange)
    creatify = check_stream(read)
    with contract_report.reported("sse.stream.finish"):
        check_finish_reason(read)
    for path, kind in ((f"{SSE}{creatify['id']}/", "text_gen_response"), (f"{API}{creatify['id']}/", "job")):
        exchange = sse.send("GET", path, kind=kind)  # the /api/ read gets the /api/ checks
        check_status(exchange, 200, f"read of a streamed job on {path}")
        assert exchange.body["id"] == creatify["id"]
        with contract_report.reported("sse.stream.same"):
            check_streamed_text(read, exchange.body, exchange)


@covers("sse.stream.invalid", "sse.no5xx")
def test_stream_errors_before_streaming_are_json(
    sse: ContractClient, contract_config: ContractConfig
) -> None:
    read = read_stream(sse.base_url, sse.headers, {"messages": BODY["messages"]}, 30.0)
    check_status(read.exchange, 400, "stream with no model_name")
    check_sse_error(read.exchange)


#: Every /sse/ call, as (method, path, body); the list's 401 is documented, the others only "credentials required".
CALLS = (
    ("GET", SSE, None),
    ("POST", SSE, BODY),
    ("GET", f"{SSE}{uuid.UUID(int=1)}/", None),
    ("POST", STREAM, BODY),
)


@covers("sse.auth", "sse.no5xx")
@pytest.mark.parametrize("wrong", [False, True], ids=["missing", "wrong"])
@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=[f"{m} {p}" for m, p, _ in CALLS])
def test_credentials_are_required(
    sse: ContractClient, contract_report: Report, method: str, path: str, body: Any, wrong: bool
) -> None:
    headers = {**sse.headers, "X-API-KEY": "contract-wrong-key-" + uuid.uuid4().hex} if wrong else {}
    if path == STREAM:
        exchange = read_stream(sse.base_url, headers, body, 30.0).exchange
    else:
        exchange = sse.send(method, path, json=body, headers=headers, credentials=wrong, check=False)
    if exchange.status in (200, 201):
        sse.budget.charge() if method == "POST" else None
    check_sse_response(exchange, None)
    allowed = (401,) if (method, path) == ("GET", SSE) else (401, 403)
    check_status(exchange, allowed, f"{method} {path} with {'a wrong' if wrong else 'no'} X-API-KEY")
    contract_report.observe(
        "sse_credentials", {"call": f"{method} {path}", "wrong": wrong, "status": exchange.status}
    )
