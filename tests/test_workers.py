"""``creatify-mock serve --workers N``: one port served by N processes on one Redis, supervised together; and
the one-line refusals (workers without a shared store, a store nobody answers on)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from .conftest import API, TIMEOUT, valid_body
from .redis_server import free_port
from .test_operations import HEADERS

pytestmark = pytest.mark.slow  # subprocesses and a redis-server: `make test` runs it


def test_workers_need_a_shared_store_and_an_unreachable_store_stops_startup(tmp_path: Path) -> None:
    alone = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert alone.returncode == 2 and alone.stderr.strip().count("\n") == 0
    assert "--store is redis://" in alone.stderr
    port = free_port()
    nowhere = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            "--port",
            "0",
            "--store",
            f"redis://127.0.0.1:{port}/0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert nowhere.returncode == 2 and "cannot use this Redis" in nowhere.stderr


def test_serve_workers_answers_on_one_port_restarts_a_dead_worker_and_stops_them_together(
    redis_url: str, tmp_path: Path
) -> None:
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    argv = [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--quiet", "--timing", "manual"]
    proc = subprocess.Popen(
        [*argv, "--store", redis_url, "--store-prefix", prefix, "--workers", "2"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "2 workers" in line, line
        assert proc.stdout.readline().startswith("creatify-mock dashboard: http://")  # one, for every worker
        url = line.split("serving on ")[1].split()[0]
        pids = [int(p) for p in line.split("pids ")[1].rstrip(")\n").split()]
        made = [
            requests.post(url + API, json=valid_body(), headers=HEADERS, timeout=TIMEOUT) for _ in range(8)
        ]
        assert {m.status_code for m in made} == {201}
        for m in made:
            assert (
                requests.get(f"{url}{API}{m.json()['id']}/", headers=HEADERS, timeout=TIMEOUT).status_code
                == 200
            )
        os.kill(pids[0], signal.SIGKILL)  # a worker this test's supervisor started
        restarted = proc.stdout.readline()
        assert "worker 0 restarted" in restarted, restarted
        listed = requests.get(url + API, headers=HEADERS, timeout=TIMEOUT).json()
        assert [j["id"] for j in listed] == [m.json()["id"] for m in reversed(made)]
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0 and out.count("creatify-mock stopped") == 3
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
