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
        self._tally_start = Counter(checks.TALLY)

    def observe(self, key: str, value: Any) -> None:
        """Note what the target did where the contract is silent; identical observations are kept once."""
        with self._lock:
            seen = self._observations[key]
            if value not in seen and len(seen) < MAX_PER_KEY:
                seen.append(value)

    def record_test(self, area: str, outcome: str, message: str | None = None) -> None:
        with self._lock:
            self._tests[(area, outcome)] += 1
            if message and len(self._failures[area]) < MAX_PER_KEY:
                self._failures[area].append(message.splitlines()[0][:300])

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
        if self._observations:
            lines.append(f"  observations: {', '.join(sorted(self._observations))} (see --contract-report)")
        return lines

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            observations = {k: list(v) for k, v in sorted(self._observations.items())}
        return {"target": self.target, "areas": self.areas(), "observations": observations}

    def write(self, path: str | Path) -> Path:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        )
        return out
