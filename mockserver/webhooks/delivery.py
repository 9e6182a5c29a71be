"""One webhook POST over http.client: no redirects followed, a per-attempt timeout, a capped read; and signing.

The connection is opened by the egress policy (``egress.py``): the address it checked is the address used.

The signature is ``X-Webhook-Signature: sha256=<hex>``, an HMAC-SHA256 with the secret over
``"<X-Webhook-Timestamp>." + body`` — the timestamp is signed so a captured call cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from mockserver.webhooks.egress import EgressPolicy, EgressRefused

MAX_RESPONSE_BYTES = 64 * 1024


@dataclass
class AttemptResult:
    """What one attempt got: an HTTP status, or an error text; and how long it took."""

    status: int | None
    error: str | None
    duration_ms: float
    response_excerpt: str = ""
    final: bool = False  # no retry can help (the egress policy refused the target)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of ``X-Webhook-Signature`` for this timestamp and body."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers(
    user_agent: str,
    delivery_id: str,
    event: str,
    attempt: int,
    timestamp: str,
    secret: str | None,
    body: bytes,
) -> dict[str, str]:
    """The headers of one attempt: the id stays the same across attempts (receivers de-duplicate by it)."""
    out = {
        "Content-Type": "application/json",
        "User-Agent": user_agent,
        "X-Webhook-Id": delivery_id,
        "X-Webhook-Event": event,
        "X-Webhook-Attempt": str(attempt),
        "X-Webhook-Timestamp": timestamp,
    }
    if secret:
        out["X-Webhook-Signature"] = signature(secret, timestamp, body)
    return out


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


class _PolicedHTTP(http.client.HTTPConnection):
    """An HTTPConnection whose socket comes from the egress policy (resolve, check, connect to that address)."""

    egress: EgressPolicy

    def connect(self) -> None:
        self.sock = self.egress.connect(self.host, self.port, self.timeout)  # type: ignore[arg-type]


class _PolicedHTTPS(http.client.HTTPSConnection, _PolicedHTTP):
    """HTTPS over the policed socket: ``HTTPSConnection.connect`` wraps what ``_PolicedHTTP.connect`` opened,
    with the URL's host name for SNI and certificate checks."""


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float, egress: EgressPolicy
) -> AttemptResult:
    """POST ``body``; never raises; reads at most 64 KiB of the answer and trusts none of it."""
    started = time.monotonic()
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn: http.client.HTTPConnection
    try:
        if parts.scheme == "https":
            conn = _PolicedHTTPS(
                parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            conn = _PolicedHTTP(parts.hostname or "", parts.port, timeout=timeout)
        conn.egress = egress
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            excerpt = response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")[:200]
            return AttemptResult(response.status, None, _ms(started), excerpt)
        finally:
            conn.close()
    except EgressRefused as exc:
        return AttemptResult(None, str(exc), _ms(started), final=True)
    except TimeoutError:
        return AttemptResult(None, f"timeout after {timeout:g} s", _ms(started))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return AttemptResult(None, f"{type(exc).__name__}: {exc}", _ms(started))


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)
