"""Snapshots of a running mock: jobs (full internal state), scenarios, balances, the id sequence and settings.

``export_state`` gives JSON that ``import_state`` takes back, so a test can start from a known state and a run
can be reproduced: the seeded random's state travels too, so the next ids after an import are the ones the
exporting mock would have given. No Flask here; ``admin_state.py`` serves it.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .clock import isoformat
from .models import Job, JobStatus, Outcome, Schedule

if TYPE_CHECKING:
    from .service import MockService
    from .settings import Settings

STATE_VERSION = 1
SECRET_SETTINGS = ("admin_token", "webhook_secret")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class StateError(ValueError):
    """A snapshot the mock cannot import; the message names the place and what was wrong."""


def parse_time(text: str) -> int:
    """ISO 8601 (``Z`` or an offset; none means UTC) -> microseconds, exactly; ValueError when it is not one."""
    text = text.strip()
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    us = (moment - _EPOCH) // _EPOCH.resolution
    try:
        isoformat(us)  # the mock must be able to show it again: years 1-9999 in UTC
    except (OverflowError, ValueError, OSError):
        raise ValueError(f"{text!r} is outside the years the mock can show") from None
    return us


def _time(us: int | None) -> str | None:
    return None if us is None else isoformat(us)


def job_to_state(job: Job) -> dict[str, Any]:
    forced = job.forced
    return {
        "id": job.id,
        "account": job.account,
        "seq": job.seq,
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


def export_state(svc: MockService) -> dict[str, Any]:
    svc.list(None)  # bring every job up to now, as a read would, so the snapshot shows current statuses
    jobs = [job_to_state(job) for job in svc.store.export_jobs()]
    seq, (version, internal, gauss) = svc.sequence_state()
    return {
        "version": STATE_VERSION,
        "now": isoformat(svc.clock.now_us()),
        "jobs": jobs,
        "balances": svc.accounts.all(),
        "scenarios": svc.scenarios.export(),
        "sequence": {"seq": seq, "random_state": [version, list(internal), gauss]},
        "settings": settings_view(svc.settings),
    }


def import_state(svc: MockService, data: Mapping[str, Any]) -> dict[str, int]:
    """Replace the parts present in ``data`` (jobs, balances, scenarios, sequence); ``settings`` is ignored.

    Everything is checked before anything changes. The clock moves forward to the snapshot's ``now`` when it is
    behind (never backwards), so jobs read the same as they did when exported.
    """
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
    if random_state is not None:
        try:
            state = (random_state[0], tuple(random_state[1]), random_state[2])
            random.Random().setstate(state)  # a throwaway generator proves the state usable
        except (TypeError, ValueError, IndexError, OverflowError):
            raise StateError("sequence.random_state: not a state exported by this mock") from None
    if "scenarios" in data and data["scenarios"] is not None:
        svc.scenarios.replace(list(data["scenarios"]), "state: scenarios")
    if "jobs" in data:
        svc.store.import_jobs(jobs)
    if "balances" in data:
        svc.accounts.replace(data["balances"] or {})
        svc.store.rewatch()
    seq = (
        max([sequence.get("seq", 0), *(j.seq for j in jobs)]) if "jobs" in data or "seq" in sequence else None
    )
    svc.restore_sequence(seq, state if random_state is not None else None)
    if now_us is not None and now_us > svc.clock.now_us():
        svc.clock.advance((now_us - svc.clock.now_us()) / 1_000_000)
    if any(j.webhook_url is not None and not j.status.terminal for j in jobs):
        svc.scheduler.start()
        svc.scheduler.wake()
    return {"jobs": len(jobs), "balances": len(data.get("balances") or {})}
