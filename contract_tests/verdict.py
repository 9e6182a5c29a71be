"""The run's verdict: ``pass``, ``fail`` or ``error`` (not judged), and the one line a person reads first.

A team stakes a release on it, so it is never green by accident: a run stopped before judging (no credentials, a
target that is not there or does not speak the API, refused credentials) is ``error``; a run in which no contract
test passed is ``error`` too (everything skipped proves nothing); one failed test on a judged rule is ``fail``.
Deviations from rules Creatify does not promise (upstream Gemini behaviour, our inferences) are counted, named
in the line, and never turn the verdict red.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

NO_CREDENTIALS = (
    "no credentials: give --contract-api-id and --contract-api-key, or CREATIFY_API_ID / CREATIFY_API_KEY"
)


@dataclass
class Verdict:
    """``kind`` (pass / fail / error), the line ``contract: PASS — ...`` and every reason behind it."""

    kind: str
    line: str
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.kind, "verdict_line": self.line, "reasons": list(self.reasons)}


def stopped(problem: str) -> Verdict:
    """The run stopped before judging: ``problem`` is the one line that says why."""
    return Verdict("error", f"contract: NOT JUDGED — {problem}", [problem])


def decide(
    tests: Counter[str],
    failures: list[str],
    skip_reasons: Counter[str],
    reported: int,
    budget_left_out: int,
) -> Verdict:
    """From the tests' outcomes (``passed``/``failed``/``skipped``), the first line of each failure, skip reasons
    with their counts, deviations only reported, and what a job budget left out (skipped tests, untried cases)."""
    skipped = tests["skipped"]
    extra = [f"{skipped} skipped"] if skipped else []
    if budget_left_out:
        extra.append(f"{budget_left_out} left out by the job budget (listed below)")
    if reported:
        extra.append(f"{reported} deviation(s) from undocumented rules reported, not judged")
    tail = f"; {', '.join(extra)}" if extra else ""
    if tests["failed"]:
        first = failures[0] if failures else "(no message)"
        reasons = list(failures)
        return Verdict(
            "fail", f"contract: FAIL — {tests['failed']} test(s) failed, first: {first}{tail}", reasons
        )
    if not tests["passed"]:
        main = skip_reasons.most_common(1)[0][0] if skip_reasons else "no contract test ran"
        reasons = [f"{n} skipped: {reason}" for reason, n in skip_reasons.most_common()]
        return Verdict("error", f"contract: NOT JUDGED — no contract check ran: {main}", reasons)
    line = f"contract: PASS — {tests['passed']} test(s) passed, none failed{tail}"
    return Verdict("pass", line, [f"{n} skipped: {reason}" for reason, n in skip_reasons.most_common()])
