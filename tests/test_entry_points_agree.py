"""The admin API and MockServer are two doors to one facade: the same move through each gives the same state."""

from __future__ import annotations

import requests

from mockserver.core.clock import FrozenClock
from mockserver.testing import MockServer
from tests.conftest import Client, valid_body

TIMEOUT = 10


def test_a_balance_set_through_either_entry_point_is_charged_alike() -> None:
    """Regression: PUT /__admin/accounts re-watched running jobs, MockServer.set_credits did not (9.9966 vs 10)."""
    with MockServer(timing="realtime", pending_seconds=1, running_seconds=2, clock=FrozenClock()) as mock:
        by_http, by_python = "team-http", "team-python"
        for account in (by_http, by_python):
            Client(mock, api_id=account).create(valid_body())
        mock.advance_clock(1.5)  # both jobs running, no balance yet
        put = requests.put(f"{mock.url}/__admin/accounts/{by_http}", json={"credits": 10}, timeout=TIMEOUT)
        assert put.status_code == 200, put.text
        mock.set_credits(by_python, 10)
        mock.advance_clock(5)  # both end, and nobody reads them
        over_http = {
            a: requests.get(f"{mock.url}/__admin/accounts/{a}", timeout=TIMEOUT).json()["credits"]
            for a in (by_http, by_python)
        }
        in_python = {a: mock.credits(a) for a in (by_http, by_python)}
        assert over_http == in_python
        assert over_http[by_http] == over_http[by_python] < 10
