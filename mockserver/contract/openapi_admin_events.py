"""Admin OpenAPI paths of the event feed, a job's timeline and rules written as text (the dashboard's needs)."""

from __future__ import annotations

from typing import Any

from mockserver.contract.openapi_admin_jobs import JOBS, SCENARIOS, admin_op, array
from mockserver.contract.openapi_components import schema_ref
from mockserver.contract.openapi_parts import answer, path_parameter, query_parameter

EVENTS = "Admin: events"
FILTERS = [
    query_parameter("job_id", "Only events about this job (and resets)"),
    query_parameter(
        "kind", "Kinds or prefixes, comma-separated or repeated: job.transition, webhook, stream..."
    ),
]


def event_paths() -> dict[str, Any]:
    feed = {
        "description": "Server-Sent Events: each event's id is its seq, its name the kind, its data an AdminEvent; "
        "a comment line every 15 s when quiet",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
    return {
        "/__admin/events": {
            "get": admin_op(
                "adminEvents",
                "The event feed, live",
                EVENTS,
                {"200": feed},
                400,
                parameters=[
                    *FILTERS,
                    query_parameter("since", "Resume after this seq (as the Last-Event-ID header does)"),
                    {
                        "name": "Last-Event-ID",
                        "in": "header",
                        "required": False,
                        "description": "The last seq seen: events after it still kept are sent first",
                        "schema": {"type": "string"},
                    },
                ],
                description="Job creation and transitions, stream chunks and releases, webhook attempts, journal "
                "entries, scenario changes, resets and clock moves, as they happen. Events that fell out of the "
                "bounded buffer are reported as one feed.gap event.",
            )
        },
        "/__admin/events/recent": {
            "get": admin_op(
                "adminRecentEvents",
                "The newest events still kept",
                EVENTS,
                {"200": answer(array(schema_ref("admin_event")), "Oldest first")},
                400,
                parameters=[*FILTERS, query_parameter("limit", "How many (1-10000, default 200)")],
                description="What a page paints before it follows the live feed; the buffer keeps 10,000.",
            )
        },
        "/__admin/jobs/{id}/timeline": {
            "get": admin_op(
                "adminJobTimeline",
                "One job with its states, stream, webhooks, calls and rule",
                JOBS,
                {"200": answer(schema_ref("admin_timeline"), "The job's timeline")},
                404,
                parameters=[path_parameter("id", "The job's id")],
                description="The dashboard's timeline: the job, its feed events still kept, its open stream, "
                "its webhook deliveries with every attempt, the journal entries about it, and its rule.",
            )
        },
        "/__admin/overview/jobs": {
            "get": admin_op(
                "adminJobOverview",
                "Jobs as one line each, filtered, with counts per status",
                JOBS,
                {"200": answer(schema_ref("admin_overview"), "Newest first")},
                400,
                parameters=[
                    query_parameter("account", "One account's jobs"),
                    query_parameter("status", "pending, running, done or failed"),
                    query_parameter("family", "api or sse"),
                    query_parameter("q", "Text in the id, account, prompt or answer"),
                    query_parameter("limit", "How many (1-10000, default 200)"),
                ],
                description="With the account, family and scenario rule that the API's job views do not show.",
            )
        },
        "/__admin/scenarios/restore": {
            "post": admin_op(
                "adminRestoreScenarios",
                "Back to the startup rules",
                SCENARIOS,
                {"200": answer(array(schema_ref("admin_rule")), "The rules in force")},
                description="Drops the rules added since startup and brings back those loaded at startup.",
            )
        },
        "/__admin/scenarios/text": {
            "post": admin_op(
                "adminAddScenarioText",
                "Add rules written as YAML or JSON text",
                SCENARIOS,
                {"201": answer(array(schema_ref("admin_rule")), "The rules added")},
                400,
                413,
                415,
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"text": {"type": "string", "maxLength": 65536}},
                                "required": ["text"],
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                description="One rule, a list of rules, or a scenario file ({scenarios: [...]}); all or none.",
            )
        },
    }
