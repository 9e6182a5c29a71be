"""``make soak``: minutes of mixed load plus webhooks to a receiver that fails 20% of calls (not part of CI).

Reports requests, errors, webhook events delivered/abandoned and the mock's RSS over time: the RSS must level off
(job store, journal and delivery log are all bounded). Loopback only; the mock is stopped by its PID.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .loads import API, BODY, HEADERS
from .procs import LOOPBACK, Server, free_port

FAIL_SHARE = 0.2


class Receiver(BaseHTTPRequestHandler):
    """Webhook sink: answers 500 to a seeded 20% of deliveries, 200 to the rest."""

    rng = random.Random(7)
    lock = threading.Lock()
    seen: Counter[str] = Counter()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.lock:
            failed = self.rng.random() < FAIL_SHARE
            self.seen["failed" if failed else "ok"] += 1
        self.send_response(500 if failed else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


def client_loop(port: int, hook: str, deadline: float, counts: Counter[str], seed: int) -> None:
    """POST (half with a webhook), GET it, list a few by ids; every request counted, 5xx and socket errors too."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    body = json.loads(BODY)
    while time.monotonic() < deadline:
        try:
            payload = {**body, "webhook_url": hook} if rng.random() < 0.5 else body
            conn.request("POST", API, json.dumps(payload), {**HEADERS, "Content-Type": "application/json"})
            response = conn.getresponse()
            job = json.loads(response.read())
            counts["requests"] += 1
            counts["errors"] += response.status >= 500
            for path in (f"{API}{job['id']}/", f"{API}?ids={job['id']}"):
                conn.request("GET", path, headers=HEADERS)
                response = conn.getresponse()
                response.read()
                counts["requests"] += 1
                counts["errors"] += response.status >= 500
        except (OSError, ValueError, KeyError):
            counts["errors"] += 1
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    conn.close()


def webhook_states(port: int, max_pages: int = 1000) -> Counter[str]:
    """States of every delivery in the log, walking its pages (``X-Next-Cursor``; bounded)."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    states: Counter[str] = Counter()
    cursor: str | None = ""
    try:
        for _ in range(max_pages):
            conn.request("GET", f"/__admin/webhooks?limit=1000&cursor={cursor}")
            response = conn.getresponse()
            states.update(entry.get("state", "?") for entry in json.loads(response.read()))
            cursor = response.getheader("X-Next-Cursor")
            if cursor is None:
                break
        return states
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument(
        "--max-jobs", type=int, default=20_000, help="the mock's --max-jobs: small, so it fills early"
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between report lines")
    args = parser.parse_args()

    receiver = ThreadingHTTPServer((LOOPBACK, 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://{LOOPBACK}:{receiver.server_address[1]}/hook"
    port = free_port()
    exe = Path(sys.executable).with_name("creatify-mock")
    argv = [str(exe), "serve", "--quiet", "--port", str(port), "--pending-seconds", "0.05"]
    argv += ["--running-seconds", "0.1", "--webhook-allow-hosts", LOOPBACK, "--webhook-backoff", "0.05"]
    argv += ["--max-jobs", str(args.max_jobs)]
    server = Server("creatify-mock-soak", argv, port)
    counts: Counter[str] = Counter()
    rss: list[float] = []
    try:
        server.wait_healthy("/__admin/health", timeout=30)
        deadline = time.monotonic() + args.minutes * 60
        clients = [
            threading.Thread(target=client_loop, args=(port, hook, deadline, counts, seed), daemon=True)
            for seed in range(args.clients)
        ]
        for thread in clients:
            thread.start()
        print(
            "   t s   requests  errors  delivered  abandoned  other  receiver ok/failed   RSS MB", flush=True
        )
        started = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(min(args.every, max(0.0, deadline - time.monotonic())))
            states = webhook_states(port)
            rss.append(server.rss_mb())
            other = sum(v for k, v in states.items() if k not in ("delivered", "abandoned"))
            print(
                f"{time.monotonic() - started:6.0f} {counts['requests']:10,} {counts['errors']:7,} "
                f"{states['delivered']:10,} {states['abandoned']:10,} {other:6,} "
                f"{Receiver.seen['ok']:10,}/{Receiver.seen['failed']:<8,} {rss[-1]:8.1f}",
                flush=True,
            )
        for thread in clients:
            thread.join(15)
    finally:
        server.stop()
        receiver.shutdown()
    third = max(1, len(rss) // 3)
    growth = (max(rss[-third:]) / max(rss[third : 2 * third] or rss) - 1) * 100 if rss else 0.0
    print(f"RSS growth, last third vs middle third: {growth:+.1f}%  (errors: {counts['errors']})")
    return 1 if counts["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
