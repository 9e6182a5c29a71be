"""Masking the secrets a ``webhook_url`` may carry, wherever the mock shows, logs or saves it.

A receiver's URL often holds its own credentials: ``http://user:pass@host/cb?token=...``. The job keeps the real
URL (deliveries need it); every view of it — the admin API's state, journal, job and webhook log, the log lines
and the state file — shows the userinfo and the values of secret-looking query parameters as ``***``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
#: Why an event to a masked URL (a job restored from a snapshot) is abandoned instead of sent.
MASKED_TARGET = (
    "not sent: the webhook URL's secrets were masked when the state was saved, so its real address is "
    "unknown; create the job again to get its webhooks"
)
#: Query parameter names containing any of these (any case) have their values masked.
SECRET_WORDS = ("token", "key", "secret", "signature", "password", "passwd", "auth", "sig", "credential")
#: The same in free text (a body that is not JSON): ``user:pass@`` and ``token=value`` pairs.
_TEXT_USERINFO = re.compile(r"(?<=://)[^/?#@\s\"']+@")
_TEXT_PARAM = re.compile(
    r"(?P<name>[?&][^=&#\s\"']*(?:" + "|".join(SECRET_WORDS) + r")[^=&#\s\"']*=)[^&#\s\"']*",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def mask_url(url: str) -> str:
    """``url`` with its userinfo and secret query values replaced by ``***``; text that is no URL is masked
    as free text."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port, as a URL to refuse
    except ValueError:
        return mask_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        where = netloc.rpartition("@")[2]
        netloc = f"{MASK}:{MASK}@{where}" if parts.password is not None else f"{MASK}@{where}"
    return urlunsplit((parts.scheme, netloc, parts.path, mask_query(parts.query), parts.fragment))


def mask_query(query: str) -> str:
    """A query string with the values of secret-looking parameters masked (unchanged when there are none)."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_secret_name(k) for k, _ in pairs):
        return query
    return urlencode([(k, MASK if is_secret_name(k) else v) for k, v in pairs], safe="*,/:")


def mask_form(body: str) -> str:
    """A form-encoded body with its ``webhook_url`` values masked (and secret-looking fields' values)."""
    pairs = parse_qsl(body, keep_blank_values=True)
    masked = [(k, mask_url(v) if k == "webhook_url" else MASK if is_secret_name(k) else v) for k, v in pairs]
    return urlencode(masked, safe="*,/:@")


def mask_text(text: str) -> str:
    """URLs' userinfo and ``secret=value`` pairs masked inside any text (a form body, an error message)."""
    return _TEXT_PARAM.sub(rf"\g<name>{MASK}", _TEXT_USERINFO.sub(f"{MASK}@", text))


def is_masked(url: str) -> bool:
    """Whether ``url`` went through ``mask_url`` and lost a secret (a restored job cannot deliver to it)."""
    return mask_url(url) == url and (f"{MASK}@" in url or f"={MASK}" in url)


def mask_webhook_urls(value: Any) -> Any:
    """A copy of a parsed JSON body with every ``webhook_url`` string masked (bodies are shallow: one level
    of objects, or a list of them, is where clients put it)."""
    if isinstance(value, dict):
        return {
            k: mask_url(v) if k == "webhook_url" and isinstance(v, str) else mask_webhook_urls(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_webhook_urls(item) for item in value]
    return value
