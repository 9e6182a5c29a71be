"""Admin API paths about jobs and what happens to them: jobs and clock, scenario rules, webhook deliveries.

One function per admin blueprint (``mockserver/web/admin``); the shared pieces of the admin document are here too.
"""

from __future__ import annotations

from typing import Any

from mockserver.contract.openapi_components import ref, schema_ref
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


def array(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def admin_errors(*codes: int) -> dict[str, Any]:
    """Admin errors: DRF-shaped bodies like the API's, plus the admin token's 401 and the advance's 409."""
    texts = {
        401: "With --admin-token: the token is missing or wrong",
        404: "No such job, rule, delivery",
        409: "The job is terminal (done or failed): terminal jobs never change",
        415: "Neither Content-Type: application/json nor X-Creatify-Mock: 1 (what a web page can send unasked)",
    }
    out = drf_errors(*(c for c in codes if c not in texts))
    for code in codes:
        if code in texts:
            out[str(code)] = answer(schema_ref("error_detail"), texts[code])
    return dict(sorted(out.items()))


#: ``limit`` and ``cursor`` of the paginated admin lists (docs/security.md).
PAGE_PARAMETERS = [
    query_parameter(
        "limit",
        "Items per page, 1 to 1000 (default --admin-page-size, 100)",
        {"type": "integer", "minimum": 1},
    ),
    query_parameter("cursor", "The X-Next-Cursor value of the previous page (none: the first page)"),
]
_NEXT = "absent on the last page"
PAGE_HEADERS = {
    "X-Next-Cursor": {
        "description": f"The next page's cursor; {_NEXT}",
        "required": False,
        "schema": {"type": "string"},
    },
    "Link": {
        "description": f'<URL of the next page>; rel="next"; {_NEXT}',
        "required": False,
        "schema": {"type": "string"},
    },
}


def page(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A paginated list's 200: a plain array, the next page named in headers."""
    return {**answer(schema, f"{description}; one page (limit, cursor)"), "headers": PAGE_HEADERS}


def admin_op(
    operation_id: str, summary: str, tag: str, ok: dict[str, Any], *errors: int, **more: Any
) -> dict[str, Any]:
    return operation(operation_id, summary, tag, {**ok, **admin_errors(401, *errors)}, **more)


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
            "post": admin_op(
                "adminReset",
                "Forget every job, delivery and journal entry",
                JOBS,
                {"200": answer(ref("AdminResultsReset"), "Reset")},
                description="Startup scenarios and balances come back; the seeded sequence restarts.",
            )
        },
        "/__admin/jobs": {
            "get": admin_op(
                "adminListJobs",
                "Every job of every account",
                JOBS,
                {"200": page(schema_ref("job_list"), "Newest first")},
                400,
                parameters=[query_parameter("account", "Only this X-API-ID's jobs"), *PAGE_PARAMETERS],
            )
        },
        "/__admin/jobs/{id}": {
            "get": admin_op(
                "adminGetJob",
                "One job, any account",
                JOBS,
                {"200": answer(schema_ref("job"), "The job")},
                404,
                parameters=[job_id],
            )
        },
        "/__admin/jobs/{id}/advance": {
            "post": admin_op(
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
        "/__admin/clock": {"get": admin_op("adminGetClock", "The mock's clock", JOBS, {"200": clock})},
        "/__admin/clock/advance": {
            "post": admin_op(
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
    rules = answer(array(schema_ref("admin_rule")), "The rules in force, first match wins")
    one_or_many = {"anyOf": [schema_ref("scenario_rule"), array(schema_ref("scenario_rule"))]}
    added = {"anyOf": [schema_ref("admin_rule"), array(schema_ref("admin_rule"))]}
    return {
        "/__admin/scenarios": {
            "get": admin_op("adminListScenarios", "The scenario rules", SCENARIOS, {"200": rules}),
            "post": admin_op(
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
            "put": admin_op(
                "adminReplaceScenarios",
                "Replace every rule",
                SCENARIOS,
                {"200": rules},
                400,
                413,
                415,
                requestBody=body("scenario_file"),
            ),
            "delete": admin_op("adminClearScenarios", "Remove every rule", SCENARIOS, {"200": rules}),
        },
        "/__admin/scenarios/{rule_id}": {
            "delete": admin_op(
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
            "get": admin_op(
                "adminListWebhooks",
                "The delivery log",
                WEBHOOKS,
                {"200": page(array(delivery), "Oldest first")},
                400,
                parameters=[query_parameter("job_id", "Only this job's events"), *PAGE_PARAMETERS],
            )
        },
        "/__admin/webhooks/{delivery_id}": {
            "get": admin_op(
                "adminGetWebhook",
                "One event",
                WEBHOOKS,
                {"200": answer(delivery, "The event")},
                404,
                parameters=[delivery_id],
            )
        },
        "/__admin/webhooks/{delivery_id}/redeliver": {
            "post": admin_op(
                "adminRedeliverWebhook",
                "Send an event again",
                WEBHOOKS,
                {"202": answer(delivery, "Queued: same delivery id, next attempt number")},
                404,
                parameters=[delivery_id],
            )
        },
        "/__admin/webhooks/reset": {
            "post": admin_op(
                "adminResetWebhooks",
                "Clear the log, drop queued events",
                WEBHOOKS,
                {"200": answer(ref("AdminResultsReset"), "Reset")},
            )
        },
        "/__admin/webhooks/faults": {
            "get": admin_op(
                "adminGetWebhookFaults", "The webhook faults for this run", WEBHOOKS, {"200": faults}
            ),
            "put": admin_op(
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
