"""``serve --replay``: a mock replaying a recording answers the recorded calls like the recorded target did —
statuses, bodies (modulo ids and times), timelines within 10%, error answers — over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.core.clock import FrozenClock
from mockserver.record.session import Recorder
from mockserver.replay import ReplayBook, read
from mockserver.testing import MockServer
from tests import recorded_target as rt

pytestmark = pytest.mark.slow
OK = {"X-API-ID": rt.ID, "X-API-KEY": rt.KEY}


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, int, Any]]]:
    path = tmp_path_factory.mktemp("replay") / "target.jsonl"
    return path, rt.record(path)


def replaying(path: Path, **settings: Any) -> MockServer:
    settings.setdefault("api_key", rt.TARGET_SETTINGS["api_key"])  # so wrong keys are refused, as recorded
    settings.setdefault("timing", "realtime")
    return MockServer(clock=FrozenClock(), replay=str(path), **settings)


def test_the_replaying_mock_answers_the_script_like_the_target(recording) -> None:
    path, original = recording
    with replaying(path) as mock:
        replayed = rt.script(mock.url, mock.advance_clock)
    assert [r[:2] for r in replayed] == [r[:2] for r in original]
    for mine, theirs in zip(replayed, original, strict=True):
        assert mine == theirs, mine[0]


def test_the_default_mock_answers_the_script_differently(recording) -> None:
    """The test above can fail: without the recording, the same calls get other answers."""
    _, original = recording
    with MockServer(clock=FrozenClock(), timing="realtime", api_key=rt.TARGET_SETTINGS["api_key"]) as mock:
        plain = rt.script(mock.url, mock.advance_clock)
    assert sum(mine != theirs for mine, theirs in zip(plain, original, strict=True)) >= 8


@pytest.mark.parametrize("speed", [1.0, 2.0])
@pytest.mark.parametrize(
    ("job", "pending", "running"),
    [(rt.JOBS[2], rt.PENDING, rt.RUNNING), (rt.JOBS[3], rt.PRO_PENDING, rt.PRO_RUNNING)],
)
def test_timelines_follow_the_recording_within_ten_percent(recording, job, pending, running, speed) -> None:
    path, _ = recording
    pending, running = pending / speed, running / speed
    checkpoints = [
        (0.9 * pending, "pending"),
        (1.1 * pending, "running"),
        (0.9 * (pending + running), "running"),
        (1.1 * (pending + running), "done"),
    ]
    with (
        replaying(path, replay_speed=speed) as mock,
        httpx.Client(base_url=mock.url, headers=OK, timeout=10) as c,
    ):
        created = c.post(rt.API, json=job).json()
        elapsed = 0.0
        for at, status in checkpoints:
            mock.advance_clock(at - elapsed)
            elapsed = at
            assert c.get(f"{rt.API}{created['id']}/").json()["status"] == status, (at, status)


def test_replayed_jobs_get_fresh_ids_and_the_recorded_outcome(recording) -> None:
    path, _original = recording
    recorded_ids = {e.response_body["id"] for e in read(path).exchanges if e.status == 201}
    with (
        replaying(path, timing="instant") as mock,
        httpx.Client(base_url=mock.url, headers=OK, timeout=10) as c,
    ):
        ids = set()
        for job in rt.JOBS[:2]:
            created = c.post(rt.API, json=job).json()
            ids.add(created["id"])
            done = c.get(
                f"{rt.API}{created['id']}/"
            ).json()  # instant timing is kept; the outcome is recorded
            assert done["status"] in ("done", "failed")
    assert ids.isdisjoint(recorded_ids) and len(ids) == 2
    assert done["failed_reason"] == rt.REFUSED


def test_what_the_readme_says_is_ignored_is_ignored(recording) -> None:
    path, _ = recording
    spelled_out = {
        "system_instruction": "",
        "config": {},
        "messages": [{"content": "Write a tagline", "role": "user"}],
        "model_name": "gemini-2.5-flash",
        "webhook_url": "http://127.0.0.1:1/another-receiver",
    }
    with (
        replaying(path, timing="instant") as mock,
        httpx.Client(base_url=mock.url, headers=OK, timeout=10) as c,
    ):
        created = c.post(rt.API, json=spelled_out).json()
        assert c.get(f"{rt.API}{created['id']}/").json()["response_text"] == rt.TAGLINE
        other = c.post(rt.API, json=rt.body("Write a tagline", config={"temperature": 0.5})).json()
        assert c.get(f"{rt.API}{other['id']}/").json()["response_text"] != rt.TAGLINE  # config counts


def test_unmatched_creates_fall_back_or_are_a_clear_error_with_strict(recording) -> None:
    path, _ = recording
    with replaying(path) as mock:
        assert (
            httpx.post(f"{mock.url}{rt.API}", json=rt.body("Write a tagline!"), headers=OK).status_code == 201
        )
    with replaying(path, replay_strict=True) as mock:
        answer = httpx.post(f"{mock.url}{rt.API}", json=rt.body("Write a tagline!"), headers=OK)
        matched = httpx.post(f"{mock.url}{rt.API}", json=rt.body("Write a tagline"), headers=OK)
    assert answer.status_code == 404 and answer.headers["X-Mock-Replay"] == "unmatched"
    assert (
        "differs at messages[0].content" in answer.json()["detail"] and str(path) in answer.json()["detail"]
    )
    assert matched.status_code == 201


def test_the_same_body_recorded_twice_is_replayed_in_order(tmp_path: Path) -> None:
    path = tmp_path / "twice.jsonl"
    rules = (
        '[{"match": {"times": 1}, "outcome": {"status": "done", "response_text": "first"}},'
        '{"match": {"times": 1}, "outcome": {"status": "done", "response_text": "second"}}]'
    )
    with MockServer(timing="instant", scenario_rules=rules) as target, Recorder(target.url, path) as rec:
        for _ in range(2):
            job = httpx.post(f"{rec.url}{rt.API}", json=rt.body("Hi"), headers=target.headers).json()
            httpx.get(f"{rec.url}{rt.API}{job['id']}/", headers=target.headers)
    with MockServer(timing="instant", replay=str(path)) as mock:
        texts = []
        for _ in range(3):
            job = httpx.post(f"{mock.url}{rt.API}", json=rt.body("Hi"), headers=mock.headers).json()
            texts.append(
                httpx.get(f"{mock.url}{rt.API}{job['id']}/", headers=mock.headers).json()["response_text"]
            )
        mock.reset()  # the recorded order starts again, as the seeded sequence does
        job = httpx.post(f"{mock.url}{rt.API}", json=rt.body("Hi"), headers=mock.headers).json()
        texts.append(
            httpx.get(f"{mock.url}{rt.API}{job['id']}/", headers=mock.headers).json()["response_text"]
        )
    assert texts == ["first", "second", "first", "first"]


def test_scenario_rules_still_win_over_the_recording(recording) -> None:
    path, _ = recording
    rule = (
        '[{"match": {"message": "tagline"}, "outcome": {"status": "done", "response_text": "from a rule"}}]'
    )
    with replaying(path, timing="instant", scenario_rules=rule) as mock:
        job = httpx.post(f"{mock.url}{rt.API}", json=rt.JOBS[0], headers=OK).json()
        assert (
            httpx.get(f"{mock.url}{rt.API}{job['id']}/", headers=OK).json()["response_text"] == "from a rule"
        )


def test_replay_book_refuses_a_bad_speed_and_reads_a_bad_file_clearly(recording, tmp_path: Path) -> None:
    path, _ = recording
    with pytest.raises(ValueError, match="speed"):
        ReplayBook(read(path), speed=0)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(path.read_text().splitlines()[0] + '\n{"type": "exchange", "seq": 1}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl: line 2: field"):
        read(bad)


def test_serve_replay_from_the_command_line(recording, tmp_path: Path) -> None:
    path, original = recording
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(["/work/shared/guard", str(Path(__file__).parent.parent)]),
    }
    base = [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--quiet", "--timing", "instant"]
    cmd = [*base, "--replay", str(path), "--replay-speed", "4", "--replay-strict"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(" on ", 1)[1].split(" ", 1)[0]
        job = httpx.post(f"{url}{rt.API}", json=rt.JOBS[1], headers=OK, timeout=10).json()
        failed = httpx.get(f"{url}{rt.API}{job['id']}/", headers=OK, timeout=10).json()
        unmatched = httpx.post(f"{url}{rt.API}", json=rt.body("never recorded"), headers=OK, timeout=10)
        missing = httpx.post(f"{url}{rt.API}", json=rt.JOBS[0], timeout=10)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert failed["failed_reason"] == rt.REFUSED and unmatched.status_code == 404
    assert (missing.status_code, missing.json()) == dict((lbl, (s, b)) for lbl, s, b in original)[
        "missing credentials"
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    refused = subprocess.run(
        [*base, "--replay", str(bad)], capture_output=True, text=True, env=env, timeout=30
    )
    assert refused.returncode == 2 and "bad.jsonl: line 1 is not JSON" in refused.stderr
