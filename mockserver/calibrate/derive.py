"""From evidence to mock settings, each with the evidence that decided it, rendered as a TOML config file.

Timings: the median of each phase, with the spread (10th to 90th percentile) as ``jitter`` around it — the mock
adds a uniform 0..jitter to each phase, so the base is the median minus half the spread. Error answers: the most
common status and body seen. Credit rates: the median per model of ``credits_used`` per 1,000 of the mock's
tokens (words). Models whose timings differ from the others by more than 10% get a scenario rule of their own.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from typing import Any

from mockserver.calibrate.evidence import Answers, Evidence

#: A model's own timing rule is written when its median differs from the overall one by more than this.
MODEL_TIMING_TOLERANCE = 0.10


@dataclass
class Calibration:
    settings: list[tuple[str, Any, str]] = field(default_factory=list)  # (key, value, evidence)
    rules: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def derive(evidence: Evidence) -> Calibration:
    out = Calibration()
    _timings(evidence, out)
    _answers(evidence, out)
    _ranges(evidence, out)
    _rates(evidence, out)
    for case, statuses in sorted(evidence.undocumented.items()):
        accepted = sum(n for s, n in statuses.items() if s < 300)
        verdict = "accepted" if accepted else "rejected"
        out.notes.append(
            f"undocumented input {case!r}: the target {verdict} it ({_statuses(statuses)}); "
            + (
                "the mock answers 400 and no setting changes that: use --replay or a scenario rule"
                if accepted
                else "the mock rejects it too"
            )
        )
    if evidence.throttled:
        out.notes.append(f"the target answered 429 {evidence.throttled} time(s): consider --rate-limit")
    return out


def _timings(evidence: Evidence, out: Calibration) -> None:
    phases = evidence.phases
    if phases:
        own = _model_rules(phases, out)  # models timed apart get a rule; the rest decide the settings
        rest = [p for p in phases if p[0] not in own] or phases
        pending, running = [p[1] for p in rest], [p[2] for p in rest]
        exact = sum(1 for p in rest if p[3])
        how = f"{len(rest)} jobs, {exact} timed by the target's created_at/updated_at"
        if exact < len(rest):
            how += f", {len(rest) - exact} by the proxy's clock"
    elif evidence.first_seen:
        seen = [s for s in evidence.first_seen if "done" in s or "running" in s]
        pending = [s.get("running", s.get("done", 0.0)) for s in seen]
        running = [s["done"] - s["running"] for s in seen if "done" in s and "running" in s] or [0.0]
        how = f"{len(pending)} polled jobs of a contract report (first seen: late by up to one poll interval)"
    else:
        out.notes.append("no job was seen ending: timings are left at the mock's defaults")
        return
    jitter = max(_spread(pending), _spread(running))
    out.settings.append(("timing", "realtime", "jobs move on the clock, as the target's did"))
    for key, values in (("pending-seconds", pending), ("running-seconds", running)):
        median = statistics.median(values)
        base = max(0.0, median - jitter / 2)
        out.settings.append(
            (
                key,
                round(base, 3),
                f"median {median:.3f} s over {how}; range {min(values):.3f}-{max(values):.3f} s",
            )
        )
    out.settings.append(("jitter", round(jitter, 3), "the 10th-90th percentile spread of the wider phase"))


def _model_rules(phases: list[tuple[str, float, float, bool]], out: Calibration) -> set[str]:
    """A timing rule for each model whose medians differ from the overall ones by over 10%; their names."""
    models = sorted({p[0] for p in phases})
    if len(models) < 2:
        return set()
    pending = statistics.median(p[1] for p in phases)
    running = statistics.median(p[2] for p in phases)
    ruled = set()
    for model in models:
        mine = [p for p in phases if p[0] == model]
        own_pending = statistics.median(p[1] for p in mine)
        own_running = statistics.median(p[2] for p in mine)
        if _close(own_pending, pending) and _close(own_running, running):
            continue
        ruled.add(model)
        rule = {
            "name": f"calibrated-timing-{model}",
            "match": {"model_name": model},
            "timing": {"pending_seconds": round(own_pending, 3), "running_seconds": round(own_running, 3)},
        }
        why = f"{model}: {len(mine)} jobs, median pending {own_pending:.3f} s, running {own_running:.3f} s"
        out.rules.append((rule, why))
    return ruled


def _ranges(evidence: Evidence, out: Calibration) -> None:
    """``strict-ranges`` from creates with an out-of-range config: refused (400) or accepted by the target."""
    refused, accepted = evidence.out_of_range.get(400, 0), evidence.out_of_range.get(201, 0)
    if refused or accepted:
        out.settings.append(
            (
                "strict-ranges",
                refused > accepted,
                f"{refused} create(s) with an out-of-range config answered 400, {accepted} answered 201",
            )
        )


def _answers(evidence: Evidence, out: Calibration) -> None:
    missing, wrong = evidence.missing_credentials.most_common(), evidence.wrong_credentials.most_common()
    status = missing or wrong
    if status is not None:
        out.settings.append(
            (
                "credentials-error-status",
                status[0],
                _seen(evidence.missing_credentials, "missing credentials")
                + "; "
                + _seen(evidence.wrong_credentials, "wrong credentials"),
            )
        )
    if missing and wrong and missing[0] != wrong[0]:
        out.notes.append(
            f"missing credentials answered {missing[0]}, wrong ones {wrong[0]}: the mock uses one status "
            f"({missing[0]}); --replay answers each as recorded"
        )
    if missing:
        out.settings.append(
            ("missing-credentials-body", missing[1], _seen(evidence.missing_credentials, "this body"))
        )
    if wrong:
        out.settings.append(
            ("wrong-credentials-body", wrong[1], _seen(evidence.wrong_credentials, "this body"))
        )
    credits = evidence.insufficient_credits.most_common()
    if credits:
        seen = _seen(evidence.insufficient_credits, "insufficient-credits answers")
        out.settings.append(("insufficient-credits-status", credits[0], seen))
        out.settings.append(("insufficient-credits-body", credits[1], seen))


def _rates(evidence: Evidence, out: Calibration) -> None:
    entries = []
    for model, rates in sorted(evidence.rates.items()):
        median = statistics.median_low(rates)  # an observed rate: a job with fixed credits does not drag it
        entries.append(
            (f"{model}={median:.6g}", f"{len(rates)} done jobs, {min(rates):.4g}-{max(rates):.4g}")
        )
    if entries:
        out.settings.append(
            ("credit-rates", entries, "credits_used x 1000 / (words of prompt + text), the median per model")
        )


def render(calibration: Calibration, sources: list[str]) -> str:
    """The TOML file: settings first (each with its evidence), then scenario rules, then what was only noted."""
    lines = ["# creatify-mock calibration, written by `creatify-mock calibrate` from:"]
    lines += [f"#   {source}" for source in sources]
    lines += ["# use it: creatify-mock serve --config mock.toml", ""]
    for key, value, why in calibration.settings:
        if isinstance(value, list):
            lines.append(f"{key} = [  # {why}")
            lines += [f"  {json.dumps(item)},  # {item_why}" for item, item_why in value]
            lines.append("]")
        else:
            lines.append(f"{key} = {_toml(value)}  # {why}")
    for note in calibration.notes:
        lines.append(f"# note: {note}")
    for rule, why in calibration.rules:
        lines += ["", f"[[scenario-rules]]  # {why}", f"name = {_toml(rule['name'])}"]
        for table in ("match", "timing"):
            inner = ", ".join(f"{k} = {_toml(v)}" for k, v in rule[table].items())
            lines.append(f"{table} = {{ {inner} }}")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # JSON string escapes are valid TOML basic strings


def _spread(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return max(0.0, deciles[-1] - deciles[0])


def _close(value: float, reference: float) -> bool:
    return abs(value - reference) <= MODEL_TIMING_TOLERANCE * max(reference, 1e-9)


def _seen(answers: Answers, what: str) -> str:
    top = answers.most_common()
    if top is None:
        return f"no {what} seen"
    return f"{top[2]} of {answers.total} {what} seen had this status and body"


def _statuses(statuses: Any) -> str:
    return ", ".join(f"{n}x {s}" for s, n in sorted(statuses.items()))
