"""``--state-file`` with 40,000 jobs: GET p99 across several save intervals while jobs keep changing, what a
durable create costs, and the restart that loads them all back.

Run by ``make bench`` (``python -m bench.state_file`` alone). The mock runs twice, without and with a state file
(``--state-interval 1``, so a 12 s load spans a dozen intervals), pinned to core 0; the clients on core 1. Each
run: fill to 40,000 finished jobs (POST then GET each, as ``make bench`` fills), POST create load, then the GET
load by id while a trickle of 20 creates/s keeps something to write in every interval. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import loads
from .procs import CLIENT_CORE, LOOPBACK, Server, free_port

JSON_HEADERS = {**loads.HEADERS, "Content-Type": "application/json"}
TARGET_P99_MS = 50.0


def trickle(port: int, per_second: float, stop: threading.Event, limit: int = 100_000) -> int:
    """POST creates at ``per_second`` until ``stop`` (bounded by ``limit``); returns how many were answered 201."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    made = 0
    try:
        while made < limit and not stop.wait(1 / per_second):
            conn.request("POST", loads.API, body=loads.BODY, headers=JSON_HEADERS)
            answer = conn.getresponse()
            answer.read()
            made += answer.status == 201
    finally:
        conn.close()
    return made


def run(name: str, extra: list[str], args: argparse.Namespace) -> dict[str, float]:
    exe = Path(sys.executable).with_name("creatify-mock")
    port = free_port()
    argv = [
        str(exe),
        "serve",
        "--quiet",
        "--timing",
        "instant",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        *extra,
    ]
    out: dict[str, float] = {}
    server = Server(f"state-{name}", argv, port)
    try:
        server.wait_healthy("/__admin/health", loads.HEADERS)
        started, held = time.monotonic(), 0
        for _ in range(
            5
        ):  # fill gives up after 3 s without growth (a stall of a loaded machine): go on, bounded
            before, held = held, loads.fill(port, args.jobs)
            if held >= args.jobs - 1 or held == before:
                break
        out["jobs_held"] = held
        out["fill_rps"] = out["jobs_held"] / (time.monotonic() - started)
        post = loads.wrk(port, "post.lua", loads.API, args.post_seconds, args.connections)
        out.update(post_rps=post.rps, post_p99=post.p99_ms, post_errors=post.errors)
        path = f"{loads.API}{loads.create_one(port)[0]['id']}/"
        stop = threading.Event()
        made: list[int] = []
        writer = threading.Thread(target=lambda: made.append(trickle(port, args.trickle, stop)), daemon=True)
        writer.start()
        get = loads.wrk(port, "get.lua", path, args.seconds, args.connections)
        stop.set()
        writer.join(15)
        out.update(get_rps=get.rps, get_p50=get.p50_ms, get_p99=get.p99_ms, get_max=get.max_ms)
        out.update(get_errors=get.errors, trickled=sum(made), rss_full=server.rss_mb())
    finally:
        server.stop(60)
    if "--state-file" in extra:  # the same file again: how long a restart with every job takes
        again = Server(f"state-{name}-restart", argv, port)
        try:
            out["restart_s"] = again.wait_healthy("/__admin/health", loads.HEADERS)
            out["size_mb"] = Path(extra[extra.index("--state-file") + 1]).stat().st_size / 1e6
        finally:
            again.stop(60)
    return out


ROWS = [
    ("jobs held", "jobs_held", "{:,.0f}"),
    ("fill (POST + GET) jobs/s", "fill_rps", "{:,.0f}"),
    ("POST create req/s", "post_rps", "{:,.0f}"),
    ("POST create p99 ms", "post_p99", "{:.2f}"),
    ("GET by id req/s", "get_rps", "{:,.0f}"),
    ("GET by id p50 ms", "get_p50", "{:.2f}"),
    ("GET by id p99 ms", "get_p99", "{:.2f}"),
    ("GET by id max ms", "get_max", "{:.2f}"),
    ("creates during the GET load", "trickled", "{:,.0f}"),
    ("RSS holding jobs MB", "rss_full", "{:.0f}"),
    ("restart to healthy s", "restart_s", "{:.2f}"),
    ("state file MB", "size_mb", "{:.1f}"),
    ("non-2xx or failed", "errors", "{:.0f}"),
]


def render(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    names = list(results)
    lines = [
        f"--state-file at {args.jobs:,} jobs: GET for {args.seconds:.0f} s (interval 1 s) with {args.trickle:.0f} "
        f"creates/s meanwhile (target GET p99 < {TARGET_P99_MS:.0f} ms)",
        "| " + " | ".join(["", *names]) + " |",
        "|" + "|".join(["---"] * (len(names) + 1)) + "|",
    ]
    for label, key, fmt in ROWS:
        cells = []
        for n in names:
            m = results[n]
            value = m.get("post_errors", 0) + m.get("get_errors", 0) if key == "errors" else m.get(key)
            cells.append("–" if value is None else fmt.format(value))
        lines.append("| " + " | ".join([label, *cells]) + " |")
    return "\n".join(lines)


def measure(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="creatify-bench-state-") as tmp:
        state = ["--state-file", str(Path(tmp) / "state.db"), "--state-interval", "1"]
        for name, extra in (("memory", []), ("memory + state file", state)):
            print(f"measuring {name} at {args.jobs:,} jobs ...", file=sys.stderr, flush=True)
            results[name] = run(name, extra, args)
    return results


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.state_file", description=__doc__)
    p.add_argument("--jobs", type=int, default=40_000)
    p.add_argument("--seconds", type=float, default=12.0, help="length of the GET load")
    p.add_argument("--post-seconds", type=float, default=5.0, help="length of the POST load")
    p.add_argument("--trickle", type=float, default=20.0, help="creates per second during the GET load")
    p.add_argument("--connections", type=int, default=4)
    return p


def main() -> int:
    args = parser().parse_args()
    os.sched_setaffinity(0, {int(CLIENT_CORE)})
    results = measure(args)
    print(render(results, args))
    failed = any(m.get("post_errors", 0) + m.get("get_errors", 0) for m in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
