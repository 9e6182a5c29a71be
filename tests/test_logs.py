"""Logs: ``--log-format json`` writes only JSON lines (startup, access, shutdown), one access line per call with
its duration to the last byte, account, job and scenario rule; ``record`` logs each exchange once."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from mockserver.testing import MockServer

from .conftest import API, TIMEOUT, valid_body

pytestmark = pytest.mark.slow  # subprocesses and real servers

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {"X-API-ID": "log-team", "X-API-KEY": "k"}
STREAM = "/sse/text_generator/stream/"
SSE_BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi there"}]}


def _wait_for_url(log: Path, proc: subprocess.Popen[str], deadline: float) -> str:
    while time.monotonic() < deadline and proc.poll() is None:
        for line in log.read_text().splitlines():
            url = json.loads(line).get("url")
            if url:
                return str(url)
        time.sleep(0.05)
    raise AssertionError(f"no startup line; log: {log.read_text()}")


def test_serve_with_json_logs_writes_only_json_lines(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--log-format", "json"],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=ROOT,
        )
        try:
            url = _wait_for_url(log, proc, time.monotonic() + 30)
            rule = {"name": "slow-stream", "match": {"family": "sse"}, "stream": {"chunk_delay": 0.05}}
            admin = requests.post(f"{url}/__admin/scenarios", json=rule, timeout=TIMEOUT)
            assert admin.status_code == 201, admin.text
            job = requests.post(url + API, json=valid_body(), headers=HEADERS, timeout=TIMEOUT).json()
            assert requests.get(f"{url}{API}{job['id']}/", headers=HEADERS, timeout=TIMEOUT).ok
            with requests.post(
                url + STREAM, json=SSE_BODY, headers=HEADERS, stream=True, timeout=TIMEOUT
            ) as s:
                chunks = [line for line in s.iter_lines() if line]
            assert requests.get(url + API, timeout=TIMEOUT).status_code == 401
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=20)
    lines = [*out.splitlines(), *log.read_text().splitlines()]
    parsed = [json.loads(line) for line in lines]  # every line, startup and shutdown included, is JSON
    assert all({"time", "level", "logger", "message"} <= set(p) for p in parsed)
    assert any("serving on" in p["message"] for p in parsed)
    assert any(p["message"] == "creatify-mock stopped" for p in parsed)
    access = [p for p in parsed if p["logger"] == "creatify_mock.access"]
    created = next(p for p in access if p["method"] == "POST" and p["path"] == API)
    assert created["status"] == 201 and created["account"] == "log-team" and created["job_id"] == job["id"]
    read = next(p for p in access if p["path"] == f"{API}{job['id']}/")
    assert read["job_id"] == job["id"] and read["rule"] is None
    streamed = next(p for p in access if p["path"] == STREAM)
    assert streamed["status"] == 200 and streamed["rule"] == "slow-stream" and streamed["job_id"]
    # timed to the last byte: at least the chunk delays the rule added (a floor, not a speed assertion)
    assert streamed["duration_ms"] >= 0.05 * 1000 * len(chunks)
    assert any(p["status"] == 401 and p["account"] is None for p in access)


def test_text_access_line_names_account_job_and_rule(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="creatify_mock.access")
    block = {"name": "block", "outcome": {"status": "failed", "failed_reason": "No."}}
    with MockServer(timing="instant", log_requests=True) as mock, mock.rule(block):
        job = requests.post(mock.url + API, json=valid_body(), headers=mock.headers, timeout=TIMEOUT).json()
    lines = [r.getMessage() for r in caplog.records if r.name == "creatify_mock.access"]
    line = next(m for m in lines if '"POST /api/text_generator/"' in m)
    assert " 201 " in line and f"account={mock.api_id}" in line
    assert f"job={job['id']}" in line and "rule=block" in line


def test_record_logs_each_exchange_once(tmp_path: Path) -> None:
    with MockServer(timing="instant") as target:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mockserver",
                "record",
                "--target",
                target.url,
                "--port",
                "0",
                "--out",
                str(tmp_path / "r.jsonl"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert proc.stdout is not None
            proxy = proc.stdout.readline().split(" on ")[1].split()[0]
            answer = requests.post(proxy + API, json=valid_body(), headers=target.headers, timeout=TIMEOUT)
            assert answer.status_code == 201
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
    mentions = [line for line in err.splitlines() if "/api/text_generator/" in line]
    assert len(mentions) == 1, err
