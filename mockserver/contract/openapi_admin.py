"""The OpenAPI 3.1 document of the mock's own admin API (``GET /__admin/openapi.json``), from ``schemas/``.

Kept apart from the imitated API's document so generated API clients, Prism and Schemathesis see only the API;
one function per admin blueprint, in the order ``mockserver/web/admin`` registers them.
"""

from __future__ import annotations

from typing import Any

from mockserver.config.version import mock_version
from mockserver.contract.openapi_components import reachable, ref, schema_ref
from mockserver.contract.openapi_parts import (
    answer,
    body,
    drf_errors,
    json_content,
    operation,
    path_parameter,
    query_parameter,
)

JOBS, SCENARIOS, WEBHOOKS = "Admin: jobs and clock", "Admin: scenarios", "Admin: webhooks"
ACCOUNTS, STATE, JOURNAL = "Admin: accounts", "Admin: state", "Admin: request journal"
DEFAULT_SERVER = "http://127.0.0.1:8000"


def _array(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def _errors(*codes: int) -> dict[str, Any]:
    """Admin errors: DRF-shaped bodies like the API's, plus the admin token's 401 and the advance's 409."""
    texts = {
        401: "With --admin-token: the token is missing or wrong",
        404: "No such job, rule, delivery",
        409: "The job is terminal (done or failed): terminal jobs never change",
    }
    out = drf_errors(*(c for c in codes if c not in texts))
    for code in codes:
        if code in texts:
            out[str(code)] = answer(schema_ref("error_detail"), texts[code])
    return dict(sorted(out.items()))


def _op(
    operation_id: str, summary: str, tag: str, ok: dict[str, Any], *errors: int, **more: Any
) -> dict[str, Any]:
    return operation(operation_id, summary, tag, {**ok, **_errors(401, *errors)}, **more)


def job_paths() -> dict[str, Any]:
    job_id = path_parameter("id", "The job's id")
    clock = answer(ref("AdminResultsClock"), "The mock's clock")
    return {
        "/__admin/health": {
            "get": operation(
                "adminHealth",
                "Is the mock up",
                JOBS,
                {"200": answer(schema_ref("admin_health"), "Up")},
                description="Never needs the admin token.",
                security=[],
            )
        },
        "/__admin/reset": {
            "post": _op(
                "adminReset",
                "Forget every job, delivery and journal entry",
                JOBS,
                {"200": answer(ref("AdminResultsReset"), "Reset")},
                description="Startup scenarios and balances come back; the seeded sequence restarts.",
            )
        },
        "/__admin/jobs": {
            "get": _op(
                "adminListJobs",
                "Every job of every account",
                JOBS,
                {"200": answer(schema_ref("job_list"), "Newest first")},
                parameters=[query_parameter("account", "Only this X-API-ID's jobs")],
            )
        },
        "/__admin/jobs/{id}": {
            "get": _op(
                "adminGetJob",
                "One job, any account",
                JOBS,
                {"200": answer(schema_ref("job"), "The job")},
                404,
                parameters=[job_id],
            )
        },
        "/__admin/jobs/{id}/advance": {
            "post": _op(
                "adminAdvanceJob",
                "Move a job now",
                JOBS,
                {"200": answer(schema_ref("job"), "The job moved")},
                400,
                404,
                409,
                413,
                415,
                description="No body: the next status. With a status: straight there (through running).",
                parameters=[job_id],
                requestBody=body("admin_advance", required=False),
            )
        },
        "/__admin/clock": {"get": _op("adminGetClock", "The mock's clock", JOBS, {"200": clock})},
        "/__admin/clock/advance": {
            "post": _op(
                "adminAdvanceClock",
                "Move the clock forward",
                JOBS,
                {"200": clock},
                400,
                413,
                415,
                description="Works in every timing mode; transitions the move crosses happen at once.",
                requestBody=body("admin_clock_advance"),
            )
        },
    }


def scenario_paths() -> dict[str, Any]:
    rules = answer(_array(schema_ref("admin_rule")), "The rules in force, first match wins")
    one_or_many = {"anyOf": [schema_ref("scenario_rule"), _array(schema_ref("scenario_rule"))]}
    added = {"anyOf": [schema_ref("admin_rule"), _array(schema_ref("admin_rule"))]}
    return {
        "/__admin/scenarios": {
            "get": _op("adminListScenarios", "The scenario rules", SCENARIOS, {"200": rules}),
            "post": _op(
                "adminAddScenarios",
                "Add a rule, or a list of rules",
                SCENARIOS,
                {"201": answer(added, "What was added: one rule for one, a list for a list")},
                400,
                413,
                415,
                description="At the end, or from ?position=N; all or none.",
                parameters=[
                    query_parameter("position", "Insert here instead of at the end", {"type": "integer"})
                ],
                requestBody={"required": True, "content": json_content(one_or_many)},
            ),
            "put": _op(
                "adminReplaceScenarios",
                "Replace every rule",
                SCENARIOS,
                {"200": rules},
                400,
                413,
                415,
                requestBody=body("scenario_file"),
            ),
            "delete": _op("adminClearScenarios", "Remove every rule", SCENARIOS, {"200": rules}),
        },
        "/__admin/scenarios/{rule_id}": {
            "delete": _op(
                "adminRemoveScenario",
                "Remove one rule",
                SCENARIOS,
                {"200": rules},
                404,
                parameters=[path_parameter("rule_id", "The rule's id (its name when it has one)")],
            )
        },
    }


def webhook_paths() -> dict[str, Any]:
    delivery = schema_ref("admin_delivery")
    delivery_id = path_parameter(
        "delivery_id", "The delivery id (X-Webhook-Id)", {"type": "string", "format": "uuid"}
    )
    faults = answer(schema_ref("admin_webhook_faults"), "The fault knobs in force")
    return {
        "/__admin/webhooks": {
            "get": _op(
                "adminListWebhooks",
                "The delivery log",
                WEBHOOKS,
                {"200": answer(_array(delivery), "Oldest first")},
                parameters=[query_parameter("job_id", "Only this job's events")],
            )
        },
        "/__admin/webhooks/{delivery_id}": {
            "get": _op(
                "adminGetWebhook",
                "One event",
                WEBHOOKS,
                {"200": answer(delivery, "The event")},
                404,
                parameters=[delivery_id],
            )
        },
        "/__admin/webhooks/{delivery_id}/redeliver": {
            "post": _op(
                "adminRedeliverWebhook",
                "Send an event again",
                WEBHOOKS,
                {"202": answer(delivery, "Queued: same delivery id, next attempt number")},
                404,
                parameters=[delivery_id],
            )
        },
        "/__admin/webhooks/reset": {
            "post": _op(
                "adminResetWebhooks",
                "Clear the log, drop queued events",
                WEBHOOKS,
                {"200": answer(ref("AdminResultsReset"), "Reset")},
            )
        },
        "/__admin/webhooks/faults": {
            "get": _op("adminGetWebhookFaults", "The webhook faults for this run", WEBHOOKS, {"200": faults}),
            "put": _op(
                "adminSetWebhookFaults",
                "Change the webhook faults for this run",
                WEBHOOKS,
                {"200": faults},
                400,
                413,
                415,
                requestBody=body("admin_webhook_faults"),
            ),
        },
    }


def account_paths() -> dict[str, Any]:
    balance = answer(ref("AdminResultsBalance"), "The balance; credits null means unlimited")
    api_id = path_parameter("api_id", "The account (X-API-ID)")
    return {
        "/__admin/accounts": {
            "get": _op(
                "adminListAccounts",
                "Every account that has a balance",
                ACCOUNTS,
                {"200": answer(ref("AdminResultsBalances"), "The balances")},
            )
        },
        "/__admin/accounts/{api_id}": {
            "get": _op(
                "adminGetAccount", "One account's balance", ACCOUNTS, {"200": balance}, parameters=[api_id]
            ),
            "put": _op(
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
            "delete": _op(
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
            "get": _op(
                "adminExportState",
                "Export the mock's state",
                STATE,
                {"200": answer(schema_ref("admin_state"), "Jobs, scenarios, balances, sequence")},
            ),
            "put": _op(
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
            "get": _op(
                "adminListRequests",
                "The request journal",
                JOURNAL,
                {"200": answer(_array(schema_ref("admin_request")), "Newest first")},
                400,
                parameters=params,
            ),
            "delete": _op(
                "adminClearRequests",
                "Clear the journal",
                JOURNAL,
                {"200": answer(ref("AdminResultsDeleted"), "How many were dropped")},
            ),
        }
    }


def admin_paths() -> dict[str, Any]:
    return {
        **job_paths(),
        **scenario_paths(),
        **webhook_paths(),
        **account_paths(),
        **state_paths(),
        **journal_paths(),
    }


def build_admin(server_url: str | None = None) -> dict[str, Any]:
    paths = admin_paths()
    tags = [JOBS, SCENARIOS, WEBHOOKS, ACCOUNTS, STATE, JOURNAL]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "creatify-mock admin API",
            "version": mock_version(),
            "description": "The mock's own API under /__admin/ (WireMock-style): jobs, clock, scenario rules, "
            "webhook log and faults, balances, state snapshots, request journal. No API credentials; with "
            "--admin-token every call but health needs the token.",
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
