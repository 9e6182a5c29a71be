"""The one table ``make bench`` prints: a row per figure, a column per server, then the ratios mock/peer.

Columns: each measured mock (``creatify-mock <server>``), the peers, then the ceilings (a fixed-answer app under
each server, nginx), which get no ratios: they show how far each figure is from what the server allows.
"""

from __future__ import annotations

import argparse
import os
import platform

MOCK = "creatify-mock"
CEILINGS = ("fixed app", "nginx")
# (key, label, format); ratios are mock/peer: above 1 is better for req/s, below 1 is better for the rest.
ROWS = [
    ("post_rps", "POST create req/s", "{:,.0f}"),
    ("post_p50", "POST create p50 ms", "{:.2f}"),
    ("post_p99", "POST create p99 ms", "{:.2f}"),
    ("get_rps", "GET by id req/s", "{:,.0f}"),
    ("get_p50", "GET by id p50 ms", "{:.2f}"),
    ("get_p99", "GET by id p99 ms", "{:.2f}"),
    ("cycle_p50", "job cycle p50 ms", "{:.2f}"),
    ("cycle_p99", "job cycle p99 ms", "{:.2f}"),
    ("startup", "startup to healthy s", "{:.2f}"),
    ("rss_idle", "RSS idle MB", "{:.0f}"),
    ("rss_peak", "RSS peak under load MB", "{:.0f}"),
    ("rss_full", "RSS holding jobs MB", "{:.0f}"),
    ("jobs_held", "jobs held", "{:,.0f}"),
    ("post_errors", "POST non-2xx or failed", "{:.0f}"),
    ("get_errors", "GET non-2xx or failed", "{:.0f}"),
    ("cycle_errors", "job cycle non-2xx or failed", "{:.0f}"),
]


def error_count(metrics: dict[str, float]) -> float:
    return sum(v for k, v in metrics.items() if k.endswith("_errors"))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), cpu)
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; load average at the end {load}"
    )


def short(name: str) -> str:
    return name.removeprefix(f"{MOCK} ") or name


def render(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    mocks = [n for n in results if n.startswith(MOCK)]
    peers = [n for n in results if n not in mocks and not n.startswith(CEILINGS)]
    ordered = [*mocks, *peers, *(n for n in results if n.startswith(CEILINGS))]
    pairs = [(m, p) for m in mocks for p in peers]
    header = ["", *ordered, *(f"{short(m)}/{p}" for m, p in pairs)]
    lines = [header]
    for key, label, fmt in ROWS:
        if not any(key in results[n] for n in ordered):
            continue
        row = [label, *(fmt.format(results[n][key]) if key in results[n] else "–" for n in ordered)]
        for mock, peer in pairs:
            mine, theirs = results[mock].get(key), results[peer].get(key)
            row.append(
                f"{mine / theirs:.2f}×" if mine is not None and theirs and "errors" not in key else "–"
            )
        lines.append(row)
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    text = [
        "| "
        + " | ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        + " |"
        for row in lines
    ]
    text.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    failed = {n: error_count(m) for n, m in results.items() if error_count(m)}
    notes = [
        f"machine: {machine()}",
        f"load: wrk 1 thread, {args.connections} keep-alive connections, {args.seconds:g} s after {args.warmup:g} s "
        "warm-up; servers on core 0, clients on core 1; job cycle = POST then GET until done "
        "(peers keep no state: one GET); ceilings answer one fixed body to everything",
        "answers not 2xx: " + (", ".join(f"{k} {v:.0f}" for k, v in failed.items()) if failed else "none"),
    ]
    return "\n".join([*text, "", *notes])
