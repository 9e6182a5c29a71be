"""An independent, minimal server for the text generation API: the kit's "allowed variations" and broken targets.

Written apart from the mock (nothing of ``mockserver`` is imported), it honours every documented rule and lets a
test choose where the documentation is silent: the status for bad credentials, whether the rules only the mock
enforces are enforced, whether a list endpoint exists, how slow the phases are. It can also break the webhook
rules on purpose. Webhooks go only to loopback receivers; every wait is bounded.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import requests

from tests import fake_sse
from tests.fake_handler import handler_for
from tests.fake_rules import generate
from tests.fake_views import shape

API = "/api/text_generator/"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Variation:
    """Where this server chooses differently from the mock (defaults: as the mock does)."""

    accounts: dict[str, str] = field(
        default_factory=lambda: {"proxy-id": "proxy-key", "proxy-id-2": "proxy-key-2"}
    )
    auth_status: int = 401
    lenient: bool = False  # accept (and echo) what only the mock's or Gemini's rules refuse
    list_endpoint: bool = True
    pending_seconds: float = 0.05
    running_seconds: float = 0.1
    webhooks: str = "post"  # "post", "none" (broken), "get" (broken: GET without a body)
    old_configs: list[dict[str, Any]] = field(default_factory=list)  # jobs already in the first account
    nulls: bool = False  # null for every key not sent or not set yet (config keys, message parts, credits)
    extras: bool = (
        False  # fields the documentation does not list, at every depth (jobs, messages, calls, chunks)
    )
    breaks: frozenset[str] = frozenset()  # contract_tests.rules ids this server breaks on purpose


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class FakeCreatify:
    """Serves on 127.0.0.1 (free port) until ``close()``; ``posts`` holds every create body received."""

    def __init__(self, variation: Variation | None = None) -> None:
        self.v = variation or Variation()
        self.jobs: dict[str, dict[str, Any]] = {}
        self.owner: dict[str, str] = {}
        self.posts: list[Any] = []
        self.lock = threading.Lock()
        self.terminal_reads: dict[str, int] = {}  # reads of finished jobs (the api.lifecycle break)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        first = next(iter(self.v.accounts))
        for config in self.v.old_configs:
            job = self.new_job(first, {"model_name": "gemini-2.5-flash", "messages": [], "config": config})
            job.update(status="done", response_text="old", credits_used=1.0)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def __enter__(self) -> FakeCreatify:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def broken(self, rule: str) -> bool:
        return rule in self.v.breaks

    # -- jobs ----------------------------------------------------------------------------------------------
    def new_job(self, account: str, body: dict[str, Any], family: str = "api") -> dict[str, Any]:
        stamp = _now()
        job = {
            "id": str(uuid.uuid4()),
            "model_name": body["model_name"],
            "messages": [{"content": "", **m} for m in body.get("messages") or []],
            "config": dict(body.get("config") or {}),
            "system_instruction": body.get("system_instruction", ""),
            "status": "pending",
            "response_text": None,
            "failed_reason": None,
            "credits_used": 0,
            "response_function_calls": [],
            "created_at": stamp,
            "updated_at": stamp,
            "_sent": json.loads(json.dumps(body)),
        }
        with self.lock:
            self.jobs[job["id"]] = job
            self.owner[job["id"]] = account
        return job

    def create(self, account: str, body: dict[str, Any], family: str = "api") -> dict[str, Any]:
        job = self.new_job(account, body, family)
        snapshot = self.view(job["id"], family)
        if self.broken("api.create.pending"):
            snapshot["status"] = "running"
        threading.Thread(target=self._run, args=(job["id"], body), daemon=True).start()
        return snapshot

    def _run(self, job_id: str, body: dict[str, Any]) -> None:
        """Move the job along its phases (bounded sleeps) and call the webhook on each change."""
        webhook_url = body.get("webhook_url")
        time.sleep(self.v.pending_seconds)
        self._set(job_id, status="running")
        self._notify(job_id, webhook_url)
        time.sleep(self.v.running_seconds)
        self.finish(job_id, body)
        self._notify(job_id, webhook_url)

    def finish(self, job_id: str, body: dict[str, Any]) -> None:
        """End the job: failed out of Gemini's temperature range, else done with text or function calls."""
        config = body.get("config") or {}
        temperature = config.get("temperature")
        if isinstance(temperature, (int, float)) and not 0 <= temperature <= 2:
            self._set(job_id, status="failed", failed_reason=f"temperature {temperature} is outside 0-2")
            return
        calls = fake_sse.calls_for(body)
        if self.broken("sse.tools.mode") and not calls and body.get("tools"):
            declaration = body["tools"][0]["function_declarations"][0]  # called even with mode NONE
            calls = [{"name": declaration["name"], "args": {}}]
        text = None if calls else generate(config if not self.broken("api.generation") else {})
        failed_reason = "none" if self.broken("api.terminal") else None
        self._set(
            job_id,
            status="done",
            response_text=text,
            response_function_calls=calls,
            credits_used=1.5,
            failed_reason=failed_reason,
        )

    def set(self, job_id: str, **changes: Any) -> None:
        self._set(job_id, **changes)

    def _set(self, job_id: str, **changes: Any) -> None:
        with self.lock:
            self.jobs[job_id].update(changes, updated_at=_now())

    def _notify(self, job_id: str, url: str | None) -> None:
        if not url or self.v.webhooks == "none" or urlsplit(url).hostname not in LOOPBACK:
            return
        if self.broken("api.webhook"):
            return
        payload = self.view(job_id, "api")
        try:
            if self.v.webhooks == "get":
                requests.get(url, timeout=5)
            else:
                requests.post(url, json=payload, timeout=5)
        except requests.RequestException:
            pass  # a receiver that went away: nothing to retry in a test double

    def read(self, job_id: str) -> dict[str, Any]:
        return self.view(job_id, "api")

    def view(self, job_id: str, family: str) -> dict[str, Any]:
        """The job as ``family`` answers it, shaped by the variation (nulls, extras, deliberate breaks)."""
        with self.lock:
            job = json.loads(json.dumps(self.jobs[job_id]))
            if self.broken("api.lifecycle") and job["status"] in ("done", "failed"):
                # every other read of a finished job goes back to running: seen by any client that reads twice
                self.terminal_reads[job_id] = self.terminal_reads.get(job_id, 0) + 1
                if self.terminal_reads[job_id] % 2 == 0:
                    job["status"] = "running"
        return shape(job, family, self.v)

    def visible_ids(self, account: str) -> list[str]:
        with self.lock:
            return [
                i for i in reversed(self.jobs) if self.owner[i] == account or self.broken("api.isolation")
            ]

    def visible(self, account: str) -> list[dict[str, Any]]:
        return [self.read(i) for i in self.visible_ids(account)]
