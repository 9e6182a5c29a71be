"""The state file's engine: SQLite (the standard library's ``sqlite3``) in WAL mode, one row per job and per
webhook event, a few ``meta`` rows for the rest (the id sequence, balances, scenarios, the clock offset).

Why SQLite rather than rewriting a JSON snapshot: a commit writes only the rows that changed (WAL appends the
changed pages), so saving costs in proportion to what changed whatever the number of jobs held. With
``synchronous=NORMAL`` a commit has reached the operating system when it returns: a crash of the process
(``kill -9``) loses nothing committed; a crash of the operating system or a power cut may lose the last commits
since the WAL was last synced (at a checkpoint), but never corrupts the file. ``locking_mode=EXCLUSIVE`` keeps
one mock per file: a second process is refused instead of writing under the first one's feet.

A file is ours when its SQLite ``application_id`` is ``APPLICATION_ID``; any other database is someone else's
and is never written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

APPLICATION_ID = 0x436D6F63  # "Cmoc"
FORMAT = 1  # PRAGMA user_version of the tables below
SQLITE_MAGIC = b"SQLite format 3\x00"
TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
    "CREATE TABLE jobs (seq INTEGER PRIMARY KEY, body BLOB NOT NULL)",  # by seq: new jobs append, no id index
    "CREATE TABLE webhooks (id TEXT PRIMARY KEY, body BLOB NOT NULL)",  # rowid: the log's order
)


class EngineError(Exception):
    """The file cannot be used: the message says why, in words (the caller names the file)."""


@dataclass
class Batch:
    """One commit: rows to write (bytes) or delete (None); ``clear_*`` first empties a table."""

    jobs: dict[int, bytes | None] = field(default_factory=dict)  # by seq
    webhooks: dict[str, bytes | None] = field(default_factory=dict)
    meta: dict[str, bytes] = field(default_factory=dict)
    clear_jobs: bool = False
    clear_webhooks: bool = False

    def __bool__(self) -> bool:
        return bool(self.jobs or self.webhooks or self.meta or self.clear_jobs or self.clear_webhooks)


@dataclass
class Stored:
    """Everything a file holds, as stored: jobs by ``seq``, webhook events in the log's order."""

    meta: dict[str, bytes]
    jobs: list[bytes]
    webhooks: list[bytes]


def kind(path: Path) -> str:
    """What is at ``path``: ``absent``, ``folder``, ``empty`` (0 bytes), ``sqlite``, ``json`` (the old format) or
    ``other``; OSError when it cannot be read."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return "absent"
    except IsADirectoryError:
        return "folder"
    if not head:
        return "empty"
    if head == SQLITE_MAGIC:
        return "sqlite"
    return "json" if head.lstrip()[:1] == b"{" else "other"


class SqliteState:
    """One open state file; every method is called by one thread at a time (the caller's commit lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def open(self) -> None:
        """Open (creating when new), check it is ours, take the exclusive lock and prove it can be written."""
        try:
            db = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise EngineError(_why(exc)) from None
        try:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._check(db)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("BEGIN IMMEDIATE")  # takes the exclusive lock, kept until close
            if db.execute("PRAGMA application_id").fetchone()[0] == 0:
                for sql in TABLES:
                    db.execute(sql)
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                db.execute(f"PRAGMA user_version={FORMAT}")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (str(FORMAT).encode(),))
            db.execute("COMMIT")
        except EngineError:
            db.close()
            raise
        except sqlite3.Error as exc:
            db.close()
            raise EngineError(_why(exc)) from None
        self._db = db

    @staticmethod
    def _check(db: sqlite3.Connection) -> None:
        app = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app == 0 and tables == 0:
            return  # a new, empty database: ours to set up
        if app != APPLICATION_ID:
            raise EngineError("it is a SQLite database of another application, not a creatify-mock state")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != FORMAT:
            raise EngineError(
                f"it is a creatify-mock state of format {version}; this mock reads format {FORMAT}"
            )

    def read(self) -> Stored:
        db = self._conn()
        meta = {key: bytes(value) for key, value in db.execute("SELECT key, value FROM meta")}
        jobs = [bytes(row[0]) for row in db.execute("SELECT body FROM jobs ORDER BY seq")]
        hooks = [bytes(row[0]) for row in db.execute("SELECT body FROM webhooks ORDER BY rowid")]
        return Stored(meta, jobs, hooks)

    def write(self, batch: Batch) -> None:
        """One transaction; sqlite3.Error (disk full, file gone read-only) leaves the file as it was."""
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            if batch.clear_jobs:
                db.execute("DELETE FROM jobs")
            if batch.clear_webhooks:
                db.execute("DELETE FROM webhooks")
            db.executemany(
                "DELETE FROM jobs WHERE seq = ?", [(k,) for k, v in batch.jobs.items() if v is None]
            )
            db.executemany(
                "INSERT OR REPLACE INTO jobs VALUES (?, ?)",
                [(k, v) for k, v in batch.jobs.items() if v is not None],
            )
            db.executemany(
                "DELETE FROM webhooks WHERE id = ?", [(k,) for k, v in batch.webhooks.items() if v is None]
            )
            db.executemany(
                "INSERT INTO webhooks VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
                [(k, v) for k, v in batch.webhooks.items() if v is not None],
            )
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(batch.meta.items()))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close (checkpointing the WAL into the file); safe to call twice."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise EngineError("the state file is closed")
        return self._db


def _why(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "it is in use by another process (another creatify-mock on the same file?)"
    if "unable to open" in text:
        return (
            f"it cannot be created or opened ({text}: does its folder exist, and may this user write there?)"
        )
    if "readonly" in text or "disk I/O" in text:
        return f"it cannot be written ({text})"
    if "not a database" in text or "malformed" in text:
        return f"it is damaged or not a database ({text})"
    return text
