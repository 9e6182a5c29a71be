"""The access log: one line per call, written by the server once the call's last byte is sent.

The one place that writes it (``log_access``), so its format and fields change here only. ``seconds`` runs from
the request's arrival to its last byte, streams and sync waits included; ``status`` 0 means no answer was sent
(a dropped connection), 499 that the client left before the answer ended.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

access_log = logging.getLogger("creatify_mock.access")


def log_access(environ: Mapping[str, Any], status: int, seconds: float) -> None:
    query = environ.get("QUERY_STRING", "")
    access_log.info(
        '%s "%s %s" %s %.1fms',
        environ.get("REMOTE_ADDR"),
        environ.get("REQUEST_METHOD"),
        f"{environ.get('PATH_INFO', '')}?{query}".rstrip("?"),
        status,
        seconds * 1000,
    )
