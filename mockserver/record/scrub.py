"""Keeping credentials out of a recording: the one place that decides what of a call may be written down.

Request headers are allow-listed (a client's custom header might carry a token); credential headers never get
through; each X-API-ID becomes a label (``account-1``); and every line is searched for the credentials seen so far,
raw and JSON-escaped, before it is written, so a key echoed in a body or an error message is masked too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode

import orjson

#: Never written, in either direction.
CREDENTIAL_HEADERS = frozenset(
    {"x-api-key", "x-api-id", "authorization", "proxy-authorization", "cookie", "set-cookie"}
)
#: Request headers worth keeping: what the body is and what the client accepts.
KEPT_REQUEST_HEADERS = frozenset({"content-type", "accept", "user-agent"})
#: Headers about one connection, not the message (RFC 9110 7.6.1), dropped when forwarding and recording.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
)
#: Query parameters whose values are masked (a client that puts a key in the URL).
SECRET_PARAMS = ("key", "token", "secret", "password", "signature", "api_id", "auth")
#: Shorter values are masked in headers and queries only: replacing "a" in every text would ruin a recording.
MIN_MASKED_LENGTH = 6
MASK = "***"


class Scrubber:
    """Labels accounts and masks the credentials it has seen; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._labels: dict[str, str] = {}
        self._secrets: dict[str, str] = {}  # value -> what replaces it

    def account(self, api_id: str, api_key: str) -> str | None:
        """The label of this X-API-ID (None without one); both values are masked in every later line."""
        with self._lock:
            if api_key and len(api_key) >= MIN_MASKED_LENGTH:
                self._secrets[api_key] = MASK
            if not api_id:
                return None
            label = self._labels.setdefault(api_id, f"account-{len(self._labels) + 1}")
            if len(api_id) >= MIN_MASKED_LENGTH:
                self._secrets[api_id] = label
            return label

    def line(self, data: bytes) -> bytes:
        """A serialized line with every known credential replaced, longest first (a key containing an id)."""
        with self._lock:
            secrets = sorted(self._secrets.items(), key=lambda item: -len(item[0]))
        for value, replacement in secrets:
            for form in _forms(value):
                data = data.replace(form, replacement.encode())
        return data


def request_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers if name.lower() in KEPT_REQUEST_HEADERS}


def response_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in headers
        if name.lower() not in CREDENTIAL_HEADERS and name.lower() not in HOP_BY_HOP
    }


def query(raw: str) -> str:
    """The query string with the values of secret-looking parameters masked."""
    if not raw:
        return ""
    pairs = parse_qsl(raw, keep_blank_values=True)
    masked = [(k, MASK if any(s in k.lower() for s in SECRET_PARAMS) else v) for k, v in pairs]
    return urlencode(masked, safe=",*")


def forwarded(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers to send upstream: the caller's own (its credentials included), minus connection-level ones."""
    return {
        name: value
        for name, value in headers.items()
        if name.lower() not in HOP_BY_HOP
        and name.lower() not in ("host", "content-length", "accept-encoding")
    }


def _forms(value: str) -> list[bytes]:
    raw = value.encode()
    escaped = orjson.dumps(value)[1:-1]
    return [raw] if raw == escaped else [escaped, raw]
