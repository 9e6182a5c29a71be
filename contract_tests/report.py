"""The conformance report: checks passed/failed per area, plus observations of undocumented behaviour.

The documentation is silent on many things (bad-credential status, error shapes, timings, webhook headers);
the suite never fails on those, it writes down what it saw so a team can learn the real API and calibrate the mock.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from . import checks

MAX_PER_KEY = 25  # observations kept per key: a report stays readable after a thousand hypothesis examples


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
        self.verdict: str | None = None  # set when the run checked nothing: the one line that says why
        self._tally_start = Counter(checks.TALLY)

    def observe(self, key: str, value: Any) -> None:
        """Note what the target did where the contract is silent; identical observations are kept once."""
        with self._lock:
            seen = self._observations[key]
            if value not in seen and len(seen) < MAX_PER_KEY:
                seen.append(value)

    def record_test(self, area: str, outcome: str, message: str | None = None, test: str = "") -> None:
        """One contract test's outcome; every skip is kept with its reason (the summary lists them all)."""
        with self._lock:
            self._tests[(area, outcome)] += 1
            if outcome == "skipped":
                self._skips.append({"test": test, "area": area, "reason": message or "(no reason given)"})
            elif message and len(self._failures[area]) < MAX_PER_KEY:
                self._failures[area].append(message.splitlines()[0][:300])

    def left_out(self, what: str) -> None:
        """Something the run meant to try and did not (a small job budget): said in the summary, never silent."""
        with self._lock:
            if what not in self._left_out:
                self._left_out.append(what)

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

    def summary_lines(self) -> list[str]:
        lines = [f"target: {self.target}"]
        for area, data in self.areas().items():
            t, c = data["tests"], data["checks"]
            verdict = (
                "FAIL"
                if t["failed"] or c["failed"]
                else ("skip" if not t["passed"] and t["skipped"] else "ok")
            )
            lines.append(
                f"  {area:<12} {verdict:<4}  tests {t['passed']} passed, {t['failed']} failed, {t['skipped']} skipped"
                f"; checks {c['passed']} passed, {c['failed']} failed"
            )
        if self.budget:
            limit = self.budget.get("limit")
            of = "no limit" if limit is None else f"a budget of {limit}"
            lines.append(f"  jobs created: {self.budget.get('used')} ({of}, --contract-max-jobs)")
        for skip in self.skips:
            lines.append(f"  skipped {skip['test']}: {skip['reason']}")
        for what in self._left_out:
            lines.append(f"  left out: {what}")
        if self._observations:
            lines.append(f"  observations: {', '.join(sorted(self._observations))} (see --contract-report)")
        if self.verdict:
            lines.append(self.verdict)
        return lines

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            observations = {k: list(v) for k, v in sorted(self._observations.items())}
            skips, left_out = list(self._skips), list(self._left_out)
        return {
            "target": self.target,
            "verdict": self.verdict,
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
