"""``make bench`` rows for the stores: the memory store, then the Redis store with 1 and with 2 workers, under
the same loads (POST create and GET by id with wrk, the job cycle).

A redis-server (Debian's) is started for these rows on a free loopback port, without persistence, and stopped
by its PID. The rows run unpinned (2 workers and Redis need more than one core): on a small or shared machine
the client, the workers and Redis contend for the same cores, which the printed table says.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from . import loads
from .procs import LOOPBACK, Server, free_port

Metrics = dict[str, float]
ROWS = [
    ("post_rps", "POST create req/s", "{:,.0f}"),
    ("post_p99", "POST create p99 ms", "{:.2f}"),
    ("get_rps", "GET by id req/s", "{:,.0f}"),
    ("get_p99", "GET by id p99 ms", "{:.2f}"),
    ("cycle_p50", "job cycle p50 ms", "{:.2f}"),
    ("cycle_p99", "job cycle p99 ms", "{:.2f}"),
    ("errors", "non-2xx or failed", "{:.0f}"),
]


class Unpinned(Server):
    """A server under test on every core (the store rows measure processes that need more than one)."""

    def __init__(self, name: str, argv: list[str], port: int) -> None:
        self.name, self.port = name, port
        self.log_path = Path(tempfile.gettempdir()) / f"bench-{name.replace(' ', '-')}-{port}.log"
        self._log = self.log_path.open("wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT)


def _redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (make debian-deps installs it)")
    argv = [
        binary,
        "--bind",
        LOOPBACK,
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host=LOOPBACK, port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # bounded
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.02)
    client.close()
    return proc, f"redis://{LOOPBACK}:{port}/0"


def _measure(name: str, extra: list[str], args: argparse.Namespace) -> Metrics:
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
    server = Unpinned(name, argv, port)
    try:
        server.wait_healthy("/__admin/health", loads.HEADERS)
        out: Metrics = {}
        for kind, script, path in (("post", "post.lua", loads.API), ("get", "get.lua", "")):
            path = path or f"{loads.API}{loads.create_one(port)[0]['id']}/"
            loads.wrk(port, script, path, args.warmup, args.connections)
            result = loads.wrk(port, script, path, args.seconds, args.connections)
            out.update(
                {f"{kind}_rps": result.rps, f"{kind}_p99": result.p99_ms, f"{kind}_errors": result.errors}
            )
        cycle = loads.job_cycles(port, args.seconds, 20)
        out.update({"cycle_p50": cycle.p50_ms, "cycle_p99": cycle.p99_ms})
        out["errors"] = out.pop("post_errors") + out.pop("get_errors") + cycle.errors
        return out
    finally:
        server.stop()


def measure(args: argparse.Namespace) -> dict[str, Metrics]:
    """The three rows; the Redis ones each on a fresh key prefix of one redis-server."""
    results: dict[str, Metrics] = {}
    with tempfile.TemporaryDirectory(prefix="creatify-bench-redis-") as tmp:
        redis, url = _redis(Path(tmp))
        try:
            runs = [
                ("memory store", []),
                ("redis store, 1 worker", ["--store", url, "--store-prefix", "bench-1:"]),
                ("redis store, 2 workers", ["--store", url, "--store-prefix", "bench-2:", "--workers", "2"]),
            ]
            for name, extra in runs:
                print(f"measuring {name} ...", file=sys.stderr, flush=True)
                results[name] = _measure(name, extra, args)
        finally:
            redis.kill()  # by its PID
            redis.wait(10)
    return results


def render(results: dict[str, Metrics]) -> str:
    names = list(results)
    width = max(len(n) for n in names) + 2
    lines = [
        "Stores (unpinned: client, workers and Redis share the machine's cores; under contention on a shared one)"
    ]
    lines.append(f"{'':<22}" + "".join(f"{n:>{width}}" for n in names))
    for key, label, fmt in ROWS:
        lines.append(
            f"{label:<22}" + "".join(f"{fmt.format(results[n].get(key, 0)):>{width}}" for n in names)
        )
    return "\n".join(lines)
