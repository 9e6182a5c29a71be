"""The contract kit's webhook receiver: bodies by length or in chunks, IPv4 and IPv6 loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from contract_tests.receiver import WebhookReceiver

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it


def test_a_chunked_body_is_read_whole() -> None:
    with WebhookReceiver() as receiver:
        url = receiver.url_for()

        def chunks() -> Iterator[bytes]:
            yield b'{"id": "x", '
            yield b'"status": "done"}'

        requests.post(url, data=chunks(), headers={"Content-Type": "application/json"}, timeout=10)
        (event,) = receiver.wait(url, until_terminal=False, timeout=10)
    assert event.body == {"id": "x", "status": "done"}


def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        receiver = WebhookReceiver("::1").start()
    except OSError as exc:
        pytest.skip(f"::1 not available here: {exc}")
    try:
        url = receiver.url_for()
        assert url.startswith("http://[::1]:")
        requests.post(url, json={"id": "y", "status": "running"}, timeout=10)
        (event,) = receiver.wait(url, until_terminal=False, timeout=10)
        assert event.body["status"] == "running"
    finally:
        receiver.stop()


def test_a_small_job_budget_skips_the_state_machine_instead_of_failing(tmp_path: object) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--pyargs",
            "contract_tests",
            "-k",
            "stateful",
            "--contract-max-jobs",
            "2",
            "--contract-allow-skips",  # nothing else runs: without it the run is (rightly) not green
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(tmp_path),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 skipped" in proc.stdout
    assert "job budget too small for the state machine (2 left, needs 3)" in proc.stdout
