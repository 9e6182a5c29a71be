"""``--state-file``: the mock's state on disk, so a restart (even ``kill -9``) loses at most one interval.

The file is exactly what ``GET /__admin/state`` answers (jobs with their schedules, the webhook delivery log with
the events not yet delivered, balances, scenarios, the seeded sequence), written atomically — a temporary file
in the same folder, flushed to disk, then renamed over the old one — every ``--state-interval`` seconds when
something changed, and on shutdown. A file that cannot be read back (damaged, or not the mock's) stops startup
with a message and is never overwritten: it may be the only copy of someone's work.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from mockserver.core import jsonio
from mockserver.core.snapshots import STATE_VERSION
from mockserver.service.facade import MockService

log = logging.getLogger("creatify_mock.state")


class StateFileError(Exception):
    """The state file cannot be used; the message names it, says what is wrong and that it was left alone."""


class StateFile:
    """Load once at startup, then save periodically (a daemon thread) and once more at ``stop``."""

    def __init__(self, path: str | os.PathLike[str], service: MockService, interval: float = 5.0) -> None:
        self.path = Path(path)
        self._service = service
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._write_lock = threading.Lock()
        self._last: bytes | None = None
        self._usable = False  # only a file that was loaded (or absent) may be written
        self.error: BaseException | None = None

    def load(self) -> dict[str, int] | None:
        """Import the file; None when it does not exist yet (a first run). StateFileError when unusable."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self._usable = True
            return None
        except OSError as exc:
            raise StateFileError(f"cannot read state file {self.path}: {exc.strerror}") from None
        data = self._parse(raw)
        try:
            counts = self._service.import_state(data)
        except ValueError as exc:  # StateError, ScenarioError
            raise self._refuse(f"it does not import: {exc}") from None
        self._usable = True
        self._last = raw
        return counts

    def _parse(self, raw: bytes) -> Any:
        try:  # the standard library: a stored request may nest as deep as the API allowed, plus the wrapper
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise self._refuse(f"it is damaged (not JSON: {exc})") from None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION or "jobs" not in data:
            raise self._refuse(
                f"it is not a creatify-mock state (version {STATE_VERSION} with jobs, as GET /__admin/state gives)"
            )
        errors = self._service.body_errors("admin_state", data)
        if errors is not None:
            raise self._refuse(
                f"it does not match schemas/admin_state.schema.json: {jsonio.dumps(errors)[:300]!r}"
            )
        return data

    def _refuse(self, why: str) -> StateFileError:
        return StateFileError(
            f"state file {self.path} cannot be loaded: {why}. It was left unchanged; "
            "move it away (or fix it) to start."
        )

    def save(self) -> bool:
        """Write the current state if it changed; True when written. Never writes a file that failed to load."""
        if not self._usable:
            return False
        with self._write_lock:
            body = jsonio.dumps(self._service.export_state())
            if body == self._last:
                return False
            folder = self.path.parent
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(body)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            _sync_folder(folder)
            self._last = body
            return True

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="creatify-mock-state", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the saver and write the state one last time (errors are logged, and kept in ``error``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._save_logged()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._save_logged()

    def _save_logged(self) -> None:
        try:
            self.save()
        except Exception as exc:  # a full disk must not stop the mock; it says so, every time
            self.error = exc
            log.exception("could not write state file %s", self.path)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
