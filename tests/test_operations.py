"""Operations of the CLI server: ``--state-file`` across ``kill -9``, SIGHUP and ``--watch`` reloads, signals
that never lose the delivery log, and state files that stop startup instead of being overwritten."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import API, TIMEOUT, valid_body
from .receiver import Receiver

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {"X-API-ID": "ops", "X-API-KEY": "k"}


class Cli:
    """``python -m mockserver serve`` in a subprocess; stderr goes to a file so the test can read the log."""

    def __init__(self, tmp: Path, *args: str) -> None:
        self.log = tmp / f"server-{time.monotonic_ns()}.log"
        self._err = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--quiet", *args],
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "serving on" not in line:
            self.stop()
            raise AssertionError(f"no URL line: {line!r}; log: {self.log.read_text()}")
        self.url = line.split("serving on ")[1].split()[0]

    def get(self, path: str) -> Any:
        return requests.get(self.url + path, headers=HEADERS, timeout=TIMEOUT).json()

    def create(self, **fields: Any) -> dict[str, Any]:
        answer = requests.post(self.url + API, json=valid_body(**fields), headers=HEADERS, timeout=TIMEOUT)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def send(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate(timeout=5)
        self._err.close()
        return self.log.read_text()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Cli]]:
    started: list[Cli] = []

    def start(*args: str) -> Cli:
        started.append(Cli(tmp_path, *args))
        return started[-1]

    yield start
    for cli in started:
        cli.stop(signal.SIGKILL)


def wait_until(check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # bounded
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise TimeoutError(f"{what} not reached within {timeout} s")


def test_kill_9_and_restart_with_the_same_state_file(tmp_path: Path, servers: Callable[..., Cli]) -> None:
    state = tmp_path / "state.json"
    timing = ["--pending-seconds", "1", "--running-seconds", "60", "--seed", "5"]
    common = ["--state-file", str(state), "--state-interval", "0.1", "--webhook-backoff", "30", *timing]
    with Receiver(default=500) as receiver:  # every delivery fails at first: events stay undelivered
        first = servers(*common)
        jobs = [first.create(webhook_url=receiver.url()) for _ in range(3)]
        jobs += [first.create() for _ in range(2)]
        wait_until(lambda: len(receiver.calls) >= 3, what="first (failing) deliveries")

        def all_three_retrying() -> list[dict[str, Any]] | None:
            # the receiver has the third call before the mock has read its 500 and marked the event retrying
            found = [e for e in first.get("/__admin/webhooks") if e["state"] == "retrying"]
            return found if len(found) == 3 else None

        retrying = wait_until(all_three_retrying, what="three retrying deliveries")
        assert len(retrying) == 3
        first.create()  # its 201 waits for a commit of everything changed so far: the retrying events too
        before = {j["id"]: first.get(f"{API}{j['id']}/") for j in jobs}
        first.stop(signal.SIGKILL)  # no shutdown at all
        receiver.default = 200
        failed_calls = len(receiver.calls)
        second = servers(*common)
        for job_id, seen in before.items():  # every job readable, as it was
            again = second.get(f"{API}{job_id}/")
            assert again["id"] == job_id and again["created_at"] == seen["created_at"]
            assert again["status"] in ("running", "done")
        calls = receiver.wait_for(failed_calls + 3, timeout=15)[failed_calls:]  # the undelivered ones go out
        assert {c.headers["X-Webhook-Id"] for c in calls} == {e["delivery_id"] for e in retrying}
        assert all(int(c.headers["X-Webhook-Attempt"]) >= 2 for c in calls)
        requests.post(f"{second.url}/__admin/clock/advance", json={"seconds": 120}, timeout=TIMEOUT)
        finished = [second.get(f"{API}{j['id']}/")["status"] for j in jobs]
        assert finished == ["done"] * 5  # and they move on their schedules
        assert second.create()["id"] not in before  # the seeded sequence continued
        log = second.stop()
    assert "state file" in log and "loaded" in log
    with contextlib.closing(sqlite3.connect(state)) as db:  # the mock has stopped: its lock is released
        saved = {json.loads(row[0])["id"] for row in db.execute("SELECT body FROM jobs")}
    assert saved >= set(before)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"jobs": [], "version": 1', "damaged"),
        ("not json at all", "damaged"),
        ('{"name": "my-app", "version": "2.0"}', "not a creatify-mock state"),
        ('{"version": 1, "jobs": [{"id": "x"}]}', "does not match"),
    ],
)
def test_a_damaged_or_foreign_state_file_stops_startup_and_is_left_alone(
    tmp_path: Path, content: str, why: str
) -> None:
    state = tmp_path / "state.json"
    state.write_text(content)
    proc = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--state-file", str(state)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and why in lines[0] and str(state) in lines[0] and "left unchanged" in lines[0]
    assert state.read_text() == content
    assert sorted(os.listdir(tmp_path)) == ["state.json"]  # no temporary file left behind either


def rules_file(path: Path, *names: str) -> None:
    rules = [
        {"name": n, "match": {"model_name": f"model-{n}"}, "outcome": {"status": "failed"}} for n in names
    ]
    path.write_text(json.dumps({"scenarios": rules}))


def rule_names(cli: Cli) -> list[str]:
    return [r["id"] for r in requests.get(f"{cli.url}/__admin/scenarios", timeout=TIMEOUT).json()]


def test_sighup_reloads_scenarios_and_a_bad_file_keeps_the_old_rules(
    tmp_path: Path, servers: Callable[..., Cli]
) -> None:
    rules = tmp_path / "rules.json"
    rules_file(rules, "one")
    cli = servers("--scenarios", str(rules), "--timing", "instant")
    with Receiver() as receiver:
        job = cli.create(webhook_url=receiver.url())
        cli.get(f"{API}{job['id']}/")
        receiver.wait_for(2)
        rules_file(rules, "one", "two")
        cli.send(signal.SIGHUP)
        wait_until(lambda: rule_names(cli) == ["one", "two"], what="reload")
        rules.write_text('{"scenarios": [{"match": {"modle_name": "typo"}}]}')
        cli.send(signal.SIGHUP)
        wait_until(lambda: "old rules stay" in cli.log.read_text(), what="the refusal in the log")
        assert rule_names(cli) == ["one", "two"] and cli.proc.poll() is None
        assert len(cli.get("/__admin/webhooks")) == 2  # the delivery log survived both signals
        requests.post(f"{cli.url}/__admin/reset", json={}, timeout=TIMEOUT)
        assert rule_names(cli) == ["one", "two"]  # reset comes back to the reloaded rules
    log = cli.stop()
    assert "SIGHUP: reloaded 2 scenario rule(s)" in log and "modle_name" in log


def test_watch_reloads_when_the_file_changes(tmp_path: Path, servers: Callable[..., Cli]) -> None:
    rules = tmp_path / "rules.yaml"
    rules_file(rules, "first")
    cli = servers("--scenarios", str(rules), "--watch")
    assert rule_names(cli) == ["first"]
    rules_file(rules, "first", "second", "third")
    wait_until(lambda: rule_names(cli) == ["first", "second", "third"], what="watch reload")
    assert "file changed: reloaded 3" in cli.stop()


def test_shutdown_logs_every_undelivered_webhook(servers: Callable[..., Cli]) -> None:
    with Receiver(default=500) as failing:
        cli = servers("--timing", "instant", "--webhook-backoff", "30")
        job = cli.create(webhook_url=failing.url())
        cli.get(f"{API}{job['id']}/")
        failing.wait_for(1)
        log = cli.stop(signal.SIGTERM)
    assert cli.proc.returncode == 0
    named = [line for line in log.splitlines() if job["id"] in line and "at shutdown" in line]
    assert len(named) == 2  # running (in flight or retrying) and done, each named
    assert any("(running of job" in line for line in named) and any("(done of job" in line for line in named)
