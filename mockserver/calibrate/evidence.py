"""What a recording and a contract report say about the target, gathered per point before anything is decided.

Each point keeps every observation, so the settings derived from them can say how many there were.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockserver.contract import ranges
from mockserver.generation.text import count_tokens
from mockserver.replay.recording import Recording
from mockserver.replay.timeline import jobs


@dataclass
class Answers:
    """Error answers seen for one situation: (status, canonical JSON body) -> how often."""

    seen: Counter[tuple[int, str]] = field(default_factory=Counter)
    #: the first spelling of each body, keys in the target's order (the counting ignores key order)
    spelled: dict[str, str] = field(default_factory=dict)

    def add(self, status: int, body: Any) -> None:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()
        self.spelled.setdefault(canonical, orjson.dumps(body).decode())
        self.seen[(status, canonical)] += 1

    @property
    def total(self) -> int:
        return sum(self.seen.values())

    def most_common(self) -> tuple[int, str, int] | None:
        if not self.seen:
            return None
        (status, body), count = self.seen.most_common(1)[0]
        return status, self.spelled[body], count


@dataclass
class Evidence:
    sources: list[str] = field(default_factory=list)
    #: (model, pending s, running s, timed by the target's own timestamps)
    phases: list[tuple[str, float, float, bool]] = field(default_factory=list)
    #: model -> credits per 1,000 (mock) tokens of each done job
    rates: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    missing_credentials: Answers = field(default_factory=Answers)
    wrong_credentials: Answers = field(default_factory=Answers)
    insufficient_credits: Answers = field(default_factory=Answers)
    #: poll-based first-seen times from a contract report: {"running": s, "done": s}
    first_seen: list[dict[str, float]] = field(default_factory=list)
    #: contract report: undocumented inputs -> statuses the target answered
    undocumented: defaultdict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    #: status -> creates whose config was out of Gemini's ranges (temperature, top_p, penalties)
    out_of_range: Counter[int] = field(default_factory=Counter)
    throttled: int = 0
    exchanges: int = 0
    jobs_seen: int = 0


def from_recording(evidence: Evidence, recording: Recording) -> None:
    evidence.sources.append(f"{recording.path} ({len(recording.exchanges)} exchanges)")
    evidence.exchanges += len(recording.exchanges)
    for ex in recording.exchanges:
        if ex.origin != "client" or ex.error is not None:
            continue
        if ex.status == 429:
            evidence.throttled += 1
        body = ex.request_body
        config = body.get("config") if isinstance(body, dict) else None
        if (
            ex.method == "POST"
            and ex.auth == "present"
            and isinstance(config, dict)
            and ranges.failed_reason(config)
        ):
            evidence.out_of_range[ex.status] += 1
        credits_answer = "credit" in str(ex.response_body).lower()
        if (
            ex.method == "POST"
            and ex.auth == "present"
            and (ex.status == 402 or (ex.status >= 400 and credits_answer))
        ):
            evidence.insufficient_credits.add(ex.status, ex.response_body)
        elif ex.status in (401, 403):
            target = evidence.missing_credentials if ex.auth == "missing" else evidence.wrong_credentials
            target.add(ex.status, ex.response_body)
    for job in jobs(recording.exchanges):
        evidence.jobs_seen += 1
        phases = job.phases()
        if phases is not None:
            evidence.phases.append((job.model_name, phases[0], phases[1], job.timed_by_server))
        end = job.terminal
        if (
            end is not None
            and end.get("status") == "done"
            and isinstance(end.get("credits_used"), (int, float))
        ):
            request = job.job
            prompt = " ".join(
                [str(request.get("system_instruction") or "")]
                + [str(m.get("content", "")) for m in request.get("messages") or [] if isinstance(m, dict)]
            )
            tokens = max(1, count_tokens(prompt) + count_tokens(str(end.get("response_text") or "")))
            evidence.rates[job.model_name].append(float(end["credits_used"]) * 1000 / tokens)


def from_report(evidence: Evidence, report: dict[str, Any], path: str) -> None:
    """The observations of a contract report (``--contract-report``) that say something the mock can take."""
    observations = report.get("observations") or {}
    evidence.sources.append(f"{path} (contract report of {report.get('target') or 'an unnamed target'})")
    for key, answers in (
        ("missing_credentials", evidence.missing_credentials),
        ("wrong_credentials", evidence.wrong_credentials),
    ):
        for seen in observations.get(key) or []:
            if isinstance(seen, dict) and isinstance(seen.get("status"), int):
                answers.add(seen["status"], seen.get("body"))
    for seen in observations.get("transition_seconds_first_seen") or []:
        if isinstance(seen, dict):
            evidence.first_seen.append({k: float(v) for k, v in seen.items() if isinstance(v, (int, float))})
    for seen in observations.get("undocumented_validation") or []:
        if isinstance(seen, dict) and isinstance(seen.get("status"), int):
            evidence.undocumented[str(seen.get("case"))][seen["status"]] += 1
    evidence.throttled += len(observations.get("rate_limit_429") or [])
