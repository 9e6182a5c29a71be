"""Credentials and ids: 401/403 without or with wrong credentials, 404 for an id that does not exist."""

from __future__ import annotations

import uuid

import pytest

from .checks import check_status
from .client import API, ContractClient
from .report import Report
from .rules import covers

pytestmark = pytest.mark.contract("status")
BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Write a tagline"}]}
CALLS = (("POST", API), ("GET", API), ("GET", f"{API}{uuid.UUID(int=1)}/"))


@covers("api.auth", "api.no5xx")
@pytest.mark.parametrize(("method", "path"), CALLS)
def test_missing_credentials_are_refused(
    contract_client: ContractClient, contract_report: Report, method: str, path: str
) -> None:
    exchange = contract_client.send(method, path, json=BODY if method == "POST" else None, credentials=False)
    check_status(exchange, (401, 403), f"{method} {path} without credentials")
    contract_report.observe(
        "missing_credentials", {"call": f"{method} {path}", "status": exchange.status, "body": exchange.body}
    )


@covers("api.auth", "api.no5xx")
@pytest.mark.parametrize(("method", "path"), CALLS)
def test_wrong_credentials_are_refused(
    contract_client: ContractClient, contract_report: Report, method: str, path: str
) -> None:
    wrong = {
        "X-API-ID": contract_client.headers["X-API-ID"],
        "X-API-KEY": "contract-wrong-key-" + uuid.uuid4().hex,
    }
    exchange = contract_client.send(method, path, json=BODY if method == "POST" else None, headers=wrong)
    check_status(exchange, (401, 403), f"{method} {path} with a wrong X-API-KEY")
    contract_report.observe(
        "wrong_credentials",
        {
            "call": f"{method} {path}",
            "status": exchange.status,
            "body": exchange.body,
            "www_authenticate": {k.lower(): v for k, v in exchange.headers.items()}.get("www-authenticate"),
        },
    )


@covers("api.read.404", "api.no5xx")
def test_unknown_id_is_404(contract_client: ContractClient) -> None:
    exchange = contract_client.send("GET", f"{API}{uuid.uuid4()}/")
    check_status(exchange, 404, "read of an id that was never created")
