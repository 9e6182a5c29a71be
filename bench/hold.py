"""Held connections against the mock's one server: streams, slow clients, clients that leave.

Run by ``make bench`` (``python -m bench.hold`` alone). Each load starts its own ``creatify-mock serve`` pinned to
core 0; the clients (one asyncio process) and the GET probe (``bench.probe``, a process of its own) run on core 1.
Loopback only; every load is bounded in count and time.

- time to first chunk: 200 streams one after another (instant timing), request sent → first ``data:`` byte;
- a realtime stream's chunks over its running phase (pending 0.5 s, running 2 s);
- 2,000 concurrent realtime streams, and separately 1,000 slowloris sockets (a header byte every 2 s), with
  other clients' GET latency measured meanwhile; every stream must end with its last chunk;
- 300 streams held in manual timing and dropped by their clients: seconds until ``/__admin/streams`` is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from .loads import HEADERS, create_one
from .procs import CLIENT_CORE, LOOPBACK, Server, free_port, pinned

HEAD = "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
SHORT = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Say hello"}]}
LONG = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Write a long story"}]}
STREAM = "/sse/text_generator/stream/"
JOB = "/api/text_generator/"
TARGET_GET_P99_MS = 50.0


def request(path: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    head = f"POST {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\n{HEAD}Content-Type: application/json\r\n"
    return (head + f"Connection: close\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


async def read_stream(port: int, body: dict[str, Any], timeout: float) -> tuple[float, list[float], bytes]:
    """One stream read to its end: (seconds to the first ``data:`` byte, each piece's offset, the bytes)."""
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    started = time.perf_counter()
    offsets: list[float] = []
    pieces: list[bytes] = []
    first = 0.0

    async def read() -> None:
        nonlocal first
        while piece := await reader.read(65536):
            offsets.append(time.perf_counter() - started)
            if not first and b"data: " in (pieces[-1] if pieces else b"")[-8:] + piece:
                first = offsets[-1]
            pieces.append(piece)

    try:
        writer.write(request(STREAM, body))
        await asyncio.wait_for(read(), timeout)
        return first, offsets, b"".join(pieces)
    finally:
        writer.close()


def ended_well(raw: bytes) -> bool:
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.startswith(b"HTTP/1.1 200") and b'"finishReason":"STOP"' in body.replace(b" ", b"")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def serve(*options: str) -> Server:
    port = free_port()
    exe = Path(sys.executable).with_name("creatify-mock")
    argv = [str(exe), "serve", "--quiet", "--host", LOOPBACK, "--port", str(port), *options]
    server = Server(f"creatify-mock hold {port}", argv, port)
    server.wait_healthy("/__admin/health", HEADERS)
    return server


def probing(port: int, seconds: float) -> subprocess.Popen[bytes]:
    path = f"{JOB}{create_one(port)[0]['id']}/"
    argv = [sys.executable, "-m", "bench.probe", str(port), path, str(seconds)]
    cwd = Path(__file__).resolve().parent.parent
    probe = subprocess.Popen(
        pinned(CLIENT_CORE, argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
    )
    assert probe.stderr is not None
    probe.stderr.readline()  # "ready": connected, one GET answered; the load starts only now
    return probe


def probe_result(probe: subprocess.Popen[bytes], prefix: str) -> dict[str, float]:
    out, _ = probe.communicate(timeout=120)
    failed = probe.returncode != 0
    samples = [ms for _, ms in json.loads(out)] if not failed else []
    return {
        f"{prefix}_get_p50_ms": percentile(samples, 0.5),
        f"{prefix}_get_p99_ms": percentile(samples, 0.99),
        f"{prefix}_get_max_ms": max(samples, default=0.0),
        f"{prefix}_gets": len(samples),
        f"{prefix}_get_failed": float(failed),
    }


async def first_chunk(port: int, count: int = 200) -> dict[str, float]:
    firsts = []
    for _ in range(count):
        first, _, raw = await read_stream(port, SHORT, 10.0)
        if ended_well(raw):
            firsts.append(first * 1000)
    return {
        "ttfc_p50_ms": percentile(firsts, 0.5),
        "ttfc_p99_ms": percentile(firsts, 0.99),
        "ttfc_ok": len(firsts),
    }


async def spread(port: int) -> dict[str, float]:
    _, offsets, raw = await read_stream(port, LONG, 30.0)
    events = raw.count(b"data: ")
    return {
        "spread_events": events,
        "spread_first_s": offsets[1] if len(offsets) > 1 else 0.0,  # the headers come at once; then chunks
        "spread_last_s": offsets[-1] if offsets else 0.0,
        "spread_reads": len(offsets),
    }


async def many_streams(port: int, count: int) -> dict[str, float]:
    async def one() -> bool:
        try:
            return ended_well((await read_stream(port, SHORT, 60.0))[2])
        except (OSError, TimeoutError):
            return False

    results = await asyncio.gather(*(one() for _ in range(count)))
    return {"streams": count, "streams_ok": sum(results)}


async def slowloris(port: int, count: int, seconds: float) -> dict[str, float]:
    """``count`` sockets each sending a request's headers one byte every 2 s, for ``seconds``."""

    async def one() -> bool:
        _, writer = await asyncio.open_connection(LOOPBACK, port)
        try:
            writer.write(f"GET {JOB} HTTP/1.1\r\nHost: x\r\n".encode())
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                await asyncio.sleep(2.0)
                writer.write(b"X")
                await writer.drain()
            return False
        except OSError:
            return True  # closed by the server
        finally:
            writer.close()

    closed = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    return {"slowloris": count, "slowloris_closed_by_server": sum(c is True for c in closed)}


async def dropped(port: int, count: int) -> dict[str, float]:
    """``count`` streams held (manual timing), then all dropped: seconds until none is listed any more."""
    writers = []
    for _ in range(count):
        _, writer = await asyncio.open_connection(LOOPBACK, port)
        writer.write(request(STREAM, SHORT))
        writers.append(writer)
    deadline = time.monotonic() + 30
    while await asyncio.to_thread(listed, port) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    held = await asyncio.to_thread(listed, port)
    started = time.monotonic()
    for writer in writers:
        writer.close()
    left = held
    while time.monotonic() - started < 30:
        left = await asyncio.to_thread(listed, port)
        if not left:
            break
        await asyncio.sleep(0.05)
    return {
        "dropped": count,
        "dropped_held": held,
        "dropped_left": left,
        "dropped_gone_s": time.monotonic() - started,
    }


def listed(port: int) -> int:
    """How many streams ``/__admin/streams`` lists."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        conn.request("GET", "/__admin/streams")
        return len(json.loads(conn.getresponse().read()))
    finally:
        conn.close()


def with_server(
    options: list[str], load: Callable[[int], Coroutine[Any, Any, dict[str, float]]], probe: float = 0
) -> dict[str, float]:
    server = serve(*options)
    try:
        watcher = probing(server.port, probe) if probe else None
        out = asyncio.run(load(server.port))
        if watcher is not None:
            out.update(probe_result(watcher, load.__name__))
        out[f"{load.__name__}_rss_mb"] = server.peak_rss_mb()
        print(f"  {load.__name__}: {out}", file=sys.stderr, flush=True)
        return out
    finally:
        server.stop()


def raise_open_files() -> None:
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def measure() -> dict[str, float]:
    raise_open_files()
    results: dict[str, float] = {}
    print("measuring held connections ...", file=sys.stderr, flush=True)
    results.update(with_server(["--timing", "instant"], first_chunk))
    results.update(with_server(["--pending-seconds", "0.5", "--running-seconds", "2"], spread))

    async def streams_2000(port: int) -> dict[str, float]:
        return await many_streams(port, 2000)

    async def slowloris_1000(port: int) -> dict[str, float]:
        return await slowloris(port, 1000, 8.0)

    async def dropped_300(port: int) -> dict[str, float]:
        return await dropped(port, 300)

    results.update(with_server(["--pending-seconds", "1", "--running-seconds", "4"], streams_2000, probe=10))
    results.update(with_server([], slowloris_1000, probe=9))
    results.update(with_server(["--timing", "manual"], dropped_300))
    return results


def passed(r: dict[str, float]) -> bool:
    if not r:
        return True
    return (
        r["streams_ok"] == r["streams"]
        and r["streams_2000_get_p99_ms"] < TARGET_GET_P99_MS
        and r["slowloris_1000_get_p99_ms"] < TARGET_GET_P99_MS
        and not r["streams_2000_get_failed"]
        and not r["slowloris_1000_get_failed"]
        and r["dropped_left"] == 0
        and r["dropped_gone_s"] < 3
        and r["ttfc_p50_ms"] < 5
    )


def render(r: dict[str, float]) -> str:
    rows = [
        (
            "stream time to first chunk p50 / p99 ms (200 in turn, instant)",
            f"{r['ttfc_p50_ms']:.2f} / {r['ttfc_p99_ms']:.2f}",
        ),
        (
            "realtime stream (pending 0.5 s, running 2 s): events; first / last chunk s",
            f"{r['spread_events']:.0f}; {r['spread_first_s']:.2f} / {r['spread_last_s']:.2f}",
        ),
        ("2,000 concurrent streams: complete", f"{r['streams_ok']:,.0f} of {r['streams']:,.0f}"),
        (
            "  GET meanwhile p50 / p99 / max ms (failed?)",
            f"{r['streams_2000_get_p50_ms']:.1f} / {r['streams_2000_get_p99_ms']:.1f} / "
            f"{r['streams_2000_get_max_ms']:.1f} ({'yes' if r['streams_2000_get_failed'] else 'no'})",
        ),
        ("  server RSS peak MB", f"{r['streams_2000_rss_mb']:.0f}"),
        ("1,000 slowloris sockets: closed by the server", f"{r['slowloris_closed_by_server']:,.0f}"),
        (
            "  GET meanwhile p50 / p99 / max ms (failed?)",
            f"{r['slowloris_1000_get_p50_ms']:.1f} / {r['slowloris_1000_get_p99_ms']:.1f} / "
            f"{r['slowloris_1000_get_max_ms']:.1f} ({'yes' if r['slowloris_1000_get_failed'] else 'no'})",
        ),
        (
            "300 held streams dropped by their clients: gone from /__admin/streams after s",
            f"{r['dropped_gone_s']:.2f} ({r['dropped_held']:.0f} held, {r['dropped_left']:.0f} left)",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    lines = ["| held connections | |", "|---|---|"]
    lines += [f"| {label.ljust(width)} | {value} |" for label, value in rows]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            *lines,
            "",
            f"targets: GET p99 < 50 ms, none failed, TTFC p50 < 5 ms, dropped gone < 3 s; load average {load}",
        ]
    )


def main() -> int:
    os.sched_setaffinity(0, {int(CLIENT_CORE)})
    results = measure()
    print(render(results))
    return 0 if passed(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
