"""Reloading ``--scenarios`` without a restart: on SIGHUP (the CLI's handler calls ``reload``) and, with
``--watch``, whenever the file changes. A bad file keeps the rules in force and the log says why: an edit
half saved must not leave a running mock with no rules at all.
"""

from __future__ import annotations

import logging
import os
import threading

from mockserver.core.scenarios import ScenarioError
from mockserver.service.facade import MockService

log = logging.getLogger("creatify_mock.scenarios")
#: How often ``--watch`` looks at the file (seconds): a stat call, nothing more.
WATCH_INTERVAL = 0.5


def reload(service: MockService, path: str, why: str) -> bool:
    """Load the rules of ``path`` into ``service``; False (old rules kept, reason logged) when it is bad."""
    try:
        count = service.reload_scenarios(path)
    except ScenarioError as exc:
        log.error("%s: scenarios not reloaded, the old rules stay: %s", why, exc)
        return False
    log.info("%s: reloaded %d scenario rule(s) from %s", why, count, path)
    return True


def _signature(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Watcher:
    """A daemon thread that reloads the scenario file when its mtime, size or inode changes."""

    def __init__(self, service: MockService, path: str, interval: float = WATCH_INTERVAL) -> None:
        self._service = service
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen = _signature(path)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="creatify-mock-watch", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            now = _signature(self._path)
            if now is not None and now != self._seen:
                self._seen = now
                reload(self._service, self._path, "file changed")
