"""The state file's engine (SQLite), its change set, and ``StateFile`` wired to a real ``MockService`` in-process:
rows written only when changed, kept in order, refused when foreign or in use, and restored by a new service."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.config import Settings
from mockserver.core.clock import FrozenClock
from mockserver.core.durable import engine
from mockserver.core.durable.changes import ChangeSet, decode, encode
from mockserver.core.durable.engine import Batch, EngineError, SqliteState
from mockserver.core.models import Job, Schedule
from mockserver.service import MockService
from mockserver.service.persistence import StateFile, StateFileError

REQUEST = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Say hi"}]}


def request() -> dict[str, Any]:
    return {**REQUEST, "messages": list(REQUEST["messages"])}


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[SqliteState]:
    db = SqliteState(tmp_path / "state.db")
    db.open()
    yield db
    db.close()


def test_rows_are_upserted_deleted_and_read_back_in_order(opened: SqliteState) -> None:
    opened.write(Batch(jobs={2: b'"b1"', 1: b'"a1"'}, webhooks={"w2": b"2", "w1": b"1"}))
    opened.write(Batch(jobs={2: b'"b2"'}, webhooks={"w2": b"2'", "w3": b"3"}, meta={"k": b"v"}))
    stored = opened.read()
    assert stored.jobs == [b'"a1"', b'"b2"']  # by seq
    assert stored.webhooks == [b"2'", b"1", b"3"]  # the log's order: first written first, updates keep it
    assert stored.meta["k"] == b"v"
    opened.write(Batch(jobs={1: None}, webhooks={"w1": None}))
    assert opened.read().jobs == [b'"b2"'] and opened.read().webhooks == [b"2'", b"3"]
    opened.write(Batch(jobs={3: b'"c"'}, clear_jobs=True, clear_webhooks=True))
    assert opened.read().jobs == [b'"c"'] and opened.read().webhooks == []


def test_an_empty_batch_is_false_and_a_failed_write_changes_nothing(opened: SqliteState) -> None:
    assert not Batch()
    opened.write(Batch(jobs={1: b"1"}))
    with pytest.raises(sqlite3.Error):
        opened.write(Batch(jobs={2: b"2"}, meta={"k": None}))  # type: ignore[dict-item]
    assert opened.read().jobs == [b"1"]


def test_what_is_at_a_path_is_told_by_its_first_bytes(tmp_path: Path) -> None:
    files = {
        "json": b' {"version": 1}',
        "other": b"hello",
        "empty": b"",
        "sqlite": engine.SQLITE_MAGIC + b"x",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        assert engine.kind(tmp_path / name) == name
    assert engine.kind(tmp_path / "absent") == "absent"
    assert engine.kind(tmp_path) == "folder"


def test_a_database_of_another_application_or_format_is_refused_untouched(tmp_path: Path) -> None:
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    db.close()
    before = foreign.read_bytes()
    with pytest.raises(EngineError, match="another application"):
        SqliteState(foreign).open()
    assert foreign.read_bytes() == before
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA application_id={engine.APPLICATION_ID}")
        db.execute("PRAGMA user_version=99")
        db.execute("CREATE TABLE meta (key TEXT)")
    db.close()
    with pytest.raises(EngineError, match="format 99"):
        SqliteState(newer).open()


def test_a_second_opener_of_the_same_file_is_refused(opened: SqliteState) -> None:
    with pytest.raises(EngineError, match="in use by another process"):
        SqliteState(opened.path).open()


def job(job_id: str, seq: int) -> Job:
    return Job(job_id, "acct", seq, request(), None, 1, Schedule(None, None))


def test_rows_keep_every_digit_of_wide_integers() -> None:
    wide = {"n": 2**70, "text": "é"}
    assert encode({"n": 1}) == b'{"n":1}' and encode(wide)[:1] == b" "
    assert decode(encode(wide)) == wide and decode(encode({"n": 1})) == {"n": 1}


def test_the_change_set_merges_by_key_and_gives_back_under_later_changes() -> None:
    changes = ChangeSet()
    changes.begin()
    changes.job(job("a", 1), False)
    changes.job(job("a", 1), False)
    changes.webhook("w", {"state": "pending"})
    assert changes.caused() == changes.version == 3
    taken = changes.take()
    assert list(taken.jobs) == ["a"] and taken.webhooks == {"w": b'{"state":"pending"}'}
    assert changes.empty()
    changes.webhook("w", {"state": "delivered"})
    changes.job(None, True)  # every job dropped after the failed commit's rows
    changes.give_back(taken)
    again = changes.take()
    assert again.clear_jobs and again.jobs == {} and again.webhooks == {"w": b'{"state":"delivered"}'}


def test_a_quiet_thread_records_nothing_and_other_threads_keep_their_own_count() -> None:
    changes = ChangeSet()
    with changes.quieted():
        changes.job(job("a", 1), False)
    assert changes.empty() and changes.version == 0
    seen: list[int] = []

    def elsewhere() -> None:
        changes.begin()
        changes.touch()
        seen.append(changes.caused())

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join(5)
    changes.begin()
    assert seen == [1] and changes.caused() == 0


Make = Callable[..., tuple[MockService, StateFile]]


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    opened: list[tuple[MockService, StateFile]] = []

    def start(**settings: Any) -> tuple[MockService, StateFile]:
        svc = MockService(
            Settings(**{"seed": 7, "timing": "manual", "log_requests": False, **settings}), FrozenClock()
        )
        state = StateFile(tmp_path / "state.db", svc, interval=60)
        state.load()
        opened.append((svc, state))
        return svc, state

    yield start
    for svc, state in opened:
        state.stop()
        svc.close()


def test_a_new_service_on_the_same_file_has_every_job_and_continues_the_ids(make: Make) -> None:
    svc, state = make()
    state.begin()
    made = [svc.create("acct", request(), None)["id"] for _ in range(3)]
    svc.advance(made[0])
    svc.set_credits("acct", 5)
    state.settle(touch=True)
    state.stop()
    twin = MockService(Settings(seed=7, timing="manual", log_requests=False), FrozenClock())
    expected = [twin.create("acct", request(), None)["id"] for _ in range(4)]  # one uninterrupted run
    twin.close()
    assert made == expected[:3]
    again, _ = make()
    assert [again.get(None, i)["status"] for i in made] == ["running", "pending", "pending"]  # type: ignore[index]
    assert again.credits("acct") == 5
    assert again.create("acct", request(), None)["id"] == expected[3]


def test_only_changed_rows_are_written_and_nothing_when_nothing_changed(make: Make) -> None:
    svc, state = make()
    for _ in range(50):
        svc.create("acct", request(), None)
    state.flush()
    commits = state.commits
    state.changes.touch()
    state.flush()
    assert state.commits == commits  # nothing changed: no transaction at all
    state.begin()
    svc.create("acct", request(), None)
    state.settle(touch=False)
    assert state.commits == commits + 1


def test_evicted_jobs_leave_the_file_too(make: Make, tmp_path: Path) -> None:
    svc, state = make(max_jobs=10)
    for _ in range(25):
        svc.create("acct", request(), None)
    state.stop()
    with sqlite3.connect(tmp_path / "state.db") as db:
        count = db.execute("SELECT count(*) FROM jobs").fetchone()[0]
    db.close()
    assert count == len(svc.store) <= 10


def test_a_failing_write_is_logged_once_and_retried(make: Make, caplog: pytest.LogCaptureFixture) -> None:
    svc, state = make()
    real = state._engine
    assert real is not None
    failures = iter([sqlite3.OperationalError("disk full")] * 3)

    def write(batch: Batch) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        SqliteState.write(real, batch)

    real.write = write  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, "creatify_mock.state"):
        for _ in range(3):
            svc.create("acct", request(), None)
            state.flush()
        assert state.error is not None
        state.flush()
    assert state.error is None and len(real.read().jobs) == 3
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]


def test_a_foreign_file_stops_the_state_file_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "state.db").write_text("my notes")
    svc = MockService(Settings(log_requests=False), FrozenClock())
    with pytest.raises(StateFileError, match="not a creatify-mock state") as refused:
        StateFile(tmp_path / "state.db", svc).load()
    assert "\n" not in str(refused.value)
    svc.close()


def test_times_in_their_canonical_form_read_back_exactly_and_bad_ones_are_still_refused() -> None:
    """Loading parses four times per job through a per-second cache: it must agree with the full parser."""
    import random

    from mockserver.core.clock import isoformat, parse_time

    rng = random.Random(5)
    for us in [0, 1, 999_999, *(rng.randrange(0, 253_402_300_800_000_000) for _ in range(2000))]:
        assert parse_time(isoformat(us)) == us
    assert parse_time("2026-12-07T02:57:36.000001Z") == parse_time("2026-12-07T02:57:36.000001+00:00")
    for bad in ("2026-13-07T02:57:36.455000Z", "2026-12-07T25:57:36.455000Z", "2026-12-07T02:57:36.45500xZ"):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_a_damaged_row_stops_loading_with_one_line(make: Make, tmp_path: Path) -> None:
    svc, state = make()
    svc.create("acct", request(), None)
    state.stop()
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("UPDATE jobs SET body = CAST('not json' AS BLOB)")
    db.close()
    fresh = MockService(Settings(log_requests=False), FrozenClock())
    with pytest.raises(StateFileError, match="does not import") as refused:
        StateFile(tmp_path / "state.db", fresh).load()
    assert "\n" not in str(refused.value)
    fresh.close()
