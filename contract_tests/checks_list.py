"""Checks across jobs: the list endpoint (plain array, ``ids=`` filter, account isolation) and webhook events.

Webhook payloads are documented only as "status updates" whose payload is a subset of the job, so a check
compares just the keys a payload carries with the terminal GET, and never requires more keys than id and status.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from .checks import ContractViolation, Exchange, check
from .checks_job import STATUSES, TERMINAL

#: Keys whose value can legitimately differ between a webhook payload and a later GET of the same job.
VOLATILE_KEYS = frozenset({"updated_at"})


@check("list")
def check_plain_array(exchange: Exchange) -> None:
    """A list answer is a plain JSON array, not a page envelope."""
    if not isinstance(exchange.body, list):
        raise ContractViolation("list shape", "a plain JSON array", type(exchange.body).__name__, exchange)


@check("list")
def check_list_holds(
    jobs: Sequence[Mapping[str, Any]], ids: Collection[str], exchange: Exchange | None = None
) -> None:
    """Every job in ``ids`` appears in the list."""
    seen = {job.get("id") for job in jobs}
    missing = sorted(set(ids) - seen)
    if missing:
        raise ContractViolation(
            "list holds the caller's jobs", f"ids {missing} in the list", sorted(map(str, seen)), exchange
        )


@check("list")
def check_list_filtered(
    jobs: Sequence[Mapping[str, Any]], ids: Collection[str], exchange: Exchange | None = None
) -> None:
    """With ``ids=``, every job returned is one that was asked for, and each asked-for job is there."""
    extra = sorted(str(job.get("id")) for job in jobs if job.get("id") not in set(ids))
    if extra:
        raise ContractViolation("ids= filter", f"only ids {sorted(ids)}", extra, exchange)
    check_list_holds(jobs, ids, exchange)


@check("isolation")
def check_not_visible(job_id: str, exchange: Exchange) -> None:
    """Another account never sees a job: not in its list, and a read is not a 200."""
    if isinstance(exchange.body, list):
        if any(isinstance(j, dict) and j.get("id") == job_id for j in exchange.body):
            raise ContractViolation(
                "isolation", f"job {job_id} absent from another account's list", "present", exchange
            )
    elif exchange.status == 200:
        raise ContractViolation("isolation", f"job {job_id} not readable by another account", 200, exchange)


@check("webhooks")
def check_webhook_event(job_id: str, headers: Mapping[str, str], body: Any, method: str = "POST") -> None:
    """One delivery: a POST of a JSON object whose ``id`` is the job's and whose ``status`` is a valid status."""
    if method.upper() != "POST":
        raise ContractViolation("webhook method", "a POST", method)
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ContractViolation("webhook content type", "application/json", content_type)
    if not isinstance(body, dict):
        raise ContractViolation("webhook body", "a JSON object", body)
    if body.get("id") != job_id:
        raise ContractViolation("webhook id", f"id {job_id!r}", body.get("id"))
    if body.get("status") not in STATUSES:
        raise ContractViolation("webhook status", f"one of {list(STATUSES)}", body.get("status"))


@check("webhooks")
def check_webhook_events(job_id: str, events: Sequence[Any], final: Mapping[str, Any]) -> None:
    """At least one event; the terminal one arrived and agrees with the terminal GET on every key it carries."""
    if not events:
        raise ContractViolation("webhook delivered", f"at least one POST for job {job_id}", "none")
    terminal = [e for e in events if isinstance(e, dict) and e.get("status") in TERMINAL]
    if not terminal:
        got = [e.get("status") if isinstance(e, dict) else e for e in events]
        raise ContractViolation("webhook terminal event", f"a done/failed event for job {job_id}", got)
    last = terminal[-1]
    differs = {
        key: (value, final.get(key))
        for key, value in last.items()
        if key in final and key not in VOLATILE_KEYS and value != final.get(key)
    }
    if differs:
        raise ContractViolation("webhook agrees with GET", "terminal payload == terminal GET", differs)


@check("webhooks")
def check_webhook_unicode(sent_messages: Sequence[Mapping[str, Any]], payload: Mapping[str, Any]) -> None:
    """Message content sent with non-ASCII text comes back unchanged in a payload that carries messages."""
    if "messages" not in payload:
        return
    got = [m.get("content") for m in payload["messages"] if isinstance(m, dict)]
    want = [m.get("content", "") for m in sent_messages]
    if got != want:
        raise ContractViolation("webhook unicode", f"message contents {want!r}", got)
