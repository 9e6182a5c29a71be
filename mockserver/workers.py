"""``creatify-mock serve --workers N``: one port served by N mock processes sharing a Redis store.

The supervisor binds the port once and hands the listening socket to N ``serve`` processes (the kernel spreads
connections among them), restarts a worker that dies, and stops them all together on SIGINT/SIGTERM. It knows
nothing of the HTTP server inside a worker: any server that takes the inherited socket
(``web/inherited.py``) will do. State is shared through the store, so any worker answers for any job.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

from mockserver.cli_groups import grouped
from mockserver.config.settings import Settings
from mockserver.web.inherited import LISTEN_FD

log = logging.getLogger("creatify_mock.workers")
#: Restarts allowed per worker slot within RESTART_WINDOW seconds before the supervisor gives up.
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
STOP_SECONDS = 15.0


def add_options(serve: argparse.ArgumentParser) -> None:
    """``serve`` options for running as a shared service: where the state lives, and how many processes."""
    add = grouped(serve)
    add(
        "--store",
        metavar="memory|redis://HOST:PORT/DB",
        help="where the state lives: memory (default, this process) or a Redis/Valkey shared by many mocks",
    )
    add("--store-prefix", metavar="PREFIX", help="prefix of every Redis key (default creatify-mock:)")
    add(
        "--workers", type=int, metavar="N", help="serve one port from N processes (needs --store redis://...)"
    )


def is_worker() -> bool:
    """True inside a worker (it serves; it never supervises)."""
    return bool(os.environ.get(LISTEN_FD))


class Supervisor:
    """N worker processes on one pre-bound socket."""

    def __init__(self, argv: Sequence[str], settings: Settings) -> None:
        self._argv = list(argv)
        self._settings = settings
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        self._socket = socket.create_server((settings.host, settings.port), family=family, backlog=2048)
        self._socket.set_inheritable(True)
        self.port = int(self._socket.getsockname()[1])
        self._workers: list[subprocess.Popen[str] | None] = [None] * settings.workers
        self._restarts: list[list[float]] = [[] for _ in range(settings.workers)]
        self._stop = threading.Event()

    def _spawn(self, slot: int) -> subprocess.Popen[str]:
        env = {**os.environ, LISTEN_FD: str(self._socket.fileno()), "MOCKSERVER_WORKER": str(slot)}
        return subprocess.Popen(
            [sys.executable, "-m", "mockserver", *self._argv],
            env=env,
            pass_fds=(self._socket.fileno(),),
            stdout=subprocess.PIPE,
            text=True,
        )

    def _started(self, slot: int, proc: subprocess.Popen[str]) -> subprocess.Popen[str]:
        """Wait for the worker's "serving on" line (it accepts from then on), then forward its later output."""
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if "serving on" not in first:
            proc.wait(STOP_SECONDS)
            raise RuntimeError(f"worker {slot} did not start (exit {proc.returncode}): {first.strip()!r}")
        proc.stdout.readline()  # its dashboard line: the supervisor prints the one address for every worker
        threading.Thread(target=_forward, args=(proc, slot), daemon=True).start()
        return proc

    def run(self) -> int:
        self._workers = [self._spawn(slot) for slot in range(len(self._workers))]  # side by side
        for slot, proc in enumerate(self._workers):
            assert proc is not None
            self._started(slot, proc)
        host = f"[{self._settings.host}]" if ":" in self._settings.host else self._settings.host
        print(
            f"creatify-mock serving on http://{host}:{self.port} ({len(self._workers)} workers, "
            f"store {self._settings.store}; pids {' '.join(str(p.pid) for p in self._workers if p)})",
            flush=True,
        )
        print(f"creatify-mock dashboard: http://{host}:{self.port}/__admin/ui/", flush=True)
        while not self._stop.wait(0.5):  # bounded by the stop signal; a worker's death is seen within 0.5 s
            for slot, proc in enumerate(self._workers):
                if proc is not None and proc.poll() is not None and not self._stop.is_set():
                    self._restart(slot, proc.returncode)
        self._stop_all()
        print("creatify-mock stopped", flush=True)
        return 0

    def _restart(self, slot: int, code: int) -> None:
        now = time.monotonic()
        recent = [t for t in self._restarts[slot] if now - t < RESTART_WINDOW] + [now]
        self._restarts[slot] = recent
        if len(recent) > MAX_RESTARTS:
            log.error("worker %d keeps dying (exit %d); stopping every worker", slot, code)
            self._stop.set()
            return
        log.warning("worker %d exited (%d); starting it again", slot, code)
        proc = self._workers[slot] = self._started(slot, self._spawn(slot))
        print(f"creatify-mock worker {slot} restarted (pid {proc.pid})", flush=True)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def _stop_all(self) -> None:
        live = [p for p in self._workers if p is not None and p.poll() is None]
        for proc in live:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for proc in live:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self._socket.close()


def _forward(proc: subprocess.Popen[str], slot: int) -> None:
    """A worker's later output (its stop line), prefixed with its slot."""
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"[worker {slot}] {line}", end="", flush=True)


def supervise(argv: Sequence[str], settings: Settings) -> int:
    """Run N workers until SIGINT/SIGTERM; 1 when the port cannot be bound or a worker cannot start."""
    try:
        supervisor = Supervisor(argv, settings)
    except OSError as exc:
        print(
            f"creatify-mock: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    signal.signal(signal.SIGINT, supervisor.stop)
    signal.signal(signal.SIGTERM, supervisor.stop)
    try:
        return supervisor.run()
    except RuntimeError as exc:
        print(f"creatify-mock: {exc}", file=sys.stderr)
        supervisor._stop_all()
        return 1
