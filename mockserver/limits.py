"""Rate limiting per account (a token bucket on real monotonic time) and the guard that applies limits.

The guard runs after authentication, as Django REST Framework checks throttles after authenticating; then, on a
create, it checks the account's credit balance (see accounts.py). Over the rate, the answer is DRF's own 429.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, request

from . import jsonio
from .http import ApiError

if TYPE_CHECKING:
    from .service import MockService
    from .settings import Settings

#: Period names DRF's throttle rates accept (only the first letter counts there too).
PERIODS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
#: Buckets kept at most; the least recently used is forgotten (it refills to full, so only leniency is lost).
MAX_BUCKETS = 10_000
CREATE_ENDPOINT = "api.create"


def parse_rate(spec: str) -> tuple[int, float] | None:
    """``"5/s"``, ``"100/min"``, ``"1000/h"`` -> (requests, period seconds); ``""`` -> None (no limit)."""
    from .settings import SettingsError

    spec = spec.strip()
    if not spec:
        return None
    count, sep, period = spec.partition("/")
    unit = period.strip().lower()[:1]
    try:
        number = int(count)
    except ValueError:
        number = 0
    if not sep or unit not in PERIODS or number < 1:
        raise SettingsError(f"rate_limit must look like N/s, N/m, N/h or N/d with N >= 1, got {spec!r}")
    return number, PERIODS[unit]


def parse_credits(pairs: tuple[str, ...]) -> dict[str, float]:
    """``("team=10", "ci=0.5")`` -> balances; a bad pair raises SettingsError naming it."""
    from .settings import SettingsError

    balances: dict[str, float] = {}
    for pair in pairs:
        api_id, sep, amount = pair.partition("=")
        try:
            value = float(amount)
        except ValueError:
            value = math.nan
        if not sep or not api_id.strip() or not math.isfinite(value):
            raise SettingsError(f"credits must look like ID=AMOUNT (a finite number), got {pair!r}")
        balances[api_id.strip()] = value
    return balances


def parse_error_body(text: str) -> Any:
    from .settings import SettingsError

    try:
        return jsonio.loads(text.encode("utf-8"))
    except jsonio.JSONParseError as exc:
        raise SettingsError(f"insufficient_credits_body must be JSON, got {text!r}: {exc}") from None


def validate_limit_settings(settings: Settings) -> None:
    """Called by Settings so a bad value stops startup with a message naming the setting."""
    from .settings import SettingsError

    if settings.journal_size < 0:
        raise SettingsError(
            f"journal_size must be >= 0 (0 turns the journal off), got {settings.journal_size}"
        )
    if not 400 <= settings.insufficient_credits_status <= 599:
        raise SettingsError(
            f"insufficient_credits_status must be 400-599, got {settings.insufficient_credits_status}"
        )
    parse_rate(settings.rate_limit)
    parse_credits(settings.credits)
    parse_error_body(settings.insufficient_credits_body)


class RateLimiter:
    """One token bucket per account: ``N`` requests of burst, refilled at ``N`` per period."""

    def __init__(
        self, rate: tuple[int, float] | None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # account -> (tokens, at)

    def acquire(self, account: str) -> float:
        """Take one token: 0 when allowed, else the seconds until a token is available."""
        if self.rate is None:
            return 0.0
        capacity, period = self.rate
        per_second = capacity / period
        now = self._monotonic()
        with self._lock:
            tokens, at = self._buckets.pop(account, (float(capacity), now))
            tokens = min(float(capacity), tokens + (now - at) * per_second)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / per_second
            self._buckets[account] = (tokens - 1 if tokens >= 1 else tokens, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        return wait

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


def throttled(wait: float) -> ApiError:
    """DRF's Throttled: ``Retry-After`` in whole seconds (at least 1) and the same number in the message."""
    seconds = max(1, math.ceil(wait))
    unit = "second" if seconds == 1 else "seconds"
    detail = f"Request was throttled. Expected available in {seconds} {unit}."
    return ApiError(429, detail, headers={"Retry-After": str(seconds)})


def guard() -> None:
    """After authentication: the rate limit on every authenticated call, then the balance on a create."""
    account = g.get("account")
    if account is None:
        return
    svc: MockService = current_app.extensions["creatify_mock"]
    wait = svc.limiter.acquire(account)
    if wait > 0:
        raise throttled(wait)
    if request.endpoint != CREATE_ENDPOINT or request.method != "POST" or svc.accounts.get(account) is None:
        return
    svc.store.tick(svc.clock.now_us())  # settle jobs that have ended unread, so their credits are counted
    if svc.accounts.exhausted(account):
        raise ApiError(svc.accounts.error_status, body=svc.accounts.error_body)


def register(app: Flask) -> None:
    """Register after ``api.register`` so the authentication hook has set ``g.account``."""
    app.before_request(guard)
