"""The conformance report: checks passed/failed per area, plus observations of undocumented behaviour.

The documentation is silent on many things (bad-credential status, error shapes, timings, webhook headers);
the suite never fails on those, it writes down what it saw so a team can learn the real API and calibrate the mock.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import checks
from .rules import BY_ID
from .verdict import Verdict, decide, stopped

MAX_PER_KEY = 25  # observations kept per key: a report stays readable after a thousand hypothesis examples
BUDGET_SKIP = "job budget"  # how every skip for want of jobs begins


class Report:
    """Collected during a run (thread-safe); summarised in the terminal and, on request, written as JSON."""

    def __init__(self, target: str = "") -> None:
        self.target = target
        self._lock = threading.Lock()
        self._tests: Counter[tuple[str, str]] = Counter()
        self._failures: defaultdict[str, list[str]] = defaultdict(list)
        self._observations: defaultdict[str, list[Any]] = defaultdict(list)
        self._skips: list[dict[str, str]] = []
        self._left_out: list[str] = []
        self.budget: dict[str, Any] = {}
        self.problem: str | None = None  # set when the run stopped before judging: the one line that says why
        self.note: str | None = None  # a line after the verdict (e.g. why a run that checked nothing exits 0)
        self.judge_upstream = False
        self.written: Path | None = (
            None  # where --contract-report put the JSON  # --contract-judge-upstream: Gemini rules fail the run too
        )
        self._by_source: Counter[tuple[str, str]] = Counter()
        self._reported: list[dict[str, str]] = []
        self._tally_start = Counter(checks.TALLY)

    def observe(self, key: str, value: Any) -> None:
        """Note what the target did where the contract is silent; identical observations are kept once."""
        with self._lock:
            seen = self._observations[key]
            if value not in seen and len(seen) < MAX_PER_KEY:
                seen.append(value)

    def record_test(
        self, area: str, outcome: str, message: str | None = None, test: str = "", rules: Sequence[str] = ()
    ) -> None:
        """One contract test's outcome; every skip is kept with its reason (the summary groups them by reason).
        ``rules`` are the ids the test covers: the outcome is counted once per source of those rules."""
        with self._lock:
            self._tests[(area, outcome)] += 1
            default = "observation" if area == "observations" else "unmarked"
            for source in sorted({BY_ID[r].source for r in rules if r in BY_ID} or {default}):
                self._by_source[(source, outcome)] += 1
            if outcome == "skipped":
                self._skips.append({"test": test, "area": area, "reason": message or "(no reason given)"})
            elif message and len(self._failures[area]) < MAX_PER_KEY:
                self._failures[area].append(message.splitlines()[0][:300])

    def left_out(self, what: str) -> None:
        """Something the run meant to try and did not (a small job budget): said in the summary, never silent."""
        with self._lock:
            if what not in self._left_out:
                self._left_out.append(what)

    @contextmanager
    def reported(self, rule: str) -> Iterator[None]:
        """Run checks of ``rule``; when Creatify does not promise it (Gemini's or our inference), a violation is
        written down and the test goes on, unless the rule is judged (or Gemini's with --contract-judge-upstream)."""
        __tracebackhide__ = True
        source = BY_ID[rule].source
        try:
            yield
        except checks.ContractViolation as exc:
            if BY_ID[rule].judged or (source == "gemini" and self.judge_upstream):
                raise
            with self._lock:
                if len(self._reported) < MAX_PER_KEY * 4:
                    self._reported.append(
                        {"rule": rule, "source": source, "violation": str(exc).splitlines()[0][:300]}
                    )

    @property
    def skips(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._skips)

    def passed(self) -> int:
        with self._lock:
            return sum(n for (_, outcome), n in self._tests.items() if outcome == "passed")

    @property
    def empty(self) -> bool:
        return not self._tests

    def areas(self) -> dict[str, dict[str, Any]]:
        """Per area: tests passed/failed/skipped, individual check runs passed/failed, first failure lines."""
        runs = Counter(checks.TALLY)
        runs.subtract(self._tally_start)
        out: dict[str, dict[str, Any]] = {}
        names = {a for a, _ in self._tests} | {a for a, _ in runs}
        with self._lock:
            for area in sorted(names):
                if not any(self._tests[(area, o)] for o in ("passed", "failed", "skipped")) and not any(
                    runs[(area, o)] > 0 for o in ("passed", "failed")
                ):
                    continue  # an area this run never touched (tallies from an earlier in-process run)
                out[area] = {
                    "tests": {o: self._tests[(area, o)] for o in ("passed", "failed", "skipped")},
                    "checks": {o: max(0, runs[(area, o)]) for o in ("passed", "failed")},
                    "failures": list(self._failures.get(area, [])),
                }
        return out

    def verdict(self) -> Verdict:
        """pass / fail / error with its line (see verdict.py); ``problem`` wins: the run was stopped."""
        if self.problem is not None:
            return stopped(self.problem)
        with self._lock:
            tests = Counter({o: sum(n for (_, out), n in self._tests.items() if out == o) for o in OUTCOMES})
            failures = [line for lines in self._failures.values() for line in lines]
            reasons = Counter(s["reason"] for s in self._skips)
            budget = sum(1 for s in self._skips if s["reason"].startswith(BUDGET_SKIP)) + len(self._left_out)
            reported = len(self._reported)
        return decide(tests, failures, reasons, reported, budget)

    def by_source(self) -> dict[str, dict[str, int]]:
        with self._lock:
            sources = sorted({s for s, _ in self._by_source})
            return {s: {o: self._by_source[(s, o)] for o in OUTCOMES} for s in sources}

    def summary_lines(self) -> list[str]:
        lines = [self.verdict().line] + ([self.note] if self.note else []) + [f"target: {self.target}"]
        for area, data in self.areas().items():
            t, c = data["tests"], data["checks"]
            verdict = "FAIL" if t["failed"] else ("skip" if not t["passed"] and t["skipped"] else "ok")
            lines.append(
                f"  {area:<12} {verdict:<4}  tests {t['passed']} passed, {t['failed']} failed, {t['skipped']} skipped"
                f"; checks {c['passed']} passed, {c['failed']} failed"
            )
        if self.budget:
            limit = self.budget.get("limit")
            of = "no limit" if limit is None else f"a budget of {limit}"
            lines.append(f"  jobs created: {self.budget.get('used')} ({of}, --contract-max-jobs)")
        lines += _skip_lines(self.skips)
        for what in self._left_out:
            lines.append(f"  left out: {what}")
        for item in self._reported[:MAX_PER_KEY]:
            lines.append(
                f"  reported, not judged ({item['source']} rule {item['rule']}): {item['violation']}"
            )
        if self._observations:
            lines.append(f"  observations: {', '.join(sorted(self._observations))} (see --contract-report)")
        return lines

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            observations = {k: list(v) for k, v in sorted(self._observations.items())}
            skips, left_out = list(self._skips), list(self._left_out)
            reported = list(self._reported)
        return {
            **self.verdict().to_json(),
            "target": self.target,
            "by_source": self.by_source(),
            "not_judged": reported,
            "areas": self.areas(),
            "skips": skips,
            "left_out": left_out,
            "budget": dict(self.budget),
            "observations": observations,
        }

    def write(self, path: str | Path) -> Path:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        )
        return out


OUTCOMES = ("passed", "failed", "skipped")


def _skip_lines(skips: list[dict[str, str]]) -> list[str]:
    """Skips grouped by reason, most frequent first: one line per reason naming its tests (at most five)."""
    by_reason: dict[str, list[str]] = defaultdict(list)
    for skip in skips:
        by_reason[skip["reason"]].append(skip["test"])
    lines = []
    for reason, tests in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        names = ", ".join(t.rsplit("::", 1)[-1] for t in tests[:5]) + (", …" if len(tests) > 5 else "")
        if len(tests) == 1:
            lines.append(f"  skipped {names}: {reason}")
            continue
        lines.append(f"  skipped {len(tests)} tests ({names}): {reason}")
    return lines
