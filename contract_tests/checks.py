"""Response checks: small functions that raise ``ContractViolation`` saying what was expected, what came and why.

Every check is pure (a response in, nothing out), so the same check runs inside the shipped suite, inside a
team's own tests, and in the kit's own tests against deliberately broken responses. ``@check(area)`` tallies
each run per area for the conformance report.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from mockserver.contract import schemas

P = ParamSpec("P")
R = TypeVar("R")
MAX_SHOWN = 500

_tally_lock = threading.Lock()
TALLY: Counter[tuple[str, str]] = Counter()  # (area, "passed"|"failed") -> runs; read by the report


@dataclass
class Exchange:
    """One request and its answer: what a violation quotes so a person can replay it."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    text: str = ""
    request_body: Any = None

    def describe(self) -> str:
        sent = "" if self.request_body is None else f" body={_short(self.request_body)}"
        return f"{self.method} {self.url}{sent} -> {self.status} {_short(self.text)}"


class ContractViolation(AssertionError):
    """The target broke the documented contract: ``check`` expected ``expected`` but got ``got``."""

    def __init__(self, check: str, expected: str, got: Any, exchange: Exchange | None = None) -> None:
        self.check, self.expected, self.got, self.exchange = check, expected, got, exchange
        message = f"[{check}] expected {expected}; got {_short(got)}"
        if exchange is not None:
            message += f"\n    caused by: {exchange.describe()}"
        super().__init__(message)


