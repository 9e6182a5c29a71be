"""The recording proxy over real HTTP on 127.0.0.1: passthrough, streams chunk by chunk, never an open proxy,
no credential in the file, --follow-jobs, the size bound, and the ``record`` command."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import replay
from mockserver.core.clock import FrozenClock
from mockserver.record.follow import Follower
from mockserver.record.session import Recorder
from mockserver.replay.timeline import jobs
from mockserver.testing import MockServer
from tests.streaming_target import StreamingTarget, sse

pytestmark = pytest.mark.slow
API = "/api/text_generator/"
API_ID, API_KEY = "team-recording-id", "sk-recording-secret-0123456789"
HEADERS = {"X-API-ID": API_ID, "X-API-KEY": API_KEY}
BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Write a tagline"}]}
GUARD = "/work/shared/guard"


@pytest.fixture
def target():
    with MockServer(api_key=(f"{API_ID}:{API_KEY}",), clock=FrozenClock(), timing="realtime") as mock:
        yield mock


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


def test_calls_pass_through_and_every_exchange_is_recorded(target, tmp_path: Path) -> None:
    out = tmp_path / "rec.jsonl"
    with (
        Recorder(target.url, out) as rec,
        httpx.Client(base_url=rec.url, headers=HEADERS, timeout=10) as client,
    ):
        created = client.post(API, json=BODY)
        target.advance_clock(5)
        read = client.get(f"{API}{created.json()['id']}/")
        listed = client.get(API, params={"ids": created.json()["id"]})
        missing = client.get(f"{API}00000000-0000-4000-8000-000000000000/")
    direct = httpx.get(f"{target.url}{API}{created.json()['id']}/", headers=HEADERS, timeout=10)
    assert (created.status_code, read.status_code, listed.status_code, missing.status_code) == (
        201,
        200,
        200,
        404,
    )
    assert read.json() == direct.json() and listed.json() == [direct.json()]
    assert read.headers["content-type"] == "application/json"
    recording = replay.read(out)
    assert recording.header["target"] == target.url
    ex = recording.exchanges
    assert [(e.method, e.status, e.origin, e.account, e.auth) for e in ex] == [
        ("POST", 201, "client", "account-1", "present"),
        ("GET", 200, "client", "account-1", "present"),
        ("GET", 200, "client", "account-1", "present"),
        ("GET", 404, "client", "account-1", "present"),
    ]
    assert ex[0].request_body == BODY and ex[0].response_body == created.json()
    assert ex[1].response_body == direct.json() and ex[2].query == f"ids={created.json()['id']}"
    assert all(e.duration_ms >= (e.first_byte_ms or 0) >= 0 for e in ex)
    assert [e.seq for e in ex] == [1, 2, 3, 4]


def test_recordings_hold_no_credential(target, tmp_path: Path) -> None:
    out = tmp_path / "rec.jsonl"
    leaky = {**BODY, "messages": [{"role": "user", "content": f"my key is {API_KEY} and my id {API_ID}"}]}
    extra = {"Authorization": f"Bearer {API_KEY}", "Cookie": f"session={API_KEY}", "X-Custom-Token": API_KEY}
    with Recorder(target.url, out) as rec, httpx.Client(base_url=rec.url, timeout=10) as client:
        job = client.post(API, json=leaky, headers={**HEADERS, **extra}).json()
        client.get(f"{API}{job['id']}/", headers=HEADERS, params={"api_key": API_KEY, "x": "1"})
        client.post(API, json=BODY, headers={"X-API-ID": API_ID, "X-API-KEY": "sk-wrong-key-for-this-test"})
    raw = out.read_bytes()
    for secret in (API_KEY, API_ID, "sk-wrong-key-for-this-test"):
        assert secret.encode() not in raw
    exchanges = replay.read(out).exchanges  # every line valid against schemas/recording_line.schema.json
    assert exchanges[0].request_body["messages"][0]["content"] == "my key is *** and my id account-1"
    assert set(exchanges[0].request_headers) <= {"content-type", "accept", "user-agent"}
    assert exchanges[1].query == "api_key=***&x=1"
    assert exchanges[2].status == 401 and exchanges[2].account == "account-1"
    assert (
        target.requests(path=API, method="POST")[-1]["headers"]["X-Api-Key"] == "***"
    )  # but the key got there
    assert target.job(job["id"]) is not None


@pytest.mark.parametrize(
    "path",
    [
        "/__admin/reset",
        "/openapi.json",
        "/api/text_generator/../../__admin/reset",
        "/api/text_generator/%2e%2e/%2e%2e/__admin/reset",
        "/api/text_generatorx/",
        "/api/other/",
        "//__admin/reset",
    ],
)
def test_only_the_api_paths_are_forwarded(target, tmp_path: Path, path: str) -> None:
    job = target.service.create("someone", {"model_name": "m", "messages": []}, None)
    with Recorder(target.url, tmp_path / "rec.jsonl") as rec:
        host, port = rec.url.removeprefix("http://").split(":")
        status, head = raw_request(
            host, int(port), f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
        )
    assert status == 404 and "x-creatify-record: refused" in head.lower()
    assert target.job(job["id"]) is not None  # the reset never reached the target
    assert replay.read(tmp_path / "rec.jsonl").exchanges == []


def test_the_target_is_fixed_whatever_the_request_names(target, tmp_path: Path) -> None:
    with Recorder(target.url, tmp_path / "rec.jsonl") as rec:
        host, port = rec.url.removeprefix("http://").split(":")
        absolute = (
            f"GET http://elsewhere.invalid:81{API} HTTP/1.1\r\nHost: elsewhere.invalid\r\n"
            f"X-API-ID: {API_ID}\r\nX-API-KEY: {API_KEY}\r\n\r\n"
        )
        status, _ = raw_request(host, int(port), absolute)
        connect, _ = raw_request(host, int(port), f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 200 and target.requests(path=API, method="GET")  # it went to the one target
    assert connect in (400, 404, 405)


def test_streams_pass_through_chunk_by_chunk_with_offsets(tmp_path: Path) -> None:
    chunks = [sse({"candidates": [{"content": {"parts": [{"text": f"part {i} "}]}}]}) for i in range(3)]
    chunks.append(sse({"creatify": {"id": "11111111-1111-4111-8111-111111111111", "credits_used": 0.01}}))
    out = tmp_path / "rec.jsonl"
    with StreamingTarget(chunks) as server, Recorder(server.url, out) as rec:
        got: list[bytes] = []
        with httpx.stream(
            "POST", f"{rec.url}/sse/text_generator/stream/", json=BODY, headers=HEADERS, timeout=15
        ) as r:
            assert r.headers["content-type"] == "text/event-stream"
            for piece in r.iter_raw():
                got.append(piece)
                if len(got) < len(chunks):
                    time.sleep(0.1)  # pacing of the target, which the recording must show
                    server.release(len(got))  # the next chunk leaves only once this one arrived
    assert not server.timed_out and got == chunks  # each chunk reached the client before the next was sent
    [ex] = replay.read(out).exchanges
    assert ex.status == 200 and ex.chunks is not None
    assert [c.text.encode() for c in ex.chunks] == chunks
    assert ex.response_body == b"".join(chunks).decode()
    gaps = [b.offset_ms - a.offset_ms for a, b in zip(ex.chunks, ex.chunks[1:], strict=False)]
    sent = [(b - a) * 1000 for a, b in zip(server.sent_at, server.sent_at[1:], strict=False)]
    for recorded, actual in zip(gaps, sent, strict=True):
        assert abs(recorded - actual) <= max(0.1 * actual, 25)
    forwarded = {k.lower(): v for k, v in server.requests[0]["headers"].items()}
    assert forwarded["x-api-key"] == API_KEY and forwarded["accept-encoding"] == "identity"  # not recorded


def test_follow_jobs_records_each_jobs_timeline_without_the_client_polling(tmp_path: Path) -> None:
    out = tmp_path / "rec.jsonl"
    with (
        MockServer(timing="realtime", pending_seconds=0.2, running_seconds=0.3) as target,
        Recorder(target.url, out, follow_jobs=True, follow_interval=0.05, follow_max_rate=40) as rec,
    ):
        created = httpx.post(f"{rec.url}{API}", json=BODY, headers=target.headers, timeout=10).json()
        assert rec.follower is not None
        wait_for(lambda: any(e.get("status") == "done" for e in _bodies(out)))
        wait_for(lambda: rec.follower is not None and rec.follower.following == 0)
    recording = replay.read(out)
    polls = [e for e in recording.exchanges if e.origin == "follow"]
    assert polls and all(e.path == f"{API}{created['id']}/" and e.status == 200 for e in polls)
    statuses = [e.response_body["status"] for e in polls]
    assert statuses[-1] == "done" and statuses.count("done") == 1 and "running" in statuses
    [job] = list(jobs(recording.exchanges))
    pending, running = job.phases() or (0, 0)
    assert (
        job.timed_by_server
        and pending == pytest.approx(0.2, abs=0.001)
        and running == pytest.approx(0.3, abs=0.001)
    )


def test_follower_polls_at_a_bounded_rate() -> None:
    times: list[float] = []

    def poll(path: str, credentials: dict[str, str]) -> None:
        times.append(time.monotonic())

    follower = Follower(poll, interval=0.01, max_rate=50, timeout=0.5).start()
    try:
        for i in range(4):
            ex = replay.Exchange(
                i + 1,
                0,
                "POST",
                API,
                "",
                "client",
                None,
                "present",
                {},
                {},
                201,
                {},
                {"id": f"job-{i}", "status": "pending"},
                1.0,
            )
            follower.on_exchange(ex, {})
        wait_for(lambda: follower.following == 0, timeout=5)
    finally:
        follower.close()
    assert len(times) >= 8
    assert all(b - a >= 0.02 * 0.95 for a, b in itertools.pairwise(times))  # 1 / max_rate apart


def test_the_size_bound_stops_recording_and_forwarding_clearly(target, tmp_path: Path) -> None:
    out = tmp_path / "rec.jsonl"
    with (
        Recorder(target.url, out, max_bytes=3000) as rec,
        httpx.Client(base_url=rec.url, headers=HEADERS, timeout=10) as client,
    ):
        answers = [client.post(API, json=BODY) for _ in range(6)]
    statuses = [a.status_code for a in answers]
    first_refusal = statuses.index(503)
    assert set(statuses[:first_refusal]) == {201} and set(statuses[first_refusal:]) == {503}
    assert "--max-bytes 3000" in answers[-1].json()["detail"]
    assert out.stat().st_size <= 3000
    written = replay.read(out).exchanges
    assert (
        len(written) == first_refusal - 1
    )  # the create that crossed the bound reached the target, unrecorded
    assert len(target.jobs()) == first_refusal


def test_an_unreachable_target_is_a_502_and_is_recorded(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    out = tmp_path / "rec.jsonl"
    with Recorder(f"http://127.0.0.1:{port}", out) as rec:
        answer = httpx.post(f"{rec.url}{API}", json=BODY, headers=HEADERS, timeout=10)
    assert answer.status_code == 502 and "cannot reach" in answer.json()["detail"]
    [ex] = replay.read(out).exchanges
    assert ex.status == 502 and ex.error


def test_record_command_runs_until_sigterm(target, tmp_path: Path) -> None:
    out = tmp_path / "rec.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([GUARD, str(Path(__file__).parent.parent)])}
    cmd = [
        sys.executable,
        "-m",
        "mockserver",
        "record",
        "--target",
        target.url,
        "--out",
        str(out),
        "--port",
        "0",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        assert httpx.post(f"{url}{API}", json=BODY, headers=HEADERS, timeout=10).status_code == 201
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0, err
    assert "1 exchanges" in rest and "POST /api/text_generator/ -> 201" in err
    assert len(replay.read(out).exchanges) == 1
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=30)
    assert again.returncode == 2 and "--overwrite" in again.stderr
    bad = subprocess.run(
        [*cmd[:5], "ftp://127.0.0.1/", "--out", str(tmp_path / "x.jsonl")],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert bad.returncode == 2 and "http:// or https://" in bad.stderr


def raw_request(host: str, port: int, text: str) -> tuple[int, str]:
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(text.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return int(head.split(" ", 2)[1]), head


def _bodies(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text().splitlines()[1:]:
        body = json.loads(line).get("response_body")
        if isinstance(body, dict):
            out.append(body)
    return out
