"""Costly-to-answer bodies against ``creatify-mock serve``: how long a refusal (or an answer) takes over HTTP.

Run by ``make bench`` (``python -m bench.hostile`` alone). The server is pinned to core 0, this client to core 1;
loopback only; each body is sent ``REPEAT`` times on a fresh connection and the median is reported (client time
included: reading the answer, not only the server's work).

- 300,000 empty messages (0.9 MB) to each family: refused by the count limit (``--max-messages``), 400;
- 8,000 function declarations (0.7 MB) to ``/sse/``: refused by ``--max-function-declarations``, 400;
- 2,000 bad messages (a role and a content each wrong), within every limit: refused, 400, listing the first
  problems (counting stops at 200);
- 500 declarations of 20 properties each (0.7 MB), within every limit: validated, converted and answered 201.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import time
from typing import Any

from .hold import serve
from .loads import HEADERS
from .procs import CLIENT_CORE, LOOPBACK

REPEAT = 9
TARGET_REFUSAL_MS = 50.0
API, SSE = "/api/text_generator/", "/sse/text_generator/"


def bodies() -> list[tuple[str, str, bytes, int]]:
    """(label, path, body, expected status)."""
    empty = b'{"model_name":"gemini-2.5-flash","messages":[' + b",".join([b"{}"] * 300_000) + b"]}"
    say = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}
    bare = {"name": "f", "description": "d", "parameters": {"type": "OBJECT", "properties": {}}}
    many = {**say, "tools": [{"function_declarations": [dict(bare, name=f"f{i}") for i in range(8000)]}]}
    props = {f"p{i}": {"type": "STRING", "description": "x" * 20} for i in range(20)}
    rich = {"name": "f", "description": "d", "parameters": {"type": "OBJECT", "properties": props}}
    big = {**say, "tools": [{"function_declarations": [dict(rich, name=f"f{i}") for i in range(500)]}]}
    bad = {"model_name": "gemini-2.5-flash", "messages": [{"role": "bad", "content": 5}] * 2000}
    return [
        ("300,000 empty messages, /api/ (refused)", API, empty, 400),
        ("2,000 bad messages, /api/ (refused)", API, json.dumps(bad).encode(), 400),
        ("2,000 bad messages, /sse/ (refused)", SSE, json.dumps(bad).encode(), 400),
        ("300,000 empty messages, /sse/ (refused)", SSE, empty, 400),
        ("8,000 declarations, /sse/ (refused)", SSE, json.dumps(many).encode(), 400),
        ("500 declarations of 20 properties, /sse/ (accepted)", SSE, json.dumps(big).encode(), 201),
    ]


def post(port: int, path: str, body: bytes) -> tuple[int, float]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=60)
    try:
        started = time.perf_counter()
        conn.request("POST", path, body, {**HEADERS, "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def measure() -> list[dict[str, Any]]:
    server = serve("--timing", "instant")
    try:
        rows = []
        for label, path, body, expected in bodies():
            answers = [post(server.port, path, body) for _ in range(REPEAT)]
            rows.append(
                {
                    "label": label,
                    "mb": len(body) / 1e6,
                    "statuses": sorted({status for status, _ in answers}),
                    "expected": expected,
                    "median_ms": statistics.median(ms for _, ms in answers),
                }
            )
        return rows
    finally:
        server.stop()


def passed(rows: list[dict[str, Any]]) -> bool:
    """Every answer as expected; every refusal under the target."""
    return all(
        r["statuses"] == [r["expected"]] and (r["expected"] != 400 or r["median_ms"] < TARGET_REFUSAL_MS)
        for r in rows
    )


def render(rows: list[dict[str, Any]]) -> str:
    lines = ["| costly body | MB | status | median ms |", "|---|---|---|---|"]
    for r in rows:
        status = ", ".join(str(s) for s in r["statuses"])
        lines.append(f"| {r['label']} | {r['mb']:.2f} | {status} | {r['median_ms']:.1f} |")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [*lines, "", f"target: each refusal under {TARGET_REFUSAL_MS:.0f} ms; load average {load}"]
    )


def main() -> int:
    os.sched_setaffinity(0, {int(CLIENT_CORE)})
    rows = measure()
    print(render(rows))
    return 0 if passed(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
