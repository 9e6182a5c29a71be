"""A real ``redis-server`` for the tests: 127.0.0.1, a free port, no persistence, a temporary directory, and
stopped by its PID. (Redis has no ``--port 0``: a free port is picked, and a clash is retried.)"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import redis

MISSING = "redis-server is not installed: `make debian-deps` installs it (Debian package redis-server)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """``with RedisServer() as server: server.url`` — one server process, killed by PID at exit."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="creatify-mock-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(MISSING)
        for _ in range(5):  # a port taken between the pick and the bind: try another
            self.port = free_port()
            args = [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ]
            args += ["--dir", str(self.dir), "--protected-mode", "yes", "--loglevel", "warning"]
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._ready():
                return self
            self.stop()
        raise RuntimeError("redis-server did not start on any of 5 free ports")

    def _ready(self, timeout: float = 10.0) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # bounded
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                client.ping()
                return True
            except redis.ConnectionError:
                time.sleep(0.02)
            finally:
                client.close()
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # by its PID (Popen): nothing else is touched
            self.proc.wait(10)
        self.proc = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
