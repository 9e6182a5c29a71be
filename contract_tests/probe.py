"""Does the target speak the API at all? Two free calls before the first test, and one line when it does not.

A URL that points at some other web server (a static file server, a proxy's HTML error page, a path prefix
missing) would otherwise fail every test with an HTML body and hundreds of lines of tracebacks, or pass a few
by accident. The probe sends what costs nothing on the real API: a read of an id that cannot exist (documented
answer: a JSON 404) and a create with an empty body (documented answer: a JSON 4xx naming the missing fields;
no job is created). HTML, no JSON, a 404/405/501 on the create path, or refused credentials stop the run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import requests

from .client import API
from .reach import connection_failure

PROBE_TIMEOUT = 30.0
NIL_JOB = f"{API}{uuid.UUID(int=0)}/"
#: Statuses that say "no such endpoint here" on a documented path.
NOT_HERE = frozenset({404, 405, 501})


def _json(response: requests.Response) -> Any:
    try:
        return json.loads(response.content or b"")
    except ValueError:
        return ValueError


def _describe(response: requests.Response) -> str:
    content_type = response.headers.get("Content-Type") or "no Content-Type"
    head = " ".join(response.text.split())[:40]
    return f"{response.status_code} {content_type.split(';')[0]} ({head!r})"


def not_the_api(base_url: str, headers: Mapping[str, str], timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when ``base_url`` answers the documented paths in JSON, else the one line that says why not."""
    calls: tuple[tuple[str, str, Any], ...] = (("GET", NIL_JOB, None), ("POST", API, {}))
    for method, path, body in calls:
        url = base_url.rstrip("/") + path
        try:
            response = requests.request(
                method, url, json=body, headers=dict(headers), timeout=timeout, allow_redirects=False
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            return connection_failure(url, exc)
        said = f"{method} {path} answered {_describe(response)}"
        if response.status_code in (401, 403):
            return f"the target refused the credentials given ({said}): check --contract-api-id / --contract-api-key"
        if _json(response) is ValueError:
            return f"{base_url} does not speak the API: {said}, not JSON"
        if 300 <= response.status_code < 400 or (method == "POST" and response.status_code in NOT_HERE):
            return f"{base_url} does not speak the API: {said}"
    return None
