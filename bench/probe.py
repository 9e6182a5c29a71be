"""``python -m bench.probe PORT PATH SECONDS``: GET ``PATH`` over one keep-alive connection every 5 ms for
SECONDS, then print ``[[unix_time, latency_ms], ...]``. A process of its own, so the latency it measures is the
server's, not the GIL of a client busy reading 200 streams."""

from __future__ import annotations

import http.client
import json
import sys
import time

from .loads import HEADERS
from .procs import LOOPBACK


def main() -> int:
    port, path, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    conn.request("GET", path, headers=HEADERS)  # connected and warm before measuring: no connect in a sample
    conn.getresponse().read()
    print("ready", file=sys.stderr, flush=True)
    samples: list[list[float]] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        at, started = time.time(), time.perf_counter()
        conn.request("GET", path, headers=HEADERS)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}")
        samples.append([at, (time.perf_counter() - started) * 1000])
        time.sleep(0.005)
    conn.close()
    print(json.dumps(samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
