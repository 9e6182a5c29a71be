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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.fake_rules import generate, validate

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
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        first = next(iter(self.v.accounts))
        for config in self.v.old_configs:
            job = self._new(first, {"model_name": "gemini-2.5-flash", "messages": [], "config": config})
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

    # -- jobs ----------------------------------------------------------------------------------------------
    def _new(self, account: str, body: dict[str, Any]) -> dict[str, Any]:
        stamp = _now()
        job = {
            "id": str(uuid.uuid4()),
            "model_name": body["model_name"],
            "messages": [{"content": "", **m} for m in body["messages"]],
            "config": dict(body.get("config") or {}),
            "system_instruction": body.get("system_instruction", ""),
            "status": "pending",
            "response_text": None,
            "failed_reason": None,
            "credits_used": 0,
            "created_at": stamp,
            "updated_at": stamp,
        }
        with self.lock:
            self.jobs[job["id"]] = job
            self.owner[job["id"]] = account
        return job

    def create(self, account: str, body: dict[str, Any]) -> dict[str, Any]:
        job = self._new(account, body)
        snapshot = json.loads(json.dumps(job))
        threading.Thread(target=self._run, args=(job["id"], body.get("webhook_url")), daemon=True).start()
        return snapshot

    def _run(self, job_id: str, webhook_url: str | None) -> None:
        """Move the job along its phases (bounded sleeps) and call the webhook on each change."""
        time.sleep(self.v.pending_seconds)
        self._set(job_id, status="running")
        self._notify(job_id, webhook_url)
        time.sleep(self.v.running_seconds)
        with self.lock:
            config = self.jobs[job_id]["config"]
        temperature = config.get("temperature")
        if isinstance(temperature, (int, float)) and not 0 <= temperature <= 2:
            self._set(job_id, status="failed", failed_reason=f"temperature {temperature} is outside 0-2")
        else:
            self._set(job_id, status="done", response_text=generate(config), credits_used=1.5)
        self._notify(job_id, webhook_url)

    def _set(self, job_id: str, **changes: Any) -> None:
        with self.lock:
            self.jobs[job_id].update(changes, updated_at=_now())

    def _notify(self, job_id: str, url: str | None) -> None:
        if not url or self.v.webhooks == "none" or urlsplit(url).hostname not in LOOPBACK:
            return
        payload = self.read(job_id)
        try:
            if self.v.webhooks == "get":
                requests.get(url, timeout=5)
            else:
                requests.post(url, json=payload, timeout=5)
        except requests.RequestException:
            pass  # a receiver that went away: nothing to retry in a test double

    def read(self, job_id: str) -> dict[str, Any]:
        with self.lock:
            return dict(json.loads(json.dumps(self.jobs[job_id])))

    def visible(self, account: str) -> list[dict[str, Any]]:
        with self.lock:
            ids = [i for i in self.jobs if self.owner[i] == account]
        return [self.read(i) for i in reversed(ids)]


def _handler(fake: FakeCreatify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _account(self) -> str | None:
            api_id, key = self.headers.get("X-API-ID"), self.headers.get("X-API-KEY")
            if api_id is None or fake.v.accounts.get(api_id) != key:
                self._answer(fake.v.auth_status, {"detail": "Invalid API credentials."})
                return None
            return api_id

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if urlsplit(self.path).path != API:
                return self._answer(404, {"detail": "Not found."})
            account = self._account()
            if account is None:
                return None
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                return self._answer(400, {"detail": "JSON parse error."})
            fake.posts.append(body)
            errors = validate(body, fake.v.lenient)
            if errors:
                return self._answer(400, errors)
            return self._answer(201, fake.create(account, body))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            account = self._account() if parts.path.startswith(API) else None
            if account is None:
                return None if parts.path.startswith(API) else self._answer(404, {"detail": "Not found."})
            if parts.path == API and fake.v.list_endpoint:
                jobs = fake.visible(account)
                ids = parse_qs(parts.query).get("ids")
                if ids:
                    wanted = set(ids[0].split(","))
                    jobs = [j for j in jobs if j["id"] in wanted]
                return self._answer(200, jobs)
            job_id = parts.path[len(API) :].rstrip("/")
            with fake.lock:
                mine = fake.owner.get(job_id) == account and parts.path.endswith("/")
            return (
                self._answer(200, fake.read(job_id)) if mine else self._answer(404, {"detail": "Not found."})
            )

        def do_PUT(self) -> None:
            self._answer(405, {"detail": f'Method "{self.command}" not allowed.'})

        do_DELETE = do_PATCH = do_PUT

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: test output is for results."""

    return Handler