def check(area: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function as a check of ``area``: its runs and violations are tallied for the report."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            __tracebackhide__ = True
            try:
                result = fn(*args, **kwargs)
            except ContractViolation:
                _count(area, "failed")
                raise
            _count(area, "passed")
            return result

        run.area = area  # type: ignore[attr-defined]
        return run

    return decorate


def _count(area: str, outcome: str) -> None:
    with _tally_lock:
        TALLY[(area, outcome)] += 1


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + f"… ({len(text)} chars)"


# -- status codes ----------------------------------------------------------------------------------------------
@check("status")
def check_status(exchange: Exchange, expected: int | tuple[int, ...], what: str) -> None:
    """The answer's status is one of ``expected`` (``what`` says which call, e.g. "create")."""
    allowed = (expected,) if isinstance(expected, int) else expected
    if exchange.status not in allowed:
        wanted = " or ".join(str(s) for s in allowed)
        raise ContractViolation("status", f"{wanted} for {what}", exchange.status, exchange)


#: 4xx answers that say something other than "this body is invalid": credentials, credits, routing, rate limits.
NOT_A_REFUSAL = frozenset({401, 402, 403, 404, 405, 429})


@check("status")
def check_refused(exchange: Exchange, what: str) -> None:
    """A documented-invalid body is refused with a client error (DRF and the /sse/ reference say 400; any
    validation 4xx honours the documented rule, so the exact status is observed, not judged)."""
    if not 400 <= exchange.status < 500 or exchange.status in NOT_A_REFUSAL:
        raise ContractViolation(
            "invalid request refused", f"a 4xx refusal (400 expected) of {what}", exchange.status, exchange
        )


def check_error_names_field(exchange: Exchange, field_name: str) -> None:
    """A 400 body names the offending top-level field (Django REST Framework keys errors by field).

    Not part of the shipped suite's verdict (the error shape is an inference, not documented); kept for teams
    that want to hold their own server to it."""
    body = exchange.body
    if not isinstance(body, dict) or field_name not in body:
        raise ContractViolation(
            "error names field", f"a 400 body with the key {field_name!r}", body, exchange
        )


def error_shape(exchange: Exchange, field_name: str | None = None) -> dict[str, Any]:
    """What an error answer looked like, for the report: status, content type, DRF shape, field named."""
    body = exchange.body
    shape = (
        "detail"
        if schemas.validator("error_detail").is_valid(body)
        else "fields"
        if schemas.validator("error_fields").is_valid(body)
        else type(body).__name__
    )
    content_type = {k.lower(): v for k, v in exchange.headers.items()}.get("content-type")
    out: dict[str, Any] = {"status": exchange.status, "content_type": content_type, "shape": shape}
    if field_name is not None:
        out["names_field"] = isinstance(body, dict) and field_name in body
    return out


# -- bodies ----------------------------------------------------------------------------------------------------
@check("body")
def check_json_content_type(exchange: Exchange) -> None:
    """``Content-Type: application/json`` (parameters such as ``charset`` allowed)."""
    content_type = {k.lower(): v for k, v in exchange.headers.items()}.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ContractViolation("content type", "Content-Type: application/json", content_type, exchange)


@check("body")
def check_schema(exchange: Exchange, name: str) -> None:
    """The body is valid against the documented view of ``schemas/<name>.schema.json`` (``x-source: doc``
    rules only: a server may accept and echo what the mock refuses, such as six stop sequences)."""
    errors = sorted(
        schemas.documented_validator(name).iter_errors(exchange.body), key=lambda e: list(e.absolute_path)
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise ContractViolation(
            f"schema {name}", f"a body valid against {name}", f"at {where}: {first.message}", exchange
        )


@check("body")
def check_error_body(exchange: Exchange) -> None:
    """An error body is ``{"detail": ...}`` or field-keyed messages (Django REST Framework's two shapes).

    An inference, not documented: the shipped suite only observes it (``error_shape``)."""
    if schemas.validator("error_detail").is_valid(exchange.body):
        return
    if not schemas.validator("error_fields").is_valid(exchange.body):
        raise ContractViolation("error body", "an error_detail or error_fields body", exchange.body, exchange)


@check("body")
def check_job_fields(job: Mapping[str, Any], exchange: Exchange | None = None) -> None:
    """``id`` a UUID, timestamps ISO 8601 date-times, ``credits_used`` a number (or null: the documentation does
    not say it is always present). Their order is ``check_timestamps_order``, an inference."""
    try:
        uuid.UUID(str(job.get("id")))
    except ValueError:
        raise ContractViolation("job id", "a UUID", job.get("id"), exchange) from None
    created, updated = (parse_time(job.get(key)) for key in ("created_at", "updated_at"))
    if created is None or updated is None:
        got = {"created_at": job.get("created_at"), "updated_at": job.get("updated_at")}
        raise ContractViolation("timestamps", "ISO 8601 date-times with a time zone", got, exchange)
    credits = job.get("credits_used")
    if credits is not None and (isinstance(credits, bool) or not isinstance(credits, (int, float))):
        raise ContractViolation("credits_used", "a number", credits, exchange)


@check("body")
def check_timestamps_order(job: Mapping[str, Any], exchange: Exchange | None = None) -> None:
    """``updated_at >= created_at``: what the names suggest, not what the documentation says (two clocks, an
    application's and a database's, can disagree by microseconds), so the shipped suite reports it."""
    created, updated = (parse_time(job.get(key)) for key in ("created_at", "updated_at"))
    if created is not None and updated is not None and updated < created:
        order = f"created_at={job['created_at']} updated_at={job['updated_at']}"
        raise ContractViolation("timestamps", "updated_at >= created_at", order, exchange)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date-time with an offset (``Z`` accepted on every Python), else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def check_response(exchange: Exchange, kind: str | None) -> None:
    """What every response must satisfy; ``kind`` is ``job`` or ``job_list`` for a 2xx body, else None.

    Error bodies are not judged: their shape is not documented for the /api/ family."""
    __tracebackhide__ = True
    if exchange.status >= 500:
        raise ContractViolation("server error", "no 5xx answer", exchange.status, exchange)
    if exchange.status in (200, 201) and kind is not None:
        check_json_content_type(exchange)
        check_schema(exchange, kind)
        jobs = exchange.body if kind == "job_list" else [exchange.body]
        for job in jobs:
            check_job_fields(job, exchange)
