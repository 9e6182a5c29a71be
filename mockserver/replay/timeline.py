"""What a recording shows about each job: when it was created, when it ran and ended, and how.

The target's own timestamps decide when they can (``updated_at`` is the time of the last transition, so a read
of a ``running`` job dates its start, a read of a finished job its end, whatever the polling rate); a target
whose ``updated_at`` does not move is timed by the proxy's clock instead, at the midpoint between the last read
that showed the old status and the first that showed the new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from mockserver.core.models import JobStatus, Outcome
from mockserver.replay.recording import Exchange

TERMINAL = ("done", "failed")


@dataclass
class Seen:
    """One read of a job: when the proxy saw it (seconds into the recording) and what it said."""

    at: float
    job: dict[str, Any]

    @property
    def status(self) -> str:
        return str(self.job.get("status"))


@dataclass
class JobTimeline:
    """A recorded job: the create exchange and every later read of it, in order."""

    create: Exchange
    reads: list[Seen] = field(default_factory=list)

    @property
    def job(self) -> dict[str, Any]:
        body = self.create.response_body
        return body if isinstance(body, dict) else {}

    @property
    def model_name(self) -> str:
        return str(self.job.get("model_name", ""))

    @property
    def terminal(self) -> dict[str, Any] | None:
        """The first read that showed the job done or failed."""
        return next((s.job for s in self.reads if s.status in TERMINAL), None)

    def outcome(self) -> Outcome | None:
        """How the job ended (text, reason, credits as the target reported them); None if never seen ending."""
        end = self.terminal
        if end is None:
            return None
        credits = end.get("credits_used")
        credits = float(credits) if isinstance(credits, (int, float)) else 0.0
        if end.get("status") == "failed":
            return Outcome(JobStatus.FAILED, failed_reason=_text(end.get("failed_reason")) or "Failed.")
        calls = end.get("response_function_calls")
        called = [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
        text = _text(end.get("response_text"))
        return Outcome(
            JobStatus.DONE,
            response_text=None if called and text is None else text or "",
            credits_used=credits,
            function_calls=called,
        )

    def phases(self) -> tuple[float, float] | None:
        """(pending, running) seconds; running is 0 when no read caught the job running. None if it never ended."""
        if self.terminal is None:
            return None
        by_server = self._server_phases()
        return by_server if by_server is not None else self._proxy_phases()

    @property
    def timed_by_server(self) -> bool:
        """Whether ``phases`` come from the target's own timestamps (exact) rather than the proxy's clock."""
        return self.terminal is not None and self._server_phases() is not None

    def _server_phases(self) -> tuple[float, float] | None:
        created = _time(self.job.get("created_at"))
        end = self.terminal or {}
        finished = _time(end.get("updated_at"))
        if created is None or finished is None or finished <= created:
            return None
        running = next((s.job for s in self.reads if s.status == "running"), None)
        started = _time(running.get("updated_at")) if running else None
        if started is None or not created < started <= finished:
            return finished - created, 0.0
        return started - created, finished - started

    def _proxy_phases(self) -> tuple[float, float]:
        created = self.create.at + self.create.duration_ms / 2000  # the create's midpoint
        history = [(created, "pending")] + [(s.at, s.status) for s in self.reads]
        started = _crossing(history, "running")
        finished = _crossing(history, "done", "failed") or created
        if started is None:
            return max(0.0, finished - created), 0.0
        return max(0.0, started - created), max(0.0, finished - started)


def jobs(exchanges: Iterable[Exchange]) -> Iterator[JobTimeline]:
    """Each job created through the proxy (201 with an id), with every read of it (single reads and lists)."""
    found: dict[str, JobTimeline] = {}
    for ex in exchanges:
        body = ex.response_body
        if ex.method == "POST" and ex.status == 201 and isinstance(body, dict) and "id" in body:
            found.setdefault(str(body["id"]), JobTimeline(ex))
        elif ex.method == "GET" and ex.status == 200:
            items = body if isinstance(body, list) else [body]
            for item in items:
                if isinstance(item, dict) and str(item.get("id")) in found:
                    found[str(item["id"])].reads.append(Seen(ex.at + ex.duration_ms / 2000, item))
    yield from found.values()


def _crossing(history: list[tuple[float, str]], *statuses: str) -> float | None:
    """Midpoint between the last read before the job reached one of ``statuses`` and the first read at it."""
    for (before, _), (after, status) in pairwise(history):
        if status in statuses:
            return (before + after) / 2
    return None


def _time(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
