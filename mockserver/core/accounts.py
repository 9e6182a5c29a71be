"""Per-account credit balances: done jobs deduct ``credits_used``; an exhausted account cannot create.

Accounts without a balance are unlimited. The store calls ``on_transition`` under its lock, so this module only
does in-memory work under its own lock (never the other way round: no deadlock).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any

from mockserver.config.settings import Settings
from mockserver.config.values import parse_credits, parse_error_body
from mockserver.core.models import Job, JobStatus

#: Balances are rounded like credits_used (6 places) so repeated deductions do not drift.
PLACES = 6


class Accounts:
    """Balances by X-API-ID; ``reset`` goes back to the configured ones (``--credits``)."""

    def __init__(self, settings: Settings) -> None:
        self._configured = parse_credits(settings.credits)
        self.error_status = settings.insufficient_credits_status
        self._error_body = parse_error_body(settings.insufficient_credits_body)
        self._lock = threading.Lock()
        self._balances = dict(self._configured)

    @property
    def error_body(self) -> Any:
        """The insufficient-credits body (a copy, so a view can never change the configured one)."""
        return copy.deepcopy(self._error_body)

    def on_transition(self, view: dict[str, Any], job: Job) -> None:
        """Store listener: a job that ends ``done`` costs its account what it used."""
        if job.status is not JobStatus.DONE or not job.credits_used:
            return
        with self._lock:
            if job.account in self._balances:
                self._balances[job.account] = round(self._balances[job.account] - job.credits_used, PLACES)

    def exhausted(self, account: str) -> bool:
        """True when the account has a balance and it is at or below zero."""
        with self._lock:
            balance = self._balances.get(account)
        return balance is not None and balance <= 0

    def get(self, account: str) -> float | None:
        with self._lock:
            return self._balances.get(account)

    def set(self, account: str, credits: float | None) -> None:
        """Set a balance; ``None`` makes the account unlimited again."""
        with self._lock:
            if credits is None:
                self._balances.pop(account, None)
            else:
                self._balances[account] = round(float(credits), PLACES)

    def view(self, account: str) -> dict[str, Any]:
        return {"api_id": account, "credits": self.get(account)}

    def all(self) -> dict[str, float]:
        with self._lock:
            return dict(sorted(self._balances.items()))

    def replace(self, balances: Mapping[str, float]) -> None:
        with self._lock:
            self._balances = {k: round(float(v), PLACES) for k, v in balances.items()}

    def reset(self) -> None:
        with self._lock:
            self._balances = dict(self._configured)
