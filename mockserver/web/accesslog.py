"""The access log: one line per call, written by the server once the call's last byte is sent.

The one place that writes it (``log_access``, called by ``web.bridge`` and ``web.protocol``), so its format and
fields change here only. ``seconds`` runs from the request's arrival to its last byte, streams and sync waits
included; ``status`` 0 means no answer was sent (a dropped connection), 499 that the client left before the answer
ended. The views add what only they know (the job a create made, the scenario rule that answered) with
``annotate(environ, ...)``; the line is readable in ``text`` and carries every field in ``json``
(``mockserver.config.logs``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass
from typing import Any

from mockserver.config.logs import FIELDS

access_log = logging.getLogger("creatify_mock.access")
#: Where a call's annotations wait in the WSGI environ until its line is written.
ENVIRON_KEY = "creatify_mock.access"
_JOB_PATH = re.compile(r"^/(?:api|sse)/text_generator/([^/]+)/")


@dataclass
class AccessRecord:
    """One call as the log shows it; ``duration_ms`` runs from its arrival to its last byte."""

    method: str
    path: str
    query: str = ""
    remote: str | None = None
    status: int | None = None
    duration_ms: float = 0.0
    account: str | None = None
    job_id: str | None = None
    rule: str | None = None


def annotate(environ: MutableMapping[str, Any], **fields: Any) -> None:
    """Add what a view knows (``job_id=``, ``rule=``) to the call's line."""
    environ.setdefault(ENVIRON_KEY, {}).update(fields)


def record_of(environ: Mapping[str, Any], status: int, seconds: float) -> AccessRecord:
    path = environ.get("PATH_INFO", "")
    job = _JOB_PATH.match(path)
    record = AccessRecord(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=path,
        query=environ.get("QUERY_STRING", ""),
        remote=environ.get("REMOTE_ADDR"),
        status=status,
        duration_ms=round(seconds * 1000, 3),
        account=environ.get("HTTP_X_API_ID") or None,
        job_id=job.group(1) if job else None,
    )
    for name, value in environ.get(ENVIRON_KEY, {}).items():
        setattr(record, name, value)
    return record


def log_access(environ: Mapping[str, Any], status: int, seconds: float) -> None:
    """Write the call's line (nothing when the access logger is below INFO)."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    record = record_of(environ, status, seconds)
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
