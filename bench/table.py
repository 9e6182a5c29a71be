"""The one table ``make bench`` prints: a row per figure, a column per server, then the ratios mock/peer."""

from __future__ import annotations

import argparse
import os
import platform

MOCK = "creatify-mock"
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
]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def render(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    peers = [name for name in results if name != MOCK]
    header = ["", *results, *(f"mock/{p}" for p in peers)]
    lines = [header]
    for key, label, fmt in ROWS:
        if not any(key in m for m in results.values()):
            continue
        row = [label, *(fmt.format(m[key]) if key in m else "–" for m in results.values())]
        for peer in peers:
            mine, theirs = results[MOCK].get(key), results[peer].get(key)
            row.append(f"{mine / theirs:.2f}×" if mine is not None and theirs else "–")
        lines.append(row)
    errors = {name: sum(v for k, v in m.items() if k.endswith("_errors")) for name, m in results.items()}
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
    notes = [
        f"machine: {machine()}",
        f"load: wrk 1 thread, {args.connections} keep-alive connections, {args.seconds:g} s after {args.warmup:g} s "
        "warm-up; servers on core 0, clients on core 1; job cycle = POST then GET until done "
        "(peers keep no state: one GET)",
        "errors (non-2xx or socket): " + ", ".join(f"{k} {v:.0f}" for k, v in errors.items()),
    ]
    return "\n".join([*text, "", *notes])
