"""The facade's replay of a recording (``serve --replay FILE``) and its error answers for bad credentials.

Replay is a scenario-like decision taken when a create arrives: after the scenario rules (which still win), a
create that matches a recorded one gets a rule built from the recording — its outcome forced as recorded, its
timing the recorded timeline scaled by ``--replay-speed`` (in ``realtime`` timing; ``instant`` and ``manual``
keep their own), or the recorded error answer instead of a job. The job itself gets a fresh id as any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mockserver.config.values import parse_error_body
from mockserver.core.scenarios import RequestInfo, Rule
from mockserver.replay import Answer, ReplayBook, Replayed, stream
from mockserver.service.admin import AdminOperations

CREATE_PATH = "/api/text_generator/"
STREAM_PATH = "/sse/text_generator/stream/"
#: DRF's challenge on a 401 (the header its TokenAuthentication-style classes send); none on a 403.
CHALLENGE = {"WWW-Authenticate": 'X-API-KEY realm="api"'}


class ReplayOperations(AdminOperations):
    """Replay decisions and credential errors of ``MockService``."""

    replay: ReplayBook | None
    reset_hooks: list[Callable[[], object]]

    def load_replay(self, book: ReplayBook) -> None:
        """Answer creates from this recording from now on; a reset keeps it (it is startup setup) and starts each
        body's recorded order again."""
        self.replay = book
        self.reset_hooks.append(book.rewind)

    @property
    def scenarios_active(self) -> bool:
        """Any rule, or a recording to replay: the pipeline then asks ``take_rule`` on every API call."""
        return self.scenarios.active or self.replay is not None

    def take_rule(self, info: RequestInfo) -> tuple[Rule, float] | None:
        """A scenario rule first; else, for a create, what the recording decides (no latency of its own)."""
        found = super().take_rule(info)
        if found is not None or self.replay is None or info.operation != "create":
            return found
        path = info.path or CREATE_PATH
        replayed = self.replay.match(path, info.body)
        if replayed is None:
            return (
                (_answer_rule("replay:unmatched", self.replay.unmatched(path, info.body)), 0.0)
                if (self.replay.strict)
                else None
            )
        return self._replay_rule(replayed), 0.0

    def credentials_error(self, missing: bool) -> tuple[int, Any, dict[str, str]]:
        """Status, body and headers of the answer to missing (or wrong) credentials: as recorded when replaying
        a recording that holds one, else as configured (``--credentials-error-status``, ``--*-credentials-body``)."""
        recorded = self.replay.credentials(missing) if self.replay is not None else None
        if recorded is not None:
            return recorded.status, recorded.body, dict(recorded.headers)
        status = self.settings.credentials_error_status
        text = self.settings.missing_credentials_body if missing else self.settings.wrong_credentials_body
        return status, parse_error_body(text), dict(CHALLENGE) if status == 401 else {}

    def replay_stream(self, body: Any, job_id: str) -> Iterator[tuple[float, str]] | None:
        """A recorded stream for this ``POST /sse/text_generator/stream/`` body, paced as recorded (scaled by
        the replay speed), with the recorded generation id replaced by ``job_id``; None when none matches."""
        if self.replay is None:
            return None
        replayed = self.replay.match(STREAM_PATH, body)
        if replayed is None or replayed.chunks is None:
            return None
        ids = {replayed.job_id: job_id} if replayed.job_id else {}
        return stream.replay(replayed.chunks, self.replay.speed, ids)

    def _replay_rule(self, replayed: Replayed) -> Rule:
        rule_id = f"replay:{replayed.source}"
        if replayed.answer is not None:
            return _answer_rule(rule_id, replayed.answer)
        spec: dict[str, Any] = {"name": rule_id}
        if replayed.phases is not None and self.settings.timing == "realtime":
            pending, running = replayed.phases
            spec["timing"] = {"pending_seconds": pending, "running_seconds": running, "jitter": 0.0}
        return Rule(
            rule_id,
            spec,
            None,
            forced=replayed.outcome,
            recorded_stream=replayed.chunks,
            recorded_job_id=replayed.job_id,
        )


def _answer_rule(rule_id: str, answer: Answer) -> Rule:
    http: dict[str, Any] = {"status": answer.status, "headers": answer.headers}
    http["raw" if answer.text else "body"] = answer.body
    return Rule(rule_id, {"name": rule_id, "http": http}, None)
