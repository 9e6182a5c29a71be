"""The access log: one line per call, written when its last byte has been sent (streams included).

The API is small so any server can emit it: build an ``AccessRecord`` and call ``log_access(record)`` once the
answer is complete. Under WSGI, ``AccessLogMiddleware`` does both; the views add what only they know (the job a
create made, the scenario rule that answered) with ``annotate(environ, ...)``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from mockserver.config.logs import FIELDS

access_log = logging.getLogger("creatify_mock.access")
#: Where a call's record waits in the WSGI environ while the views annotate it.
ENVIRON_KEY = "creatify_mock.access"
_JOB_PATH = re.compile(r"^/(?:api|sse)/text_generator/([^/]+)/")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class AccessRecord:
    """One call as the log shows it; ``duration_ms`` runs from its arrival to its last byte."""

    method: str
    path: str
    query: str = ""
    remote: str | None = None
    status: int | None = None
    duration_ms: float = 0.0
    bytes_sent: int = 0
    account: str | None = None
    job_id: str | None = None
    rule: str | None = None


def log_access(record: AccessRecord) -> None:
    """Write the record's line: readable in ``text``, every field in ``json`` (``mockserver.config.logs``)."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    target = f"{record.path}?{record.query}" if record.query else record.path
    extras = "".join(
        f" {name}={value}"
        for name, value in (("account", record.account), ("job", record.job_id), ("rule", record.rule))
        if value
    )
    access_log.info(
        '%s "%s %s" %s %.1fms%s',
        record.remote,
        record.method,
        target,
        record.status,
        record.duration_ms,
        extras,
        extra={FIELDS: asdict(record)},
    )


def annotate(environ: dict[str, Any], **fields: Any) -> None:
    """Add what a view knows (``job_id=``, ``rule=``) to the call's record; nothing when there is none."""
    record = environ.get(ENVIRON_KEY)
    if record is not None:
        for name, value in fields.items():
            setattr(record, name, value)


class AccessLogMiddleware:
    """Outermost WSGI wrapper: a record per call, logged when the server closes the answer's iterable."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "")
        job = _JOB_PATH.match(path)
        record = AccessRecord(
            method=environ.get("REQUEST_METHOD", "GET"),
            path=path,
            query=environ.get("QUERY_STRING", ""),
            remote=environ.get("REMOTE_ADDR"),
            account=environ.get("HTTP_X_API_ID") or None,
            job_id=job.group(1) if job else None,
        )
        environ[ENVIRON_KEY] = record

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            record.status = int(status[:3])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            body = self.app(environ, capture)
        except BaseException:
            record.duration_ms = round((time.perf_counter() - started) * 1000, 3)
            log_access(record)
            raise
        return _Logged(body, record, started)


class _Logged:
    """The answer's body, counted as it is sent; its ``close`` (the server's "done") writes the line."""

    def __init__(self, body: Iterable[bytes], record: AccessRecord, started: float) -> None:
        self._body = body
        self._record = record
        self._started = started
        self._logged = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            self._record.bytes_sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if not self._logged:
                self._logged = True
                self._record.duration_ms = round((time.perf_counter() - self._started) * 1000, 3)
                log_access(self._record)
