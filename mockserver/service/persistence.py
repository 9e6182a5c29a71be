"""``--state-file``: the memory store made durable. Nothing acknowledged is lost, no id is given twice.

The store and the webhook delivery log tell a ``ChangeSet`` of every change (under their locks: a copy, no
I/O); a commit writes the changed rows, and only those, into a SQLite file (``core/durable/engine.py`` says
why SQLite). A request's answer waits for the commit holding its own changes (``settle``, called by the web
layer before the status line goes out), and a webhook event is committed before its first attempt goes out, so
after ``kill -9`` every job answered 201 is there, and every event keeps its ``X-Webhook-Id``. Commits are
grouped: whoever takes the commit lock writes everything pending, and a request whose changes were written by
another's commit returns at once. The id sequence (and the seeded random's state), balances, scenario counts
and the clock's offset are ``meta`` rows written when they changed; a thread commits every ``--state-interval``
seconds what no request waited for (a scenario count taken by a read, a job moved by the scheduler).

A file that cannot be opened, written or read back, or that is not ours, stops startup with one line and is
never written. The older JSON format is still read, and converted (``persistence_legacy.py``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from mockserver.core.durable import engine
from mockserver.core.durable.changes import ChangeSet, decode, encode
from mockserver.core.durable.engine import Batch, EngineError, SqliteState, Stored
from mockserver.core.snapshots import STATE_VERSION, job_to_state, masked_state
from mockserver.core.store import JobStore
from mockserver.service import persistence_legacy as legacy
from mockserver.service.facade import MockService

log = logging.getLogger("creatify_mock.state")


class StateFileError(Exception):
    """The state file cannot be used; the message names it, says what is wrong and that it was left alone."""


class StateFile:
    """Load once at startup (``load``), then keep the file up to date until ``stop``."""

    def __init__(self, path: str | os.PathLike[str], service: MockService, interval: float = 5.0) -> None:
        self.path = Path(path)
        self._svc = service
        self._interval = interval
        self.changes = ChangeSet()
        self._engine: SqliteState | None = None
        self._commit_lock = threading.Lock()
        self._saved = 0  # the change version the file holds
        self._meta_written: dict[str, bytes] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.commits = 0
        self.converted_from: Path | None = None

    # -- startup -------------------------------------------------------------------------------------------
    def load(self) -> dict[str, int] | None:
        """Open the file and import what it holds; None for a new file. StateFileError when unusable."""
        try:
            found = engine.kind(self.path)
        except OSError as exc:
            raise self._refuse(f"it cannot be read ({exc.strerror})", used=True) from None
        if found == "folder":
            raise self._refuse("it is a folder, not a file", used=True)
        if found == "other":
            raise self._refuse(
                "it is damaged or not a creatify-mock state (neither its SQLite file nor the older JSON)"
            )
        if found == "json":
            return self._convert()
        self._engine = self._open(self.path, remove_on_failure=found == "absent")
        self._attach()
        try:
            return self._import(self._engine.read())
        except (sqlite3.Error, EngineError) as exc:
            failure = self._refuse(f"it is damaged ({exc})")
        except (ValueError, KeyError, TypeError, IndexError) as exc:  # StateError, ScenarioError, a bad row
            failure = self._refuse(f"it does not import: {exc}")
        self._engine.close()  # nothing was written: the file stays as it was
        raise failure

    def _import(self, stored: Stored) -> dict[str, int] | None:
        if not stored.jobs and not stored.webhooks and set(stored.meta) <= {"format"}:
            return None  # a new file
        meta = {key: decode(value) for key, value in stored.meta.items()}
        data: dict[str, Any] = {"version": STATE_VERSION, "jobs": [decode(b) for b in stored.jobs]}
        data["webhooks"] = [decode(b) for b in stored.webhooks]
        for name in ("balances", "scenarios", "sequence"):
            if name in meta:
                data[name] = meta[name]
        with self.changes.quieted():  # what the file holds need not be written again
            offset = int(meta.get("clock_offset_us", 0))
            if self._svc.clock.is_real and offset > 0:
                self._svc.clock.advance(offset / 1_000_000)
            counts = self._svc.import_state(data)
        self._meta_written = dict(stored.meta)
        return counts

    def _convert(self) -> dict[str, int]:
        """The older JSON format: checked, imported, written as SQLite beside it, then put in its place."""
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise self._refuse(f"it cannot be read ({exc.strerror})") from None
        data = legacy.parse(raw, self._svc, self._refuse)
        fresh = self.path.with_name(f".{self.path.name}.converting")
        legacy.remove(fresh)
        self._engine = self._open(fresh, remove_on_failure=True)
        self._attach()
        try:
            counts = self._svc.import_state(data)
        except ValueError as exc:
            self._engine.close()
            legacy.remove(fresh)
            raise self._refuse(f"it does not import: {exc}") from None
        self.flush()
        with self._commit_lock:
            self._engine.close()
            try:
                self.converted_from = legacy.backup(self.path)
                os.replace(fresh, self.path)
            except OSError as exc:
                legacy.remove(fresh)
                raise self._refuse(f"it could not be converted ({exc})") from None
            legacy.sync_folder(self.path.parent)
            self._engine = self._open(self.path)
        log.info("state file %s: converted from JSON (kept as %s)", self.path, self.converted_from)
        return counts

    def _open(self, path: Path, remove_on_failure: bool = False) -> SqliteState:
        opened = SqliteState(path)
        try:
            opened.open()
        except EngineError as exc:
            if remove_on_failure:  # nothing was there before: leave nothing behind
                legacy.remove(path)
            raise self._refuse(str(exc), used=True) from None
        return opened

    @property
    def _jobs(self) -> JobStore:
        """The memory store's jobs: a state file is refused with a shared store (the settings check)."""
        assert isinstance(self._svc.store, JobStore), "--state-file needs the memory store"
        return self._svc.store

    def _attach(self) -> None:
        svc = self._svc
        self._jobs.on_change = self.changes.job
        svc.webhooks.log.on_change = self.changes.webhook
        svc.webhooks.before_send = self.flush

    def _refuse(self, why: str, used: bool = False) -> StateFileError:
        """One line: the file, why, and that nothing was written (``used``: opening it, not its content)."""
        return StateFileError(
            f"state file {self.path} cannot be {'used' if used else 'loaded'}: {why}. It was left unchanged; "
            "move it away (or fix it) to start."
        )

    # -- keeping it up to date -----------------------------------------------------------------------------
    def begin(self) -> None:
        """A request starts on this thread (the web layer calls this)."""
        self.changes.begin()

    def settle(self, touch: bool) -> None:
        """Before a request's answer goes out: commit what it changed (``touch``: it may have changed more than
        jobs and events, as every state-changing method may, so the meta rows are checked too)."""
        if touch:
            self.changes.touch()
        caused = self.changes.caused()
        if caused:
            self.commit_through(caused)

    def flush(self) -> None:
        """Commit everything changed so far (a webhook event before its attempt, the timer, shutdown)."""
        self.commit_through(self.changes.version)

    def commit_through(self, version: int) -> None:
        if self._saved >= version:
            return
        with self._commit_lock:
            if self._saved < version and self._engine is not None:
                self._commit(self._engine)

    def _commit(self, db: SqliteState) -> None:
        with self._jobs.hold:  # the jobs, events and balances queued so far: one consistent cut
            taken = self.changes.take()
            meta = self._meta()
        batch = Batch(
            webhooks=taken.webhooks, clear_jobs=taken.clear_jobs, clear_webhooks=taken.clear_webhooks
        )
        for job, removed in taken.jobs.values():
            batch.jobs[job.seq] = None if removed else encode(masked_state(job_to_state(job)))
        batch.meta = {k: v for k, v in meta.items() if self._meta_written.get(k) != v}
        if batch:
            try:
                db.write(batch)
            except (sqlite3.Error, EngineError, OSError) as exc:
                self.changes.give_back(taken)
                self._failed(exc)
                return
            self._meta_written.update(batch.meta)
            self.commits += 1
        self._saved = taken.version
        if self.error is not None:
            log.warning("state file %s: written again", self.path)
            self.error = None

    def _meta(self) -> dict[str, bytes]:
        svc = self._svc
        seeded = (
            svc.settings.seed is not None
        )  # unseeded ids come from uuid4; only a seeded sequence continues
        seq, state = svc.sequence_state(random_state=seeded)
        sequence: dict[str, Any] = {"seq": seq}
        if seeded:
            sequence["random_state"] = [state[0], list(state[1]), state[2]]
        offset = svc.clock.now_us() - time.time_ns() // 1000 if svc.clock.is_real else 0
        return {
            "sequence": encode(sequence),
            "balances": encode(svc.accounts.all()),
            "scenarios": encode(svc.scenarios.export()),
            "clock_offset_us": encode(round(offset, -3)),
        }

    def _failed(self, exc: BaseException) -> None:
        if self.error is None:  # one line when writing starts failing, one when it works again
            log.error("state file %s: cannot write (%s); changes are kept and retried", self.path, exc)
        self.error = exc

    # -- running -------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="creatify-mock-state", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the timer, commit what is left and close the file (later changes are not written)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.changes.touch()
        self.flush()
        with self._commit_lock:
            if self._engine is not None:
                self._engine.close()
                self._engine = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.changes.touch()
            self.flush()
