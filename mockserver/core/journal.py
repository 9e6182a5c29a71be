"""The request journal: every call under ``/api/`` as it arrived and how it was answered (WireMock-style).

The web layer's middleware records raw facts only (headers, body bytes, status, duration) so the hot path stays
cheap; masking, decoding and parsing happen here, when someone reads the journal.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from mockserver.core import jsonio
from mockserver.core.clock import Clock, isoformat
from mockserver.core.jsonio import is_json_media_type
from mockserver.core.secrets import mask_form, mask_query, mask_text, mask_webhook_urls

MASKED = frozenset({"x-api-key", "authorization", "proxy-authorization", "x-admin-token", "cookie"})
MASK = "***"
#: Bytes of a body kept in an entry (bounds the journal's memory); a longer body is shown as truncated text.
BODY_CAP = 65_536
#: A job id in a call's path (``/api/text_generator/{id}/``): the call is about that job.
_JOB_IN_PATH = re.compile(r"^/(?:api|sse)/text_generator/(?!stream/)([^/]+)/?$")


@dataclass
class Entry:
    """One request as received; rendered to JSON by ``view``."""

    id: int
    at_us: int
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]  # as WSGI names them (HTTP_X_API_ID): renamed only when read
    body: bytes
    status: int | None = None
    duration_ms: float = 0.0
    body_size: int = 0
    #: The scenario rule that answered or shaped the call, and the job it created (set while it is answered).
    rule: str | None = None
    created_job: str | None = None
    response: bytes = b""
    response_size: int = 0
    response_type: str = ""

    @property
    def api_id(self) -> str:
        return next((v for k, v in self.headers if k == "HTTP_X_API_ID"), "")

    @property
    def job_id(self) -> str | None:
        """The job the call created, or the one its path names."""
        if self.created_job is not None:
            return self.created_job
        found = _JOB_IN_PATH.match(self.path)
        return found.group(1) if found else None

    @job_id.setter
    def job_id(self, value: str | None) -> None:
        self.created_job = value

    def keep_response(self, chunk: bytes) -> None:
        """Keep the answer's first ``BODY_CAP`` bytes (a stream's first events), counting the rest."""
        room = BODY_CAP - len(self.response)
        if room > 0:
            self.response += chunk[:room]
        self.response_size += len(chunk)

    def summary(self) -> dict[str, Any]:
        """The few fields the event feed carries (no headers or bodies: those are read from the journal)."""
        return {
            "id": self.id,
            "time": isoformat(self.at_us),
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "api_id": self.api_id,
            "duration_ms": self.duration_ms,
            "rule": self.rule,
            "job_id": self.job_id,
        }

    def view(self) -> dict[str, Any]:
        named = ((_title(k), v) for k, v in self.headers)
        headers = {k: MASK if k.lower() in MASKED else v for k, v in named}
        return {
            "id": self.id,
            "time": isoformat(self.at_us),
            "method": self.method,
            "path": self.path,
            "query": mask_query(self.query),
            "query_params": parse_qs(mask_query(self.query), keep_blank_values=True),
            "api_id": self.api_id,
            "headers": headers,
            "body": self._body(headers.get("Content-Type", "")),
            "body_truncated": self.body_size > len(self.body),
            "status": self.status,
            "duration_ms": self.duration_ms,
            "rule": self.rule,
            "job_id": self.job_id,
            "response_body": _decoded(self.response, self.response_type, self.response_size),
            "response_truncated": self.response_size > len(self.response),
        }

    def _body(self, content_type: str) -> Any:
        return _decoded(self.body, content_type, self.body_size)


def _decoded(body: bytes, content_type: str, size: int) -> Any:
    """Parsed JSON when it is whole JSON, else the text; None for no body. A ``webhook_url``'s secrets are
    masked either way (``core/secrets.py``)."""
    if not body:
        return None
    mimetype = content_type.split(";")[0].strip().lower()
    if size == len(body) and is_json_media_type(mimetype):
        try:
            return mask_webhook_urls(jsonio.loads(body))
        except jsonio.JSONParseError:
            pass
    text = body.decode("utf-8", errors="replace")
    if mimetype == "application/x-www-form-urlencoded":
        return mask_form(text)
    return mask_text(text)


#: The entry of the call being answered on this thread (or task): the service notes its rule and job on it.
current: ContextVar[Entry | None] = ContextVar("creatify_mock_journal_entry", default=None)


class Journal:
    """The newest ``size`` entries; ``size == 0`` turns recording off."""

    def __init__(self, size: int, clock: Clock) -> None:
        self.size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: deque[Entry] = deque(maxlen=max(size, 1))
        self._next = 0

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def begin(self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes) -> Entry:
        """Record a request as it arrives (so a call that never answers is still seen), to be finished later."""
        with self._lock:
            self._next += 1
            entry = Entry(self._next, self._clock.now_us(), method, path, query, headers, body[:BODY_CAP])
            entry.body_size = len(body)
            self._entries.append(entry)
        return entry

    def entries(
        self,
        path: str | None = None,
        method: str | None = None,
        status: str | int | None = None,
        since_us: int | None = None,
        api_id: str | None = None,
        before_id: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first. ``path`` is exact, or a prefix when it ends with ``*``; ``status`` is ``201`` or ``4xx``;
        a page: at most ``limit``, with ids below ``before_id`` (only those are rendered)."""
        with self._lock:
            found = list(self._entries)
        return select(found, path, method, status, since_us, api_id, before_id, limit)

    def about(self, job_id: str) -> list[dict[str, Any]]:
        """Calls that created or named the job, oldest first (a job's timeline)."""
        with self._lock:
            found = [e for e in self._entries if e.job_id == job_id]
        return [e.view() for e in found]

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
        return count

    def __len__(self) -> int:
        return len(self._entries)


def select(
    found: list[Entry],
    path: str | None = None,
    method: str | None = None,
    status: str | int | None = None,
    since_us: int | None = None,
    api_id: str | None = None,
    before_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The views of ``found`` (oldest first) that pass the filters, newest first; a page: at most ``limit``,
    with ids below ``before_id`` (only those are rendered)."""
    out: list[dict[str, Any]] = []
    for entry in reversed(found):
        if len(out) == limit:
            break
        if before_id is not None and entry.id >= before_id:
            continue
        if path is not None and not _path_fits(path, entry.path):
            continue
        if method is not None and entry.method != method.upper():
            continue
        if status is not None and not _status_fits(str(status), entry.status):
            continue
        if since_us is not None and entry.at_us < since_us:
            continue
        if api_id is not None and entry.api_id != api_id:
            continue
        out.append(entry.view())
    return out


def _path_fits(pattern: str, path: str) -> bool:
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def _status_fits(pattern: str, status: int | None) -> bool:
    if status is None:
        return False
    if len(pattern) == 3 and pattern[1:].lower() == "xx":
        return str(status)[0] == pattern[0]
    return str(status) == pattern


def _title(wsgi_name: str) -> str:
    """``HTTP_X_API_ID`` -> ``X-Api-Id``; ``CONTENT_TYPE`` -> ``Content-Type``."""
    name = wsgi_name[5:] if wsgi_name.startswith("HTTP_") else wsgi_name
    return name.replace("_", "-").title()
