"""An HTTP client for the text generation API that runs the response checks on every answer it gets.

Sending is decoupled from generation: a strategy builds a body, this client sends it to whatever base URL it
was given (the embedded mock, the real API, a proxy) and turns each answer into a checked ``Exchange``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
import requests

from .checks import Exchange, check_response, check_status, check_timestamps_order
from .checks_job import check_created_pending, check_echo
from .reach import connection_failure
from .report import Report

API = "/api/text_generator/"
MAX_RETRY_AFTER = 30.0  # seconds: a longer Retry-After is not waited for, the 429 is reported instead
MAX_429_RETRIES = 3


class Budget:
    """How many jobs a run may create (each costs credits on the real API); ``None`` means unbounded.

    The documented checks run first and take what they need. Variety (hypothesis) tests stop ``reserve`` jobs
    short of the limit, so observations of undocumented rules still get a few jobs; every refusal is a skip
    whose reason the summary lists, so a small budget never hides what it left out.
    """

    def __init__(self, limit: int | None, reserve: int = 0) -> None:
        self.limit = limit
        self.reserve = 0 if limit is None else min(reserve, limit)
        self.used = 0
        self.variety = False  # set by the plugin while a contract_variety test runs
        self._lock = threading.Lock()

    @property
    def remaining(self) -> int | None:
        """Jobs the current test may still create (variety tests do not see the reserve)."""
        if self.limit is None:
            return None
        return max(0, self.limit - self.used - (self.reserve if self.variety else 0))

    def take(self) -> None:
        """Spend one job, or skip the calling test when the budget is gone."""
        with self._lock:
            if self.remaining == 0:
                kept = f" ({self.reserve} kept for observations)" if self.variety and self.reserve else ""
                pytest.skip(
                    f"job budget exhausted: {self.used} of --contract-max-jobs {self.limit} jobs created{kept}"
                )
            self.used += 1

    def charge(self) -> None:
        """Count a job the run did not mean to create (an invalid request the target accepted); never skips."""
        with self._lock:
            self.used += 1


class ContractClient:
    """Requests with one account's credentials; every answer is checked, 429s are waited out (bounded)."""

    def __init__(
        self,
        base_url: str,
        api_id: str,
        api_key: str,
        *,
        budget: Budget | None = None,
        report: Report | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"X-API-ID": api_id, "X-API-KEY": api_key}
        self.budget = budget or Budget(None)
        self.report = report or Report(self.base_url)
        self.timeout = timeout
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        credentials: bool = True,
        kind: str | None = None,
        check: bool = True,
        **kwargs: Any,
    ) -> Exchange:
        """One call (429 answers waited out and retried); the answer is checked as ``kind`` (job, job_list)
        unless ``check`` is false (observations of undocumented behaviour are recorded, never judged)."""
        __tracebackhide__ = True
        sent = {**(self.headers if credentials else {}), **(headers or {})}
        url = self.base_url + path
        for attempt in range(MAX_429_RETRIES + 1):
            try:
                response = self._session.request(
                    method,
                    url,
                    json=json,
                    headers=sent,
                    timeout=self.timeout,
                    allow_redirects=False,
                    **kwargs,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                pytest.fail(connection_failure(url, exc), pytrace=False)
            if response.status_code != 429 or attempt == MAX_429_RETRIES:
                break
            time.sleep(self._retry_after(response))
        exchange = to_exchange(response, json)
        self._observe_headers(exchange)
        if check:
            check_response(exchange, kind)
        return exchange

    def _retry_after(self, response: requests.Response) -> float:
        raw = response.headers.get("Retry-After", "1")
        self.report.observe("rate_limit_429", {"retry_after": raw, "body": response.text[:200]})
        try:
            return min(MAX_RETRY_AFTER, max(0.0, float(raw)))
        except ValueError:
            return 1.0

    def _observe_headers(self, exchange: Exchange) -> None:
        names = sorted(k.lower() for k in exchange.headers)
        self.report.observe("response_header_names", names)

    # -- the documented calls -------------------------------------------------------------------------------
    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a valid body: 201, a pending job that echoes the request."""
        __tracebackhide__ = True
        self.budget.take()
        exchange = self.send("POST", API, json=dict(body), kind="job")
        check_status(exchange, 201, "create")
        check_created_pending(exchange.body, exchange)
        check_echo(body, exchange.body, exchange)
        with self.report.reported("api.timestamps"):
            check_timestamps_order(exchange.body, exchange)
        return dict(exchange.body)

    def read(self, job_id: str) -> tuple[dict[str, Any], Exchange]:
        """GET one job: 200 and a valid job."""
        __tracebackhide__ = True
        exchange = self.send("GET", f"{API}{job_id}/", kind="job")
        check_status(exchange, 200, "read")
        with self.report.reported("api.timestamps"):
            check_timestamps_order(exchange.body, exchange)
        return dict(exchange.body), exchange

    def list(self, ids: list[str] | None = None) -> Exchange:
        """GET the list (``ids=`` when given); the caller decides what a non-200 means (the endpoint is assumed)."""
        __tracebackhide__ = True
        params = {"ids": ",".join(ids)} if ids else None
        return self.send("GET", API, params=params, kind="job_list")


def to_exchange(response: requests.Response, request_body: Any = None) -> Exchange:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    return Exchange(
        method=response.request.method or "",
        url=response.url,
        status=response.status_code,
        headers=dict(response.headers),
        body=body,
        text=response.text,
        request_body=request_body,
    )
