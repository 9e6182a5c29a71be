"""Log output for ``serve`` and ``record``: ``text`` (one readable line) or ``json`` (one JSON object a line).

In ``json`` every line the process writes through ``logging`` is JSON — the startup line, warnings, errors with
their traceback, and the access lines with their fields (``mockserver.web.accesslog``) — so a log pipeline can
parse all of it. Standard library only, as the rest of ``config``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Attribute of a log record that holds structured fields (``logger.info(..., extra={FIELDS: {...}})``).
FIELDS = "creatify_fields"
#: Libraries whose INFO lines repeat what the mock logs itself (httpx logs every request it sends).
CHATTY = ("httpx", "httpcore")
#: The startup and stop lines in json: at INFO, and shown whatever ``--log-level`` says.
lifecycle = logging.getLogger("creatify_mock.lifecycle")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the record's structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(log_format: str = "text", level: str = "info") -> None:
    """Replace the root handlers with one on stderr in ``log_format``; Python warnings go through it too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    lifecycle.setLevel(logging.INFO)
    for name in CHATTY:  # their lines would log each exchange a second time; still there under debug
        logging.getLogger(name).setLevel(logging.DEBUG if level == "debug" else logging.WARNING)


def announce(log_format: str, line: str, **fields: str) -> None:
    """The startup and stop lines: plain on stdout (scripts read the URL there), or a JSON log line in json."""
    if log_format == "json":
        lifecycle.info(line, extra={FIELDS: fields})
    else:
        print(line, flush=True)
