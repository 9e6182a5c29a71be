"""``make bench``: the mock against Prism and WireMock, the same loads on one core each, beside the ceilings (a
fixed-answer app under the mock's server, nginx), in one table; then the held-connection loads (``bench.hold``).

Servers run pinned to core 0, every client (wrk and the job-cycle client) on core 1; loopback only. Every load
counts the answers that were not 2xx (or not answers at all): they are printed, and any makes the run fail.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import ceilings, hold, hostile, loads, peers, state_file, stores
from .procs import CLIENT_CORE, Server, free_port
from .table import error_count, render

Metrics = dict[str, float]
MOCK = "creatify-mock"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured load")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured load before each measured one")
    parser.add_argument("--connections", type=int, default=4, help="wrk keep-alive connections")
    parser.add_argument(
        "--fill", type=int, default=100_000, help="jobs to hold for the memory figure (0: skip)"
    )
    parser.add_argument("--no-peers", action="store_true", help="measure the mock only")
    parser.add_argument("--no-ceilings", action="store_true", help="skip the fixed-answer apps and nginx")
    parser.add_argument("--threads", type=int, help="the mock's --threads (default: its own default)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument(
        "--no-hold", action="store_true", help="skip the streams, slowloris and dropped-client loads"
    )
    parser.add_argument(
        "--no-hostile", action="store_true", help="skip the costly bodies (300k messages, 8,000 declarations)"
    )
    parser.add_argument("--no-stores", action="store_true", help="skip the memory/Redis store rows")
    parser.add_argument("--stores-only", action="store_true", help="only the memory/Redis store rows")
    parser.add_argument("--no-state-file", action="store_true", help="skip --state-file at 40,000 jobs")
    return parser.parse_args()


def constant(value: str) -> Callable[[], str]:
    """A job path known before the load (a peer's stub, or a job created up front)."""
    return lambda: value


def drive(
    server: Server, job_path: Callable[[], str], args: argparse.Namespace, max_polls: int | None
) -> Metrics:
    """POST create and GET by id with wrk, then (unless ``max_polls`` is None) the job cycle.

    ``job_path`` is asked for the GET's path after the POST load: the mock's job must be one the POSTs did not
    push out of its bounded store (``--max-jobs``), or the GET load would measure 404s."""
    out: Metrics = {}
    steps: list[tuple[str, str, Callable[[], str]]] = [("post", "post.lua", lambda: loads.API)]
    for name, script, path_of in [*steps, ("get", "get.lua", job_path)]:
        path = path_of()
        loads.wrk(server.port, script, path, args.warmup, args.connections)
        result = loads.wrk(server.port, script, path, args.seconds, args.connections)
        out.update({f"{name}_rps": result.rps, f"{name}_p50": result.p50_ms, f"{name}_p99": result.p99_ms})
        out[f"{name}_errors"] = result.errors
    if max_polls is not None:
        cycle = loads.job_cycles(server.port, args.seconds, max_polls)
        out.update({"cycle_p50": cycle.p50_ms, "cycle_p99": cycle.p99_ms, "cycle_errors": cycle.errors})
    out["rss_peak"] = server.peak_rss_mb()
    return out


def start(
    name: str, argv: list[str], port: int, health: str, cwd: Path | None = None
) -> tuple[Server, Metrics]:
    """Start a server and wait for it: startup time to a healthy answer, and idle memory."""
    server = Server(name, argv, port, cwd)
    try:
        startup = server.wait_healthy(health, loads.HEADERS)
        time.sleep(1.0)  # let it settle before reading its idle memory
        return server, {"startup": startup, "rss_idle": server.rss_mb()}
    except BaseException:
        server.stop()
        raise


def bench_mock(args: argparse.Namespace) -> tuple[Metrics, dict[str, Any]]:
    """The mock's figures, plus what the peers need from it (its OpenAPI document and two real answers)."""
    exe = Path(sys.executable).with_name("creatify-mock")
    port = free_port()
    argv = [str(exe), "serve", "--quiet", "--timing", "instant", "--host", "127.0.0.1", "--port", str(port)]
    if args.threads:
        argv += ["--threads", str(args.threads)]
    server, metrics = start(MOCK, argv, port, "/__admin/health")
    try:
        created, done = loads.create_one(server.port)
        shared = {"openapi": loads.get_json(server.port, "/openapi.json"), "created": created, "done": done}
        fresh = lambda: f"{loads.API}{loads.create_one(server.port)[0]['id']}/"  # noqa: E731
        metrics.update(drive(server, fresh, args, max_polls=20))
        if args.fill:
            metrics["jobs_held"] = loads.fill(server.port, args.fill)
            metrics["rss_full"] = server.rss_mb()
    finally:
        server.stop()
    return metrics, shared


def bench_ceilings(args: argparse.Namespace, shared: dict[str, Any]) -> dict[str, Metrics]:
    """The fixed answer (the mock's own created job) under the mock's server, then under nginx when installed."""
    results: dict[str, Metrics] = {}
    body = json.dumps(shared["created"], separators=(",", ":")).encode()
    with tempfile.TemporaryDirectory(prefix="creatify-bench-ceiling-") as tmp:
        body_file = Path(tmp) / "body.json"
        body_file.write_bytes(body)
        runs: list[tuple[str, Callable[[int], list[str] | None]]] = [
            ("fixed app", lambda port: ceilings.fixed_argv(port, body_file, args.threads))
        ]
        runs.append(("nginx", lambda port: ceilings.nginx_argv(Path(tmp) / "nginx", port, body)))
        for name, make in runs:
            port = free_port()
            argv = make(port)
            if argv is None:
                print(f"{name} skipped: not installed", file=sys.stderr)
                continue
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            server, metrics = start(name, argv, port, "/", cwd=Path(__file__).resolve().parent.parent)
            try:
                path = f"{loads.API}{shared['created']['id']}/"
                metrics.update(drive(server, constant(path), args, max_polls=None))
            finally:
                server.stop()
            results[name] = metrics
    return results


def bench_peers(args: argparse.Namespace, shared: dict[str, Any]) -> dict[str, Metrics]:
    missing = peers.available()
    if missing:
        print(f"peers skipped: {missing}", file=sys.stderr)
        return {}
    results: dict[str, Metrics] = {}
    with tempfile.TemporaryDirectory(prefix="creatify-bench-") as tmp:
        folder = Path(tmp)
        print("installing @stoplight/prism-cli and wiremock from npm ...", file=sys.stderr, flush=True)
        peers.install(folder)
        makers: list[Callable[[int], peers.Peer]] = [
            lambda port: peers.prism(folder, shared["openapi"], port),
            lambda port: peers.wiremock(folder, shared["created"], shared["done"], port),
        ]
        for make in makers:
            port = free_port()
            peer = make(port)
            print(f"measuring {peer.name} ...", file=sys.stderr, flush=True)
            server, metrics = start(peer.name, peer.argv, port, peer.health_path, peer.cwd)
            try:
                path = f"{loads.API}{shared['created']['id']}/"
                metrics.update(drive(server, constant(path), args, max_polls=1))
            finally:
                server.stop()
            results[peer.name] = metrics
    return results


def main() -> int:
    args = parse_args()
    if args.stores_only:
        print(stores.render(store_rows := stores.measure(args)))
        return 1 if any(m["errors"] for m in store_rows.values()) else 0
    os.sched_setaffinity(0, {int(CLIENT_CORE)})
    results: dict[str, Metrics] = {}
    shared: dict[str, Any] = {}
    print(f"measuring {MOCK} ...", file=sys.stderr, flush=True)
    results[MOCK], shared = bench_mock(args)
    if not args.no_peers:
        results.update(bench_peers(args, shared))
    if not args.no_ceilings:
        results.update(bench_ceilings(args, shared))
    print(render(results, args))
    held: dict[str, float] = {}
    if not args.no_hold:
        held = hold.measure()
        print()
        print(hold.render(held))
    costly: list[dict[str, Any]] = []
    if not args.no_hostile:
        costly = hostile.measure()
        print()
        print(hostile.render(costly))
    if not args.no_stores:
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
        print()
        print(stores.render(store_rows := stores.measure(args)))
        results.update({f"store: {k}": v for k, v in store_rows.items()})
    if not args.no_state_file:
        print()
        durable = state_file.measure(state_file.parser().parse_args([]))
        print(state_file.render(durable, state_file.parser().parse_args([])))
        results.update({f"state file: {name}": metrics for name, metrics in durable.items()})
    if args.json:
        args.json.write_text(json.dumps({**results, "hold": held, "hostile": costly}, indent=2))
    failed = (
        any(error_count(m) for m in results.values()) or not hold.passed(held) or not hostile.passed(costly)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
