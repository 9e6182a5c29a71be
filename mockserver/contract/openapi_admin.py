"""The OpenAPI 3.1 document of the mock's own admin API (``GET /__admin/openapi.json``), from ``schemas/``.

Kept apart from the imitated API's document so generated API clients, Prism and Schemathesis see only the API.
Paths about jobs live in ``openapi_admin_jobs``; accounts, state and the journal are here.
"""

from __future__ import annotations

from typing import Any

from mockserver.config.version import mock_version
from mockserver.contract.openapi_admin_events import EVENTS, event_paths
from mockserver.contract.openapi_admin_jobs import (
    ACCOUNTS,
    DEFAULT_SERVER,
    JOBS,
    JOURNAL,
    PAGE_PARAMETERS,
    SCENARIOS,
    STATE,
    WEBHOOKS,
    admin_errors,
    admin_op,
    array,
    job_paths,
    page,
    scenario_paths,
    webhook_paths,
)
from mockserver.contract.openapi_components import reachable, ref, schema_ref
from mockserver.contract.openapi_parts import answer, body, path_parameter, query_parameter


def account_paths() -> dict[str, Any]:
    balance = answer(ref("AdminResultsBalance"), "The balance; credits null means unlimited")
    api_id = path_parameter("api_id", "The account (X-API-ID)")
    return {
        "/__admin/accounts": {
            "get": admin_op(
                "adminListAccounts",
                "Every account that has a balance",
                ACCOUNTS,
                {"200": answer(ref("AdminResultsBalances"), "The balances")},
            )
        },
        "/__admin/accounts/{api_id}": {
            "get": admin_op(
                "adminGetAccount", "One account's balance", ACCOUNTS, {"200": balance}, parameters=[api_id]
            ),
            "put": admin_op(
                "adminSetAccount",
                "Set a balance",
                ACCOUNTS,
                {"200": balance},
                400,
                413,
                415,
                parameters=[api_id],
                requestBody=body("admin_account"),
            ),
            "delete": admin_op(
                "adminUnlimitAccount",
                "Make an account unlimited",
                ACCOUNTS,
                {"200": balance},
                parameters=[api_id],
            ),
        },
    }


def state_paths() -> dict[str, Any]:
    return {
        "/__admin/state": {
            "get": admin_op(
                "adminExportState",
                "Export the mock's state",
                STATE,
                {"200": answer(schema_ref("admin_state"), "Jobs, scenarios, balances, sequence")},
            ),
            "put": admin_op(
                "adminImportState",
                "Import a state",
                STATE,
                {"200": answer(ref("AdminResultsImported"), "Done")},
                400,
                413,
                415,
                description="Replaces the parts present; checked before anything changes.",
                requestBody=body("admin_state"),
            ),
        }
    }


def journal_paths() -> dict[str, Any]:
    params = [
        query_parameter("path", "Exact path, or a prefix ending in *"),
        query_parameter("method", "HTTP method"),
        query_parameter("status", "A status such as 201, or a class such as 4xx"),
        query_parameter("since", "ISO 8601 time, inclusive"),
        query_parameter("api_id", "The X-API-ID"),
    ]
    return {
        "/__admin/requests": {
            "get": admin_op(
                "adminListRequests",
                "The request journal",
                JOURNAL,
                {"200": page(array(schema_ref("admin_request")), "Newest first")},
                400,
                parameters=[*params, *PAGE_PARAMETERS],
            ),
            "delete": admin_op(
                "adminClearRequests",
                "Clear the journal",
                JOURNAL,
                {"200": answer(ref("AdminResultsDeleted"), "How many were dropped")},
            ),
        }
    }


def admin_paths() -> dict[str, Any]:
    paths = {
        **job_paths(),
        **scenario_paths(),
        **webhook_paths(),
        **account_paths(),
        **state_paths(),
        **journal_paths(),
        **event_paths(),
    }
    for item in paths.values():  # every state-changing call refuses what a page can send unasked
        for method in ("post", "put", "patch", "delete"):
            if method in item:
                item[method]["responses"] = {**item[method]["responses"], **admin_errors(415)}
    return paths


def build_admin(server_url: str | None = None) -> dict[str, Any]:
    paths = admin_paths()
    tags = [JOBS, SCENARIOS, WEBHOOKS, ACCOUNTS, STATE, JOURNAL, EVENTS]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "creatify-mock admin API",
            "version": mock_version(),
            "description": "The mock's own API under /__admin/ (WireMock-style): jobs, clock, scenario rules, "
            "webhook log and faults, balances, state snapshots, request journal. No API credentials; with "
            "--admin-token every call but health needs the token. A call that changes something must send "
            "Content-Type: application/json (an empty body is fine) or X-Creatify-Mock: 1, else 415. Lists are "
            "paginated: limit and cursor, the next page in X-Next-Cursor and Link. No CORS unless "
            "--admin-cors-origins names origins.",
            "license": {"name": "MIT", "identifier": "MIT"},
            "contact": {"name": "creatify-mock"},
        },
        "servers": [{"url": server_url or DEFAULT_SERVER, "description": "creatify-mock"}],
        "tags": [{"name": t, "description": f"The mock's {t.removeprefix('Admin: ')}"} for t in tags],
        "paths": paths,
        "components": {
            "schemas": reachable([paths]),
            "securitySchemes": {
                "AdminToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Admin-Token",
                    "description": "--admin-token, when the mock has one",
                },
                "AdminBearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The same token as a bearer",
                },
            },
        },
        "security": [{}, {"AdminToken": []}, {"AdminBearer": []}],
    }
