"""Is the target there at all? One line saying why not, instead of a traceback per test.

A run against a wrong URL or a server that is down must end at once with ``cannot reach URL: connection
refused`` (the plugin checks before the first test), and a target that goes away mid-run fails each later call
with that same one line.
"""

from __future__ import annotations

import errno
import socket
from urllib.parse import urlsplit

import requests

PROBE_TIMEOUT = 10.0  # seconds: a target slower than this to accept a TCP connection is reported unreachable


def _describe(exc: BaseException) -> str:
    """The short cause of a failed connection: "connection refused", "timed out", "name not resolved", …"""
    for cause in _chain(exc):
        if isinstance(cause, socket.gaierror):
            return "name not resolved"
        if isinstance(cause, (socket.timeout, TimeoutError, requests.Timeout)):
            return "timed out"
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
    for cause in _chain(exc):
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
    return type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, its causes and contexts, and exceptions carried in ``args`` (urllib3 wraps them so)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.append(current)
        todo += [c for c in (current.__cause__, current.__context__) if c is not None]
        todo += [a for a in current.args if isinstance(a, BaseException)]
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return seen


def unreachable(base_url: str, timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when a TCP connection to ``base_url``'s host and port opens, else the one line to print."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"cannot reach {base_url}: not an http(s) URL"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"cannot reach {base_url}: {_describe(exc)}"


def connection_failure(url: str, exc: BaseException) -> str:
    """The one line for a request that could not be sent (the target went away, or never answered)."""
    return f"cannot reach {url}: {_describe(exc)}"
