"""200 concurrent realtime streams (pending 0.2 s, running 1 s) while plain GETs keep being answered.

Run by ``make bench`` (``python -m bench.streams`` alone): the CLI server and the embedded ``MockServer`` (in a
process of its own) are each pinned to core 0, the clients to core 1. Every stream must end with its last chunk
and stream exactly the text its job then shows; GET latency is measured while the streams run. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .loads import HEADERS
from .procs import CLIENT_CORE, LOOPBACK, Server, free_port, pinned

BODY = json.dumps(
    {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Write a long story"}]}
).encode()
PROBE_SECONDS = 5.0  # the streams end within about 1.5 s; GETs are measured only while they run
JSON_HEADERS = {**HEADERS, "Content-Type": "application/json"}
EMBEDDED = (
    "import signal, sys, threading\n"
    "from mockserver.testing import MockServer\n"
    "stop = threading.Event()\n"
    "signal.signal(signal.SIGTERM, lambda *a: stop.set())\n"
    "with MockServer(port=int(sys.argv[1]), pending_seconds=0.2, running_seconds=1.0, log_requests=False):\n"
    "    stop.wait(3600)\n"
)


@dataclass
class Outcome:
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    chunks: int = 0
    seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def one_stream(port: int, outcome: Outcome, timeout: float) -> None:
    """Read one stream to its end; check its last chunk and that its job shows the streamed text."""
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
        conn.request("POST", "/sse/text_generator/stream/", body=BODY, headers=JSON_HEADERS)
        answer = conn.getresponse()
        raw = answer.read()
        conn.close()
        events = [json.loads(e.removeprefix(b"data: ")) for e in raw.split(b"\r\n\r\n") if e]
        text = "".join(
            p["text"] for e in events for c in e["candidates"] for p in c.get("content", {}).get("parts", [])
        )
        last = events[-1]
        assert answer.status == 200 and last["candidates"][0]["finishReason"] == "STOP", last
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
        conn.request("GET", f"/sse/text_generator/{last['creatify']['id']}/", headers=HEADERS)
        job = json.loads(conn.getresponse().read())
        conn.close()
        assert job["status"] == "done" and job["response_text"] == text, (
            "streamed text differs from the job's"
        )
        with outcome.lock:
            outcome.ok += 1
            outcome.chunks += len(events)
            outcome.seconds.append(time.monotonic() - started)
    except Exception as exc:
        with outcome.lock:
            outcome.failures.append(f"{type(exc).__name__}: {exc}")


def run(port: int, streams: int, timeout: float) -> dict[str, float]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    conn.request("POST", "/api/text_generator/", body=BODY, headers=JSON_HEADERS)
    job_path = f"/api/text_generator/{json.loads(conn.getresponse().read())['id']}/"
    conn.close()
    outcome = Outcome()
    probe_seconds = PROBE_SECONDS
    probe = subprocess.Popen(
        pinned(CLIENT_CORE, [sys.executable, "-m", "bench.probe", str(port), job_path, str(probe_seconds)]),
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    time.sleep(0.5)  # the probe is running
    started = time.time()
    readers = [
        threading.Thread(target=one_stream, args=(port, outcome, timeout), daemon=True)
        for _ in range(streams)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout + 30)
    ended = time.time()
    wall = ended - started
    out, _ = probe.communicate(timeout=probe_seconds + 30)
    samples = [(at, ms) for at, ms in json.loads(out) if started <= at <= ended]
    during = sorted(ms for _, ms in samples)
    slow = [f"{at - started:.2f}s:{ms:.0f}ms" for at, ms in samples if ms > 20]
    if slow:
        print(f"  GETs over 20 ms (time into the run: latency): {' '.join(slow)}", file=sys.stderr)
    if outcome.failures:
        print(f"  {len(outcome.failures)} failures, first: {outcome.failures[0]}", file=sys.stderr)
    return {
        "streams_ok": outcome.ok,
        "streams": streams,
        "chunks": outcome.chunks,
        "stream_p50_s": statistics.median(outcome.seconds) if outcome.seconds else 0.0,
        "stream_max_s": max(outcome.seconds, default=0.0),
        "wall_s": wall,
        "gets": len(during),
        "get_p50_ms": during[len(during) // 2] if during else 0.0,
        "get_p99_ms": during[min(len(during) - 1, int(len(during) * 0.99))] if during else 0.0,
        "get_max_ms": during[-1] if during else 0.0,
    }


def measure(streams: int, timeout: float) -> dict[str, dict[str, float]]:
    exe = Path(sys.executable)
    results = {}
    for name in ("cli", "embedded"):
        port = free_port()
        if name == "cli":
            argv = [
                str(exe.with_name("creatify-mock")),
                "serve",
                "--quiet",
                "--host",
                LOOPBACK,
                "--port",
                str(port),
            ]
            argv += ["--pending-seconds", "0.2", "--running-seconds", "1"]
        else:
            argv = [str(exe), "-c", EMBEDDED, str(port)]
        server = Server(f"creatify-mock {name}", argv, port)
        try:
            server.wait_healthy("/__admin/health", HEADERS)
            print(f"measuring {streams} streams against the {name} server ...", file=sys.stderr, flush=True)
            results[name] = run(port, streams, timeout)
        finally:
            server.stop()
    return results


def render(results: dict[str, dict[str, float]]) -> str:
    rows = [
        ("streams complete", "streams_ok", "{:,.0f}"),
        ("chunks received", "chunks", "{:,.0f}"),
        ("stream p50 s", "stream_p50_s", "{:.2f}"),
        ("stream max s", "stream_max_s", "{:.2f}"),
        ("GETs during streams", "gets", "{:,.0f}"),
        ("GET p50 ms", "get_p50_ms", "{:.2f}"),
        ("GET p99 ms", "get_p99_ms", "{:.2f}"),
        ("GET max ms", "get_max_ms", "{:.2f}"),
    ]
    names = list(results)
    streams = int(next(iter(results.values()))["streams"]) if results else 0
    lines = [
        f"{streams} concurrent realtime streams (pending 0.2 s, running 1 s), GETs meanwhile (target p99 < 50 ms)"
    ]
    lines.append("| " + " | ".join(["", *names]) + " |")
    lines.append("|" + "|".join(["---"] * (len(names) + 1)) + "|")
    for label, key, fmt in rows:
        lines.append("| " + " | ".join([label, *(fmt.format(results[n][key]) for n in names)]) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.streams", description=__doc__)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one stream may take")
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(CLIENT_CORE)})
    results = measure(args.streams, args.timeout)
    print(render(results))
    ok = all(r["streams_ok"] == r["streams"] and r["get_p99_ms"] < 50 for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
