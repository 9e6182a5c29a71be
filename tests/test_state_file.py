"""``--state-file`` against ``kill -9``: real processes over HTTP. Nothing answered 201 is lost, no id is given
twice (seeded or not), webhook events keep their ``X-Webhook-Id`` across a restart; a file that cannot be used
stops startup with one line (exit 2)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from .conftest import API, TIMEOUT
from .receiver import Receiver
from .test_operations import ROOT, Cli, servers

pytestmark = pytest.mark.slow  # real servers and kill -9: `make test` runs it

__all__ = ["servers"]  # the fixture, re-used


def status(cli: Cli, job_id: str) -> int:
    answer = requests.get(
        f"{cli.url}{API}{job_id}/", headers={"X-API-ID": "ops", "X-API-KEY": "k"}, timeout=TIMEOUT
    )
    return answer.status_code


@pytest.mark.parametrize("seed", [["--seed", "7"], []], ids=["seeded", "unseeded"])
def test_kill_9_just_after_the_last_201_loses_nothing_and_gives_no_id_twice(
    tmp_path: Path, servers: Callable[..., Cli], seed: list[str]
) -> None:
    common = ["--state-file", str(tmp_path / "state.db"), "--state-interval", "60", *seed]
    first = servers(*common)
    made = [first.create()["id"] for _ in range(30)]
    time.sleep(0.3)  # well inside the (60 s) interval: only the commit before each 201 can have saved them
    first.stop(signal.SIGKILL)
    second = servers(*common)
    assert [status(second, job_id) for job_id in made] == [200] * 30
    fresh = [second.create()["id"] for _ in range(10)]
    assert not set(fresh) & set(made) and len(set(fresh)) == 10


def test_a_seeded_run_continues_its_sequence_across_a_restart(
    tmp_path: Path, servers: Callable[..., Cli]
) -> None:
    """The ids after a crash are the ones one uninterrupted run would have given next."""
    straight = servers("--seed", "7")
    expected = [straight.create()["id"] for _ in range(8)]
    common = ["--state-file", str(tmp_path / "state.db"), "--seed", "7"]
    first = servers(*common)
    before = [first.create()["id"] for _ in range(5)]
    first.stop(signal.SIGKILL)
    second = servers(*common)
    after = [second.create()["id"] for _ in range(3)]
    assert before + after == expected


@pytest.mark.parametrize("seed", [["--seed", "3"], []], ids=["seeded", "unseeded"])
def test_an_event_in_flight_at_kill_9_is_sent_again_with_its_id(
    tmp_path: Path, servers: Callable[..., Cli], seed: list[str]
) -> None:
    common = ["--state-file", str(tmp_path / "state.db"), "--timing", "manual", *seed]
    with Receiver(hold=30) as receiver:  # the first attempt hangs: the mock dies with it in flight
        first = servers(*common)
        job = first.create(webhook_url=receiver.url())
        requests.post(f"{first.url}/__admin/jobs/{job['id']}/advance", json={}, timeout=TIMEOUT)
        call = receiver.wait_for(1, timeout=15)[0]
        first.stop(signal.SIGKILL)
        receiver.hold = 0  # the held call is released when the receiver closes
        second = servers(*common)
        calls = receiver.wait_for(2, timeout=15)
        assert calls[1].headers["X-Webhook-Id"] == call.headers["X-Webhook-Id"]
        assert calls[1].headers["X-Webhook-Event"] == call.headers["X-Webhook-Event"] == "running"
        requests.post(f"{second.url}/__admin/jobs/{job['id']}/advance", json={}, timeout=TIMEOUT)
        done = receiver.wait_for(3, timeout=15)[2]
        assert done.headers["X-Webhook-Event"] == "done"
        assert done.headers["X-Webhook-Id"] != call.headers["X-Webhook-Id"]
        log = second.get(f"/__admin/webhooks?job_id={job['id']}")
        assert [e["delivery_id"] for e in log] == [call.headers["X-Webhook-Id"], done.headers["X-Webhook-Id"]]


def run_refused(path: Path, *extra: str) -> str:
    """Start a server on ``path``: it must stop at once with exit 2 and one line on stderr (returned)."""
    proc = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--state-file", str(path), *extra],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and proc.stdout == "" and len(lines) == 1, proc.stderr
    assert str(path) in lines[0]
    return lines[0]


def test_a_path_that_cannot_be_written_stops_startup(tmp_path: Path) -> None:
    assert "cannot be created or opened" in run_refused(tmp_path / "missing-folder" / "state.db")
    assert "it is a folder" in run_refused(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_file_of_something_else_stops_startup_and_is_left_alone(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n")
    assert "not a creatify-mock state" in run_refused(text)
    assert text.read_text() == "my notes\n"
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (name TEXT)")
        db.execute("INSERT INTO users VALUES ('ada')")
    db.close()
    before = foreign.read_bytes()
    assert "another application" in run_refused(foreign)
    assert foreign.read_bytes() == before


def test_a_file_in_use_by_another_mock_stops_the_second(tmp_path: Path, servers: Callable[..., Cli]) -> None:
    path = tmp_path / "state.db"
    first = servers("--state-file", str(path))
    job = first.create()
    assert "in use by another process" in run_refused(path)
    assert status(first, job["id"]) == 200


def test_a_json_state_file_of_the_older_format_is_converted_and_kept_beside(
    tmp_path: Path, servers: Callable[..., Cli]
) -> None:
    old = servers("--seed", "7")
    job = old.create()
    exported = requests.get(f"{old.url}/__admin/state", timeout=TIMEOUT).content
    path = tmp_path / "state.json"
    path.write_bytes(exported)
    first = servers("--state-file", str(path), "--seed", "7")
    assert status(first, job["id"]) == 200
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    assert (tmp_path / "state.json.v1.json").read_bytes() == exported
    made = first.create()["id"]
    first.stop(signal.SIGKILL)
    second = servers("--state-file", str(path), "--seed", "7")
    assert [status(second, job["id"]), status(second, made)] == [200, 200]
    assert second.create()["id"] not in (job["id"], made)
