"""Rate limiting per account: a token bucket on real monotonic time, bounded in memory.

DRF-style throttling is applied by the web pipeline after authentication; this module only counts.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

#: Buckets kept at most; the least recently used is forgotten (it refills to full, so only leniency is lost).
MAX_BUCKETS = 10_000


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
