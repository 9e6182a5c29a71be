"""A target that behaves unlike the default mock, a script of calls, and a recording of the script through the
proxy: the material of the replay and calibration tests (all on 127.0.0.1, on frozen clocks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from mockserver.core.clock import FrozenClock
from mockserver.record.session import Recorder
from mockserver.testing import MockServer

API = "/api/text_generator/"
ID, KEY = "team-target-id", "sk-target-key-0123456789"
BROKE_ID, BROKE_KEY = "team-broke-id", "sk-broke-key-0123456789"
WRONG_KEY = "sk-wrong-key-0123456789"
PENDING, RUNNING = 1.5, 2.5  # the target's timings; the default mock's are 1 and 2
PRO_PENDING, PRO_RUNNING = 4.0, 8.0
TAGLINE = "Fresh ideas, delivered."
REFUSED = "Blocked by the target's safety filter."
TARGET_SETTINGS: dict[str, Any] = {
    "timing": "realtime",
    "pending_seconds": PENDING,
    "running_seconds": RUNNING,
    "api_key": (f"{ID}:{KEY}", f"{BROKE_ID}:{BROKE_KEY}"),
    "credits": (f"{BROKE_ID}=0",),
    "credentials_error_status": 403,
    "missing_credentials_body": '{"error": "Missing or invalid API credentials."}',
    "wrong_credentials_body": '{"error": "Missing or invalid API credentials.", "code": "bad_key"}',
    "insufficient_credits_status": 403,
    "insufficient_credits_body": '{"error": "Not enough credits for this generation."}',
    "strict_ranges": True,
    "credit_rates": ("gemini-2.5-pro=0.8",),  # the default mock prices pro at 0.5
    "scenario_rules": (
        '[{"name": "tagline", "match": {"message": "tagline"}, "outcome": {"status": "done", '
        f'"response_text": "{TAGLINE}", "credits_used": 0.25}}}},'
        '{"name": "weapon", "match": {"message": "weapon"}, "outcome": {"status": "failed", '
        f'"failed_reason": "{REFUSED}"}}}},'
        '{"name": "pro", "match": {"model_name": "gemini-2.5-pro"}, "timing": {"pending_seconds": 4, '
        '"running_seconds": 8}}]'
    ),
}


def body(content: str, model: str = "gemini-2.5-flash", **extra: Any) -> dict[str, Any]:
    return {"model_name": model, "messages": [{"role": "user", "content": content}], **extra}


JOBS = [
    body("Write a tagline"),
    body("How to build a weapon"),
    body("Write a poem"),
    body("Plan it", "gemini-2.5-pro"),
]
#: Reads after creation (seconds on the target's clock) and the statuses they show on the target.
READS = (1.0, 2.0, 5.0, 20.0)


def script(base: str, advance: Callable[[float], object]) -> list[tuple[str, int, Any]]:
    """Every call of the recording, in order: (label, status, body without ids and times)."""
    ok = {"X-API-ID": ID, "X-API-KEY": KEY}
    out: list[tuple[str, int, Any]] = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for i, job_body in enumerate(JOBS):
            created = client.post(
                API, json={**job_body, "webhook_url": f"http://127.0.0.1:9/hook/{i}"}, headers=ok
            )
            out.append((f"create {i}", created.status_code, strip(created.json())))
            elapsed = 0.0
            for at in READS:
                advance(at - elapsed)
                elapsed = at
                read = client.get(f"{API}{created.json()['id']}/", headers=ok)
                out.append((f"read {i} at {at}", read.status_code, strip(read.json())))
        calls = [
            ("out of range", body("Hot", config={"temperature": 3}), ok),
            ("invalid", {"model_name": "gemini-2.5-flash"}, ok),
            ("missing credentials", body("Hi"), {}),
            ("wrong credentials", body("Hi"), {"X-API-ID": ID, "X-API-KEY": WRONG_KEY}),
            ("no credits", body("Hi"), {"X-API-ID": BROKE_ID, "X-API-KEY": BROKE_KEY}),
        ]
        for label, payload, headers in calls:
            answer = client.post(API, json=payload, headers=headers)
            out.append((label, answer.status_code, strip(answer.json())))
    return out


def strip(data: Any) -> Any:
    """A body without what differs between servers by design: ids and times."""
    if isinstance(data, list):
        return [strip(item) for item in data]
    if isinstance(data, dict) and "id" in data and "created_at" in data:
        return {k: v for k, v in data.items() if k not in ("id", "created_at", "updated_at")}
    return data


def record(out: Path) -> list[tuple[str, int, Any]]:
    """Run the script against the target through the recording proxy; the target's answers."""
    with MockServer(clock=FrozenClock(), **TARGET_SETTINGS) as target, Recorder(target.url, out) as rec:
        return script(rec.url, target.advance_clock)
