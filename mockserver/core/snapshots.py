"""Snapshots of a running mock: jobs (full internal state), scenarios, balances, the id sequence and settings.

``export`` gives JSON that ``read`` takes back, so a test can start from a known state and a run
can be reproduced: the seeded random's state travels too, so the next ids after an import are the ones the
exporting mock would have given. The service applies a snapshot; the admin API serves it.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.config.settings import Settings
from mockserver.core.clock import isoformat, parse_time
from mockserver.core.models import Family, Job, JobStatus, Outcome, Schedule
from mockserver.core.secrets import mask_url

STATE_VERSION = 1
SECRET_SETTINGS = ("admin_token", "webhook_secret")


class StateError(ValueError):
    """A snapshot the mock cannot import; the message names the place and what was wrong."""


def _time(us: int | None) -> str | None:
    return None if us is None else isoformat(us)


def job_to_state(job: Job) -> dict[str, Any]:
    forced = job.forced
    return {
        "id": job.id,
        "account": job.account,
        "seq": job.seq,
        "family": job.family.value,
        "request": job.request,
        "webhook_url": job.webhook_url,
        "created_at": isoformat(job.created_at),
        "updated_at": isoformat(job.updated_at),
        "schedule": {
            "running_at": _time(job.schedule.running_at),
            "finish_at": _time(job.schedule.finish_at),
        },
        "status": job.status.value,
        "response_text": job.response_text,
        "failed_reason": job.failed_reason,
        "credits_used": job.credits_used,
        "response_function_calls": job.response_function_calls,
        "forced": None if forced is None else {**dataclasses.asdict(forced), "status": forced.status.value},
    }


def job_from_state(data: Mapping[str, Any], where: str) -> Job:
    """A Job from its snapshot form (already schema-checked); StateError names ``where`` for a bad time."""

    def when(value: str | None, name: str) -> int | None:
        try:
            return None if value is None else parse_time(value)
        except ValueError:
            raise StateError(f"{where}.{name}: {value!r} is not an ISO 8601 time") from None

    created = when(data["created_at"], "created_at")
    updated = when(data["updated_at"], "updated_at")
    sched = data["schedule"]
    forced = data.get("forced")
    assert created is not None and updated is not None  # the schema requires both strings
    return Job(
        id=data["id"],
        account=data["account"],
        seq=data["seq"],
        family=Family(data.get("family", "api")),
        request=dict(data["request"]),
        webhook_url=data.get("webhook_url"),
        created_at=created,
        schedule=Schedule(
            when(sched.get("running_at"), "running_at"), when(sched.get("finish_at"), "finish_at")
        ),
        status=JobStatus(data["status"]),
        updated_at=updated,
        response_text=data.get("response_text"),
        failed_reason=data.get("failed_reason"),
        credits_used=data.get("credits_used", 0),
        response_function_calls=list(data.get("response_function_calls") or []),
        forced=None if forced is None else Outcome(**{**forced, "status": JobStatus(forced["status"])}),
    )


def settings_view(settings: Settings) -> dict[str, Any]:
    """Settings as JSON, secrets masked (API keys keep their ID)."""
    out = dataclasses.asdict(settings)
    for name in SECRET_SETTINGS:
        if out[name] is not None:
            out[name] = "***"
    out["api_key"] = [pair.split(":", 1)[0] + ":***" for pair in settings.api_key]
    out["credits"] = list(settings.credits)
    return out


def export(
    jobs: list[Job],
    balances: dict[str, float],
    scenarios: list[dict[str, Any]],
    sequence: tuple[int, Any],
    now_us: int,
    settings: Settings,
    webhooks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The snapshot document (``admin_state.schema.json``) of the parts a mock holds."""
    seq, (version, internal, gauss) = sequence
    return {
        "version": STATE_VERSION,
        "now": isoformat(now_us),
        "jobs": [masked_state(job_to_state(job)) for job in jobs],
        "balances": balances,
        "scenarios": scenarios,
        "sequence": {"seq": seq, "random_state": [version, list(internal), gauss]},
        "webhooks": webhooks or [],
        "settings": settings_view(settings),
    }


def masked_state(state: dict[str, Any]) -> dict[str, Any]:
    """A job's snapshot as shown and saved: its webhook URL's secrets masked (the running job keeps them)."""
    if state["webhook_url"] is not None:
        state["webhook_url"] = mask_url(state["webhook_url"])
    return state


@dataclass
class Snapshot:
    """A schema-checked snapshot turned into what the mock takes back; a part is None when absent."""

    jobs: list[Job] | None
    balances: dict[str, float] | None
    scenarios: list[Any] | None
    seq: int | None
    random_state: Any | None
    now_us: int | None
    webhooks: list[dict[str, Any]] | None = None


def read(data: Mapping[str, Any]) -> Snapshot:
    """Check everything a snapshot holds before anything changes; StateError names what is wrong."""
    jobs = [job_from_state(j, f"jobs.{i}") for i, j in enumerate(data.get("jobs") or [])]
    for name, values in (("id", [j.id for j in jobs]), ("seq", [j.seq for j in jobs])):
        if len(set(values)) != len(values):
            raise StateError(f"jobs: every job needs a different {name}")
    try:
        now_us = parse_time(data["now"]) if data.get("now") else None
    except ValueError:
        raise StateError(f"now: {data['now']!r} is not an ISO 8601 time the mock can show") from None
    sequence = data.get("sequence") or {}
    random_state = sequence.get("random_state")
    state = None
    if random_state is not None:
        try:
            state = (random_state[0], tuple(random_state[1]), random_state[2])
            random.Random().setstate(state)  # a throwaway generator proves the state usable
        except (TypeError, ValueError, IndexError, OverflowError):
            raise StateError("sequence.random_state: not a state exported by this mock") from None
    seq = (
        max([sequence.get("seq", 0), *(j.seq for j in jobs)]) if "jobs" in data or "seq" in sequence else None
    )
    scenarios = data.get("scenarios")
    return Snapshot(
        jobs=jobs if "jobs" in data else None,
        balances=dict(data.get("balances") or {}) if "balances" in data else None,
        scenarios=list(scenarios) if scenarios is not None else None,
        seq=seq,
        random_state=state,
        now_us=now_us,
        webhooks=[dict(w) for w in data["webhooks"]] if "webhooks" in data else None,
    )
