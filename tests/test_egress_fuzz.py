"""The CLI server with default egress settings, fed webhook URLs naming arbitrary hosts, never looks any of them
up or connects to them — proved from inside the server process.

The server runs as ``python -m mockserver serve`` with a ``sitecustomize`` on its PYTHONPATH that installs an
audit hook (``sys.addaudithook``) on ``socket.getaddrinfo`` and ``socket.connect``: every lookup or connection
to a non-loopback host is refused before it happens and recorded. So even a broken build sends nothing, and
the test asserts the record is empty. A control proves the hook records what it refuses, and a job whose
webhook goes to a loopback receiver proves deliveries do happen in that same server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import API, TIMEOUT, valid_body
from .fuzzing import seeds
from .receiver import Receiver

pytestmark = pytest.mark.slow  # the CLI server in a subprocess, fuzzed: `make test` runs it
ROOT = Path(__file__).resolve().parent.parent
HOOK = """
import ipaddress, os, sys

_LOG = os.environ["EGRESS_AUDIT_LOG"]
_NAMES = {"localhost", "127.0.0.1", "::1"}


def _loopback(host):
    if host is None:
        return True  # a passive lookup (bind to any address) names no host
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]")
    if host in _NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _hook(event, args):
    if event == "socket.getaddrinfo":
        host = args[0]
    elif event == "socket.connect":
        address = args[1] if len(args) > 1 else None
        if not isinstance(address, tuple) or not address:
            return  # AF_UNIX: local by definition
        host = address[0]
    else:
        return
    if not _loopback(host):
        with open(_LOG, "a") as record:
            record.write(f"{event} {host!r}\\n")
        raise PermissionError(f"egress audit: {event} to {host!r} refused")


sys.addaudithook(_hook)
with open(_LOG + ".ready", "w") as ready:
    ready.write(str(os.getpid()))
"""
#: Hosts a fuzzer or an attacker would name: public names, private and link-local addresses, metadata
#: services, loopback in disguise (decimal, nip.io) — none of them may be resolved or contacted.
HOSTILE_HOSTS = [
    "example.com",
    "0.com",
    "metadata.google.internal",
    "169.254.169.254",
    "[fd00:ec2::254]",
    "[fe80::1]",
    "[::ffff:169.254.169.254]",
    "10.0.0.1",
    "192.168.1.1",
    "172.16.0.1",
    "0.0.0.0",
    "2130706433",
    "0x7f.1",
    "127.0.0.1.nip.io",
    "localhost.example.com",
    "xn--nxasmq6b.com",
]
labels = st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?\Z", fullmatch=True)
hosts = st.one_of(
    st.sampled_from(HOSTILE_HOSTS),
    st.builds(
        lambda parts, tld: ".".join([*parts, tld]),
        st.lists(labels, min_size=1, max_size=3),
        st.sampled_from(["com", "net", "io", "internal", "local", "corp"]),
    ),
)
urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["http", "https"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080", ":1"]),
    st.sampled_from(["/", "/hook", "/a/b?x=1"]),
)


def _env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(HOOK)
    log = tmp_path / "egress.log"
    pythonpath = os.pathsep.join([str(site), str(ROOT)])
    return {**os.environ, "PYTHONPATH": pythonpath, "EGRESS_AUDIT_LOG": str(log)}


def test_the_audit_hook_records_and_refuses_before_any_lookup(tmp_path: Path) -> None:
    """The control: a lookup of a non-loopback name in a process with the hook is refused and recorded
    (the hook raises before the resolver is called, so nothing leaves the machine)."""
    env = _env(tmp_path)
    code = (
        "import os, socket, sys\n"
        # No lookup at all unless the hook is in place: a broken hook must fail this test, not reach a resolver.
        "if not os.path.exists(os.environ['EGRESS_AUDIT_LOG'] + '.ready'):\n    sys.exit('no audit hook')\n"
        "try:\n    socket.getaddrinfo('blocked.example', 80)\nexcept PermissionError:\n    print('refused')\n"
        "socket.getaddrinfo('127.0.0.1', 80)\nprint('loopback ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert proc.stdout.split() == ["refused", "loopback", "ok"], proc.stderr
    assert Path(env["EGRESS_AUDIT_LOG"]).read_text() == "socket.getaddrinfo 'blocked.example'\n"


@pytest.fixture
def audited(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``creatify-mock serve`` with default egress settings, under the audit hook."""
    env = _env(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--timing", "instant", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "serving on" in line, line + (proc.stderr.read() if proc.stderr else "")
        assert "webhooks: loopback only" in line, line
        assert Path(env["EGRESS_AUDIT_LOG"] + ".ready").exists()  # the hook is in this server process
        yield line.split("serving on ")[1].split()[0], Path(env["EGRESS_AUDIT_LOG"])
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=5)


