"""The independent fake server's HTTP side: routes, credentials, and the deliberate breaks that live in a route."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests import fake_sse
from tests.fake_rules import validate

if TYPE_CHECKING:
    from tests.fake_creatify import FakeCreatify

API = "/api/text_generator/"


def handler_for(fake: FakeCreatify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _account(self, family: str) -> str | None:
            api_id, key = self.headers.get("X-API-ID"), self.headers.get("X-API-KEY")
            if api_id is None and fake.broken(f"{family}.auth"):
                return next(iter(fake.v.accounts))
            if api_id is None or fake.v.accounts.get(api_id) != key:
                if family == "sse":
                    self._answer(401, {"error": "Missing or invalid API credentials."})
                else:
                    self._answer(fake.v.auth_status, {"detail": "Invalid API credentials."})
                return None
            return api_id

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            family = "sse" if path in (fake_sse.SSE, fake_sse.STREAM) else "api" if path == API else None
            if family is None:
                return self._answer(404, {"detail": "Not found."})
            account = self._account(family)
            if account is None:
                return None
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                return self._answer(400, {"detail": "JSON parse error."})
            fake.posts.append(body)
            if family == "sse":
                answer = fake_sse.post(fake, path, account, body)
                return self._stream(account, body) if answer is None else self._answer(*answer)
            errors = validate(_accepting(body) if fake.broken("api.create.invalid") else body, fake.v.lenient)
            if errors:
                return self._answer(
                    *((500, {"detail": "Server Error"}) if fake.broken("api.no5xx") else (400, errors))
                )
            return self._answer(200 if fake.broken("api.create.201") else 201, fake.create(account, body))

        def _stream(self, account: str, body: dict[str, Any]) -> None:
            events = fake_sse.stream_events(fake, account, body)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            for event in events:
                self.wfile.write(fake_sse.encode(event))
                self.wfile.flush()
            self.close_connection = True

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            family = (
                "sse"
                if parts.path.startswith(fake_sse.SSE)
                else "api"
                if parts.path.startswith(API)
                else None
            )
            account = self._account(family) if family else None
            if account is None:
                return None if family else self._answer(404, {"detail": "Not found."})
            if family == "sse":
                return self._answer(*fake_sse.get(fake, parts.path, account))
            if parts.path == API and fake.v.list_endpoint:
                jobs = fake.visible(account)
                ids = parse_qs(parts.query).get("ids")
                if ids:
                    wanted = set(ids[0].split(","))
                    jobs = [j for j in jobs if j["id"] in wanted]
                return self._answer(200, {"results": jobs} if fake.broken("api.list") else jobs)
            job_id = parts.path[len(API) :].rstrip("/")
            with fake.lock:
                known = job_id in fake.jobs
                mine = (fake.owner.get(job_id) == account or fake.broken("api.isolation")) and known
            if not known and fake.broken("api.read.404"):
                return self._answer(400, {"detail": "Invalid id."})
            if not mine or not parts.path.endswith("/"):
                return self._answer(404, {"detail": "Not found."})
            job = fake.read(job_id)
            if fake.broken("api.read"):
                job.pop("config", None)
            return self._answer(200, job)

        def do_PUT(self) -> None:
            self._answer(405, {"detail": f'Method "{self.command}" not allowed.'})

        do_DELETE = do_PATCH = do_PUT

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: test output is for results."""

    return Handler


def _accepting(body: Any) -> Any:
    """The body as a server that lets ``role: "assistant"`` through would validate it (a deliberate break)."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return body
    messages = [
        {**m, "role": "user"} if isinstance(m, dict) and m.get("role") == "assistant" else m
        for m in body["messages"]
    ]
    return {**body, "messages": messages}
