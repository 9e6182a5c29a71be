"""Job and JobStatus: the data the mock keeps, with no Flask and no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from mockserver.core.clock import isoformat


class JobStatus(str, Enum):
    """The job states; a test keeps these equal to the ``status`` enum in ``schemas/job.schema.json``."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL  # asked on every read: a set lookup, not two enum comparisons


_TERMINAL = frozenset({JobStatus.DONE, JobStatus.FAILED})
_VERSION_4 = (0xF000 << 64) | (0xC000 << 48)  # the version nibble and the variant bits, cleared then set


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))`` (the same text for the same 128 bits), without building a UUID:
    an id is drawn on every create."""
    value = (bits & ~_VERSION_4) | (0x4000 << 64) | (0x8000 << 48)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


#: Moves an operator may ask for (admin advance); terminal jobs never change again.
ALLOWED_MOVES: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.PENDING: frozenset({JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset({JobStatus.DONE, JobStatus.FAILED}),
    JobStatus.DONE: frozenset(),
    JobStatus.FAILED: frozenset(),
}


@dataclass
class Outcome:
    """How a job ends: done with text and credits, or failed with a reason."""

    status: JobStatus
    response_text: str | None = None
    failed_reason: str | None = None
    credits_used: float = 0
    #: Gemini function calls the model made (``{name, args}``); shown by the /sse/ family only.
    function_calls: list[dict[str, Any]] = field(default_factory=list)


class Family(str, Enum):
    """The API family a job was created on: it decides the representation its webhooks carry."""

    API = "api"
    SSE = "sse"


@dataclass(slots=True)
class Schedule:
    """When a job crosses each transition (microseconds); ``None`` means only the admin API moves it."""

    running_at: int | None
    finish_at: int | None


@dataclass(slots=True)
class Job:
    """One text generation job and everything needed to derive its state at any time."""

    id: str
    account: str
    seq: int
    request: dict[str, Any]
    webhook_url: str | None
    created_at: int
    schedule: Schedule
    status: JobStatus = JobStatus.PENDING
    updated_at: int = 0
    response_text: str | None = None
    failed_reason: str | None = None
    credits_used: float = 0
    forced: Outcome | None = field(default=None, repr=False)
    family: Family = Family.API
    response_function_calls: list[dict[str, Any]] = field(default_factory=list)
    #: The id of the scenario rule that shaped the job (the dashboard's timeline names it); not part of the API.
    rule_id: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.updated_at:
            self.updated_at = self.created_at

    def to_api(self) -> dict[str, Any]:
        """The job exactly as the API shows it: the keys of ``job.schema.json``, in its order."""
        req = self.request
        return {
            "id": self.id,
            "model_name": req["model_name"],
            "messages": req["messages"],
            "config": req.get("config", {}),
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "system_instruction": req.get("system_instruction", ""),
            "status": self.status.value,
            "response_text": self.response_text,
            "failed_reason": self.failed_reason,
            "credits_used": self.credits_used,
        }

    def to_sse(self) -> dict[str, Any]:
        """The job as the /sse/ family shows it (``text_gen_response.schema.json``): the /api/ keys with
        ``response_function_calls`` after ``config``, in that schema's order."""
        view = self.to_api()
        head = {key: view.pop(key) for key in ("id", "model_name", "messages", "config")}
        return {**head, "response_function_calls": self.response_function_calls, **view}

    def to_own(self) -> dict[str, Any]:
        """The representation of the family that created the job (what its webhooks carry)."""
        return self.to_sse() if self.family is Family.SSE else self.to_api()


#: How a family shows a job.
VIEWS: dict[Family, Callable[[Job], dict[str, Any]]] = {Family.API: Job.to_api, Family.SSE: Job.to_sse}


_last_second: tuple[int, str] = (-1, "")


def _iso(us: int) -> str:
    """``clock.isoformat``, with the date and time of day reused within one second (jobs read and written
    together share it), because formatting a datetime is a visible part of every job read."""
    global _last_second
    second, fraction = divmod(us, 1_000_000)
    cached = _last_second
    if cached[0] != second:
        cached = _last_second = (second, isoformat(second * 1_000_000)[:19])
    return f"{cached[1]}.{fraction:06d}Z"
