"""The loads: wrk for POST create and GET by id, and a Python client that runs whole job cycles.

wrk runs on the client core; its Lua scripts print one ``BENCH {json}`` line with exact percentiles.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .procs import CLIENT_CORE, LOOPBACK, pinned

HERE = Path(__file__).resolve().parent
HEADERS = {"X-API-ID": "bench", "X-API-KEY": "bench"}
BODY = (
    b'{"model_name":"gemini-2.5-flash","messages":[{"role":"user","content":"Write a tagline for a bakery"}]}'
)
API = "/api/text_generator/"


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    max_ms: float = 0.0


def wrk(
    port: int, script: str, path: str, seconds: float, connections: int, env: dict[str, str] | None = None
) -> Result:
    """One wrk run (1 thread, ``connections`` keep-alive connections) against ``path``."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s"]
    argv += ["-s", str(HERE / script), f"http://{LOOPBACK}:{port}{path}"]
    out = subprocess.run(
        pinned(CLIENT_CORE, argv),
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        env={**os.environ, **(env or {})},
        check=True,
    ).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    data = json.loads(line.removeprefix("BENCH "))
    return Result(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"] + data["non2xx"],
        max_ms=data.get("max_us", 0) / 1000,
    )


def fill(port: int, jobs: int, timeout: float = 600.0) -> int:
    """Create finished jobs (POST, then GET each once) with wrk until the mock holds ``jobs`` or stops growing
    (its own job limit); returns how many it holds. wrk's Lua cannot end the run early, so wrk is stopped here,
    by its PID, once the count is reached."""
    held = int(str(get_json(port, "/__admin/health")["jobs"]))
    if held >= jobs:
        return held
    argv = [
        "wrk",
        "-t1",
        "-c4",
        f"-d{round(timeout)}s",
        "-s",
        str(HERE / "fill.lua"),
        f"http://{LOOPBACK}:{port}/",
    ]
    env = {**os.environ, "BENCH_FILL": str(jobs - held)}
    proc = subprocess.Popen(
        pinned(CLIENT_CORE, argv), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + timeout
    last, still_since = held, time.monotonic()
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            held = int(str(get_json(port, "/__admin/health")["jobs"]))
            if held >= jobs or time.monotonic() - still_since > 3.0:
                break
            if held != last:
                last, still_since = held, time.monotonic()
    finally:
        proc.terminate()
        proc.wait(10)
    return held


def job_cycles(port: int, seconds: float, max_polls: int, max_cycles: int = 100_000) -> Result:
    """POST a job, then GET it until it is done or failed (at most ``max_polls`` GETs): latency per cycle.

    One keep-alive connection, one cycle at a time; a stateless peer gets ``max_polls=1`` (its one GET).
    """
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    post_headers = {**HEADERS, "Content-Type": "application/json"}
    took: list[float] = []
    errors = 0
    start = time.perf_counter()
    try:
        while time.perf_counter() - start < seconds and len(took) < max_cycles:
            t0 = time.perf_counter()
            conn.request("POST", API, body=BODY, headers=post_headers)
            response = conn.getresponse()
            job = json.loads(response.read())
            errors += response.status != 201
            for _ in range(max_polls):
                conn.request("GET", f"{API}{job['id']}/", headers=HEADERS)
                response = conn.getresponse()
                job = json.loads(response.read())
                errors += response.status != 200
                if job.get("status") in ("done", "failed"):
                    break
            took.append(time.perf_counter() - t0)
    finally:
        conn.close()
    elapsed = time.perf_counter() - start
    took.sort()
    return Result(
        rps=len(took) / elapsed,
        p50_ms=took[len(took) // 2] * 1000,
        p99_ms=took[min(len(took) - 1, int(len(took) * 0.99))] * 1000,
        errors=errors,
    )


def create_one(port: int) -> tuple[dict[str, object], dict[str, object]]:
    """One job created and read back: (POST answer, GET answer) — also the bodies WireMock's stubs return."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    try:
        conn.request("POST", API, body=BODY, headers={**HEADERS, "Content-Type": "application/json"})
        created = json.loads(conn.getresponse().read())
        conn.request("GET", f"{API}{created['id']}/", headers=HEADERS)
        return created, json.loads(conn.getresponse().read())
    finally:
        conn.close()


def get_json(port: int, path: str) -> dict[str, object]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        conn.request("GET", path, headers=HEADERS)
        return dict(json.loads(conn.getresponse().read()))
    finally:
        conn.close()
