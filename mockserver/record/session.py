"""``Recorder``: the recording proxy with its file, upstream client and follower, in the foreground (the CLI)
or in a thread (tests, and anyone recording from their own Python code)."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from mockserver.config.settings import Settings
from mockserver.record.follow import Follower
from mockserver.record.proxy import OnExchange, RecordingProxy
from mockserver.record.scrub import Scrubber
from mockserver.record.writer import RecordingWriter
from mockserver.replay.recording import header
from mockserver.web.serving import Server

DEFAULT_MAX_BYTES = 100 * 1024 * 1024


def check_target(url: str) -> str:
    """An http(s) origin, optionally with a base path; no credentials, query or fragment in it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--target must be an http:// or https:// URL with a host, got {url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"--target must not carry credentials, a query or a fragment, got {url!r}")
    return url.rstrip("/")


class Recorder:
    """Bound at construction (the port is known at once); ``start()`` serves in a thread, ``stop()`` ends it."""

    def __init__(
        self,
        target: str,
        out: str | Path,
        *,
        follow_jobs: bool = False,
        follow_interval: float = 1.0,
        follow_max_rate: float = 5.0,
        follow_timeout: float = 600.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout: float = 300.0,
        threads: int = 8,
        listeners: tuple[OnExchange, ...] = (),
    ) -> None:
        self.target = check_target(target)
        self.out = Path(out)
        settings = Settings(host=host, port=port, threads=threads, log_requests=False)
        scrubber = Scrubber()
        started = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        self.writer = RecordingWriter(
            self.out, max_bytes, header(self.target, started, follow_jobs), scrubber
        )
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=10.0), follow_redirects=False, trust_env=False
        )
        self.proxy = RecordingProxy(self.target, self.writer, self.client, scrubber)
        self.proxy.listeners.extend(listeners)
        self.follower: Follower | None = None
        if follow_jobs:
            self.follower = Follower(self.proxy.poll, follow_interval, follow_max_rate, follow_timeout)
            self.proxy.listeners.append(self.follower.on_exchange)
        try:
            self.server = Server(self.proxy, settings)
        except OSError:
            self._close_parts()
            raise
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def serve_forever(self) -> None:
        """Serve in this thread until ``shutdown()`` (a signal handler calls it), then close everything."""
        if self.follower is not None:
            self.follower.start()
        try:
            self.server.serve_forever()
        finally:
            self._close_parts()

    def shutdown(self) -> None:
        self.server.shutdown()

    def start(self) -> Recorder:
        self._thread = threading.Thread(target=self.serve_forever, name="creatify-record", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.shutdown()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _close_parts(self) -> None:
        if self.follower is not None:
            self.follower.close()
        self.client.close()
        self.writer.close()
