"""What changed since the last commit: the rows the state file must write next, and a version per change.

The store and the delivery log call ``job`` and ``webhook`` under their own locks, so these only copy and
enqueue (a shallow copy of a job, the serialised bytes of a delivery-log entry, which goes on changing). A
job changed twice between commits is written once, as it last was. Each change bumps ``version``; each thread
remembers the last version it caused, so a request waits only for the commit of its own changes (a read that
moved nothing waits for nothing).
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockserver.core.models import Job
from mockserver.core.secrets import mask_url


@dataclass
class Taken:
    """The changes one commit writes: jobs by id (a copy, and whether it was dropped), delivery-log entries
    (None: deleted), and whether a table is emptied first."""

    version: int
    jobs: dict[str, tuple[Job, bool]] = field(default_factory=dict)
    webhooks: dict[str, bytes | None] = field(default_factory=dict)
    clear_jobs: bool = False
    clear_webhooks: bool = False


def encode(data: Any) -> bytes:
    """orjson; integers wider than 64 bits through the standard library, marked by a leading space (still JSON)
    so a reader knows which parser keeps every digit."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return b" " + json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def decode(row: bytes) -> Any:
    """What ``encode`` wrote, every digit kept."""
    return json.loads(row) if row[:1] == b" " else orjson.loads(row)


class ChangeSet:
    """Pending changes, merged by key; ``take`` hands them to a commit, ``give_back`` after a failed one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = Taken(0)
        self.version = 0
        self._local = threading.local()

    # -- hooks (called under the store's or the delivery log's lock) --------------------------------------
    def job(self, job: Job | None, removed: bool) -> None:
        """``JobStore.on_change``: a job added or moved, dropped, or (None) every job dropped."""
        if self.quiet:
            return
        with self._lock:
            if job is None:
                self._pending.jobs.clear()
                self._pending.clear_jobs = True
            else:
                self._pending.jobs[job.id] = (job if removed else copy.copy(job), removed)
            self._bump()

    def webhook(self, key: str | None, entry: dict[str, Any] | None) -> None:
        """``DeliveryLog.on_change``: an entry written, dropped, or (key None) the whole log cleared."""
        if self.quiet:
            return
        if entry is not None and "target" in entry:  # saved as shown: the URL's secrets masked
            entry = {**entry, "target": mask_url(entry["target"])}
        body = None if entry is None else encode(entry)
        with self._lock:
            if key is None:
                self._pending.webhooks.clear()
                self._pending.clear_webhooks = True
            else:
                self._pending.webhooks[key] = body
            self._bump()

    def touch(self) -> None:
        """Something outside jobs and events may have changed (a balance, a scenario count): commit the rest too."""
        with self._lock:
            self._bump()

    def _bump(self) -> None:
        self.version += 1
        self._local.caused = self.version

    # -- the request's view --------------------------------------------------------------------------------
    def begin(self) -> None:
        """A request starts on this thread: it has caused nothing yet."""
        self._local.caused = 0

    def caused(self) -> int:
        """The last version this thread's changes reached (0: none since ``begin``)."""
        return int(getattr(self._local, "caused", 0))

    @property
    def quiet(self) -> bool:
        return bool(getattr(self._local, "quiet", False))

    @contextlib.contextmanager
    def quieted(self) -> Iterator[None]:
        """Changes made by this thread meanwhile are not recorded (loading what the file already holds)."""
        self._local.quiet = True
        try:
            yield
        finally:
            self._local.quiet = False

    # -- the commit's view ---------------------------------------------------------------------------------
    def take(self) -> Taken:
        with self._lock:
            taken, self._pending = self._pending, Taken(self.version)
            taken.version = self.version
            return taken

    def give_back(self, taken: Taken) -> None:
        """A commit failed: its changes are pending again, under anything that changed since."""
        with self._lock:
            later = self._pending
            if later.clear_jobs:
                taken.jobs.clear()
            if later.clear_webhooks:
                taken.webhooks.clear()
            taken.jobs.update(later.jobs)
            taken.webhooks.update(later.webhooks)
            taken.clear_jobs |= later.clear_jobs
            taken.clear_webhooks |= later.clear_webhooks
            taken.version = self.version
            self._pending = taken

    def empty(self) -> bool:
        with self._lock:
            p = self._pending
            return not (p.jobs or p.webhooks or p.clear_jobs or p.clear_webhooks)
