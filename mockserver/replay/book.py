"""The replay book: what a recording says each create should get, looked up by path and body.

A recorded create answered 201 gives its job's outcome and timeline; one answered anything else (a validation
400, an insufficient-credits error, a 429) gives that answer; a recorded stream gives its chunks. The same body
recorded several times is replayed in the recorded order, then from the first again. Nothing here knows HTTP
frameworks: the service turns a ``Replayed`` into a job or an answer.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from mockserver.core.models import Outcome
from mockserver.replay import matching
from mockserver.replay.recording import Chunk, Exchange, Recording
from mockserver.replay.stream import generation_id
from mockserver.replay.timeline import jobs

#: Answer headers worth replaying with a recorded error (the rest describe the target's framing and servers).
REPLAYED_HEADERS = ("retry-after", "www-authenticate")
REPLAYED_PREFIXES = ("x-ratelimit-",)
UNMATCHED_STATUS = 404  # as WireMock answers a request no stub matches


@dataclass(frozen=True)
class Answer:
    """A recorded answer given again as it was: status, body (JSON, or ``text`` when it was not) and headers."""

    status: int
    body: Any
    headers: dict[str, str]
    text: bool = False


@dataclass(frozen=True)
class Replayed:
    """What one recorded create decides for a new one; ``phases`` are already scaled by the replay speed."""

    source: str
    answer: Answer | None = None
    outcome: Outcome | None = None
    phases: tuple[float, float] | None = None
    chunks: tuple[Chunk, ...] | None = None
    job_id: str | None = None  # the recorded job's id, so a stream's ids can be swapped for fresh ones


class ReplayBook:
    """Recorded creates by (path, normalized body), served round-robin; thread-safe."""

    def __init__(self, recording: Recording, speed: float = 1.0, strict: bool = False) -> None:
        if speed <= 0:
            raise ValueError(f"replay speed must be > 0, got {speed!r}")
        self.source = recording.path
        self.speed = speed
        self.strict = strict
        self._lock = threading.Lock()
        self._entries: defaultdict[tuple[str, bytes], list[Replayed]] = defaultdict(list)
        self._bodies: list[tuple[str, Any]] = []
        self._turns: dict[tuple[str, bytes], itertools.cycle[Replayed]] = {}
        timelines = {id(t.create): t for t in jobs(recording.exchanges)}
        self._credentials: dict[str, Answer] = {}
        for ex in recording.exchanges:
            if ex.origin != "client":
                continue
            if ex.status in (401, 403) and not _mentions_credits(ex.response_body):
                self._credentials.setdefault("missing" if ex.auth == "missing" else "wrong", _answer(ex))
                continue
            if ex.method != "POST" or ex.auth == "missing" or ex.error is not None:
                continue
            entry = self._entry(ex, timelines.get(id(ex)))
            self._entries[(ex.path, matching.key(ex.request_body))].append(entry)
            self._bodies.append((ex.path, matching.normalized(ex.request_body)))

    def __len__(self) -> int:
        return sum(len(v) for v in self._entries.values())

    def match(self, path: str, body: Any) -> Replayed | None:
        """The next recorded answer for this create, or None when nothing recorded matches."""
        slot = (path, matching.key(body))
        with self._lock:
            if slot not in self._entries:
                return None
            turn = self._turns.setdefault(slot, itertools.cycle(self._entries[slot]))
            return next(turn)

    def rewind(self) -> None:
        """Start every body's recorded order again from its first recording (on a mock's reset)."""
        with self._lock:
            self._turns.clear()

    def unmatched(self, path: str, body: Any) -> Answer:
        """The strict-mode error for a create nothing recorded matches, naming the closest recorded body."""
        wanted = matching.normalized(body)
        recorded = [rec for p, rec in self._bodies if p == path]
        nearest = min(recorded, key=lambda rec: matching.distance(wanted, rec), default=None)
        closest = matching.difference(wanted, nearest) if nearest is not None else None
        hint = f"; the nearest recorded create differs at {closest}" if closest else ""
        detail = f"replay-strict: no create to {path} in {self.source} matches this request{hint}."
        return Answer(UNMATCHED_STATUS, {"detail": detail}, {"X-Mock-Replay": "unmatched"})

    def credentials(self, missing: bool) -> Answer | None:
        """The target's recorded answer to missing (or wrong) credentials, if the recording holds one."""
        return self._credentials.get("missing" if missing else "wrong")

    def _entry(self, ex: Exchange, timeline: Any) -> Replayed:
        source = f"{self.source}#{ex.seq}"
        if ex.chunks is not None and 200 <= ex.status < 300:
            return Replayed(source, chunks=tuple(ex.chunks), job_id=generation_id(ex.chunks))
        if timeline is None:  # an error answer; a 2xx without a job in it gets the mock's own job
            return Replayed(source) if 200 <= ex.status < 300 else Replayed(source, answer=_answer(ex))
        phases = timeline.phases()
        scaled = None if phases is None else (phases[0] / self.speed, phases[1] / self.speed)
        return Replayed(source, outcome=timeline.outcome(), phases=scaled, job_id=str(timeline.job["id"]))


def _answer(ex: Exchange) -> Answer:
    headers = {
        name: value
        for name, value in ex.response_headers.items()
        if name in REPLAYED_HEADERS or name.startswith(REPLAYED_PREFIXES)
    }
    content_type = ex.response_headers.get("content-type", "")
    return Answer(ex.status, ex.response_body, headers, text="json" not in content_type)


def _mentions_credits(body: Any) -> bool:
    """A 401/403 that talks about credits is an insufficient-credits answer, not a credentials one."""
    return "credit" in str(body).lower()