def _settled(url: str, count: int, timeout: float = 90.0) -> list[dict[str, Any]]:
    """The delivery log once every event is final (or as it is after ``timeout``, generous for a loaded CI
    machine: the asserts then say why)."""
    deadline = time.monotonic() + timeout
    while True:
        log: list[dict[str, Any]] = requests.get(f"{url}/__admin/webhooks?limit=1000", timeout=TIMEOUT).json()
        final = len(log) >= count and all(e["state"] in ("delivered", "abandoned", "dropped") for e in log)
        if final or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


def _quiet(url: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The delivery log once it stops growing (the scheduler moves unread jobs within a fraction of a second)."""
    deadline, last = time.monotonic() + timeout, -1
    while True:
        log: list[dict[str, Any]] = requests.get(f"{url}/__admin/webhooks?limit=1000", timeout=TIMEOUT).json()
        if len(log) == last or time.monotonic() > deadline:
            return log
        last = len(log)
        time.sleep(0.5)


def _loopback_target(target: str) -> bool:
    host = (urlsplit(target).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _record(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def test_default_cli_server_never_resolves_or_contacts_a_webhook_host(audited: tuple[str, Path]) -> None:
    url, record = audited
    headers = {"X-API-ID": "fuzz", "X-API-KEY": "k"}
    session = requests.Session()
    session.headers.update(headers)
    made: list[str] = []

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(webhook_url=urls)
    def create(webhook_url: str) -> None:
        answer = session.post(url + API, json=valid_body(webhook_url=webhook_url), timeout=TIMEOUT)
        assert answer.status_code in (201, 400), answer.text
        if answer.status_code == 201:
            made.append(answer.json()["id"])
            assert (
                session.get(f"{url}{API}{answer.json()['id']}/", timeout=TIMEOUT).json()["status"] == "done"
            )

    create()
    with Receiver() as receiver:  # the positive control: loopback deliveries still go out
        control = session.post(url + API, json=valid_body(webhook_url=receiver.url()), timeout=TIMEOUT).json()
        session.get(f"{url}{API}{control['id']}/", timeout=TIMEOUT)
        log = _settled(url, 2 * len(made) + 2)
        receiver.wait_for(2)
    assert _record(record) == ""  # no lookup or connection to a non-loopback host was even attempted
    assert len(made) >= 20
    refused = [e for e in log if e["job_id"] != control["id"]]
    assert refused and all(e["state"] == "abandoned" and e["error"] for e in refused)
    assert all(len(e["attempts"]) == 1 for e in refused)  # refused on the name: never retried
    assert {e["state"] for e in log if e["job_id"] == control["id"]} == {"delivered"}


def schemathesis_egress_command(url: str, seed: str) -> list[str]:
    """Schemathesis POSTing generated bodies (webhook_url values naming any host) to the server at ``url``."""
    examples = os.environ.get("FUZZ_EXAMPLES", "30")
    return [
        sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json",
        "--header", "X-API-ID: fuzz", "--header", "X-API-KEY: k",
        "--phases", "fuzzing", "--max-examples", examples, "--include-method", "POST",
        "--checks", "not_a_server_error", "--workers", "1", "--request-timeout", "10", "--no-color",
        "--seed", seed, "--generation-database", "none",
        "--suppress-health-check", "too_slow",  # a wall-clock check: speed belongs to make bench
    ]  # fmt: skip


@pytest.mark.timeout(600)  # a hang guard: minutes on a loaded machine
def test_schemathesis_against_the_default_cli_server_sends_nothing_out(
    audited: tuple[str, Path], tmp_path: Path
) -> None:
    """The issue's own reproduction: Schemathesis generating webhook_url values against /openapi.json (with the
    first fixed seed, or ``make fuzz``'s)."""
    url, record = audited
    seed = str(seeds()[0])
    command = schemathesis_egress_command(url, seed)
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=540)
    assert result.returncode == 0, f"seed {seed}\n" + result.stdout[-4000:] + result.stderr[-2000:]
    log = _quiet(url)
    assert _record(record) == ""
    outside = [e for e in log if not _loopback_target(e["target"])]
    assert all(e["state"] == "abandoned" and len(e["attempts"]) <= 1 for e in outside), outside
    print(f"schemathesis: {len(log)} webhook events, {len(outside)} to other hosts, all refused")
