"""Processes under test: start pinned to a core, wait until healthy, read memory from /proc, stop by PID.

Every server the benchmark starts is stopped through the ``Popen`` object it started (its own PID), with a
bounded wait: SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"
SERVER_CORE = "0"
CLIENT_CORE = "1"


def free_port() -> int:
    """A port the kernel has just handed out on loopback (closed again, so a server can take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def pinned(core: str, argv: Sequence[str]) -> list[str]:
    """``argv`` under ``taskset`` (which execs it: the PID stays the server's own)."""
    return ["taskset", "-c", core, *argv]


class Server:
    """One server process under test, started at construction; ``stop()`` is idempotent."""

    def __init__(self, name: str, argv: Sequence[str], port: int, cwd: Path | None = None) -> None:
        self.name = name
        self.port = port
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{name}-{port}.log"
        self._log = self.log_path.open("wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            pinned(SERVER_CORE, argv), cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_healthy(self, path: str, headers: dict[str, str] | None = None, timeout: float = 120.0) -> float:
        """Seconds from start until ``GET path`` answers below 500; raises if it never does within ``timeout``."""
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            if status_of(self.port, "GET", path, headers) in range(200, 500):
                return time.monotonic() - self.started
            time.sleep(0.01)
        raise TimeoutError(f"{self.name} not healthy after {timeout} s; see {self.log_path}")

    def rss_mb(self) -> float:
        return sum(_status_kb(pid, "VmRSS") for pid in self._tree()) / 1024

    def peak_rss_mb(self) -> float:
        """High-water mark of resident memory (VmHWM), summed over the process and any children."""
        return sum(_status_kb(pid, "VmHWM") for pid in self._tree()) / 1024

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self._log.close()

    def _tree(self) -> list[int]:
        pids: list[int] = []
        todo = [self.pid]
        while todo and len(pids) < 64:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    todo.extend(int(c) for c in task.read_text().split())
                except OSError:
                    continue
        return pids


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def status_of(port: int, method: str, path: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status of one request, or 0 when the connection fails."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
    try:
        conn.request(method, path, headers=headers or {})
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()
