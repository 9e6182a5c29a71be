"""``creatify-mock calibrate``: settings derived from a recording (and a contract report) make a mock answer like
the recorded target on timings (within 10%) and error answers (exactly)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.calibrate.cli import calibrate
from mockserver.config import load
from mockserver.core.clock import FrozenClock
from mockserver.testing import MockServer
from tests import recorded_target as rt

pytestmark = pytest.mark.slow
OK = {"X-API-ID": rt.ID, "X-API-KEY": rt.KEY}


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, int, Any]]]:
    path = tmp_path_factory.mktemp("calibrate") / "target.jsonl"
    return path, rt.record(path)


@pytest.fixture(scope="module")
def toml(recording, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calibrated") / "mock.toml"
    out.write_text(calibrate(str(recording[0]), None))
    return out


def calibrated(toml: Path, **extra: Any) -> MockServer:
    settings = load({"config": str(toml)}, environ={}).with_overrides(
        {"port": 0, "log_requests": False, **extra}
    )
    return MockServer(settings, clock=FrozenClock())


def test_every_setting_says_its_evidence(toml: Path) -> None:
    text = toml.read_text()
    settings_part, _, rules_part = text.partition("[[scenario-rules]]")
    for line in settings_part.splitlines():
        if line.strip() and not line.startswith("#") and line != "]":
            assert "  # " in line, f"no evidence on {line!r}"
    assert rules_part.startswith("  # gemini-2.5-pro: 1 jobs, median pending 4.000 s, running 8.000 s")
    settings = load({"config": str(toml)}, environ={})
    assert (settings.pending_seconds, settings.running_seconds, settings.jitter) == (
        rt.PENDING,
        rt.RUNNING,
        0.0,
    )
    assert settings.credentials_error_status == 403 and settings.strict_ranges is True
    assert "3 jobs, 3 timed by the target's created_at/updated_at" in toml.read_text()


def test_the_calibrated_mock_answers_errors_exactly_like_the_target(recording, toml: Path) -> None:
    _, original = recording
    theirs = {label: (status, body) for label, status, body in original}
    # Balances are the account's business, not the target's behaviour: the test gives the same one.
    with calibrated(toml, api_key=rt.TARGET_SETTINGS["api_key"], credits=(f"{rt.BROKE_ID}=0",)) as mock:
        ours = {label: (status, body) for label, status, body in rt.script(mock.url, mock.advance_clock)}
    for label in ("missing credentials", "wrong credentials", "no credits", "out of range", "invalid"):
        assert ours[label] == theirs[label], label
    with MockServer(clock=FrozenClock(), api_key=rt.TARGET_SETTINGS["api_key"]) as default:
        plain = {label: (s, b) for label, s, b in rt.script(default.url, default.advance_clock)}
    assert all(
        plain[label] != theirs[label]
        for label in ("missing credentials", "wrong credentials", "out of range")
    )


@pytest.mark.parametrize(
    ("job", "pending", "running"),
    [(rt.JOBS[2], rt.PENDING, rt.RUNNING), (rt.JOBS[3], rt.PRO_PENDING, rt.PRO_RUNNING)],
)
def test_the_calibrated_mock_keeps_the_targets_timings_within_ten_percent(
    toml: Path, job, pending, running
) -> None:
    checkpoints = [
        (0.9 * pending, "pending"),
        (1.1 * pending, "running"),
        (0.9 * (pending + running), "running"),
        (1.1 * (pending + running), "done"),
    ]
    with (
        calibrated(toml, api_key=rt.TARGET_SETTINGS["api_key"]) as mock,
        httpx.Client(base_url=mock.url, headers=OK, timeout=10) as client,
    ):
        created = client.post(rt.API, json=job).json()
        elapsed = 0.0
        for at, status in checkpoints:
            mock.advance_clock(at - elapsed)
            elapsed = at
            assert client.get(f"{rt.API}{created['id']}/").json()["status"] == status, (at, status)


def test_credit_rates_follow_the_target(recording, toml: Path) -> None:
    _, original = recording
    theirs = dict((label, body) for label, _, body in original)
    with calibrated(toml, api_key=rt.TARGET_SETTINGS["api_key"]) as mock:
        ours = dict((label, body) for label, _, body in rt.script(mock.url, mock.advance_clock))
    # A generated text is the same for the same request, so its credits show the rate.
    assert ours["read 2 at 20.0"]["credits_used"] == theirs["read 2 at 20.0"]["credits_used"]
    assert ours["read 3 at 20.0"]["credits_used"] == theirs["read 3 at 20.0"]["credits_used"]
    with MockServer(clock=FrozenClock(), timing="realtime", api_key=rt.TARGET_SETTINGS["api_key"]) as default:
        plain = dict((label, body) for label, _, body in rt.script(default.url, default.advance_clock))
    assert plain["read 3 at 20.0"]["credits_used"] != theirs["read 3 at 20.0"]["credits_used"]


def test_a_contract_report_alone_calibrates_credentials_and_notes_the_rest(tmp_path: Path) -> None:
    report = {
        "target": "https://api.example.invalid",
        "observations": {
            "missing_credentials": [
                {"call": "POST /api/text_generator/", "status": 403, "body": {"detail": "No."}}
            ],
            "wrong_credentials": [
                {"call": "GET /api/text_generator/", "status": 403, "body": {"detail": "Bad."}}
            ],
            "transition_seconds_first_seen": [{"pending": 0.0, "running": 2.0, "done": 6.0}] * 3,
            "undocumented_validation": [
                {"case": "messages empty", "status": 201, "body": {}},
                {"case": "model_name empty", "status": 400, "body": {"model_name": ["x"]}},
            ],
            "rate_limit_429": [{"retry_after": "3", "body": "{}"}],
        },
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    text = calibrate(None, str(path))
    settings = load({"config": str(_write(tmp_path, text))}, environ={})
    assert settings.credentials_error_status == 403
    assert json.loads(settings.missing_credentials_body) == {"detail": "No."}
    assert json.loads(settings.wrong_credentials_body) == {"detail": "Bad."}
    assert (settings.pending_seconds, settings.running_seconds) == (2.0, 4.0)
    assert (
        "'messages empty': the target accepted it" in text
        and "'model_name empty': the target rejected" in text
    )
    assert "429 1 time(s)" in text


def test_calibrate_command_prints_toml_and_refuses_nothing_to_read(recording, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    run = [sys.executable, "-m", "mockserver", "calibrate"]
    done = subprocess.run([*run, str(recording[0])], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert load({"config": str(_write(tmp_path, done.stdout))}, environ={}).pending_seconds == rt.PENDING
    nothing = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
    assert nothing.returncode == 2 and "give a recording" in nothing.stderr
    missing = subprocess.run(
        [*run, str(tmp_path / "nope.jsonl")], capture_output=True, text=True, env=env, timeout=60
    )
    assert missing.returncode == 2 and "cannot read recording" in missing.stderr


def _write(tmp_path: Path, text: str) -> Path:
    out = tmp_path / "mock.toml"
    out.write_text(text)
    return out
