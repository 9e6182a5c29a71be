"""Fixtures: a live mock on 127.0.0.1 with a frozen clock, and a client that checks every response.

Hypothesis runs under the ``ci`` profile unless ``--hypothesis-profile`` names another: derandomized (each test's
examples follow from its own name, the same every run and on every machine) and without an example database (no
state carried from one run to the next, nothing shared between xdist workers). ``make fuzz`` uses ``fuzz``: fresh
examples from ``--hypothesis-seed=N``, which it prints; docs/testing.md says how to pin what a seed finds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpcore  # noqa: F401  (why: below, at HTTPCORE)
import pytest
import requests
from hypothesis import HealthCheck, settings

from mockserver.contract import schemas
from mockserver.core.clock import FrozenClock
from mockserver.testing import MockServer

API = "/api/text_generator/"
TIMEOUT = 10
#: HTTPCORE: imported above, before any test runs: httpx imports httpcore only when its first client is made, and caches
#: httpcore's exception classes then. Were that first client made inside a pytester in-process run (the contract
#: suite's), pytester would drop httpcore from ``sys.modules`` afterwards; the next import would make new classes
#: httpx no longer maps, and a refused connection would escape as a raw ``httpcore.ConnectError`` (a recorder
#: answering 500 instead of 502, a dropped stream failing the SSE client) in whichever tests ran next.

#: Nothing timed either: no deadline, no ``too_slow`` health check (a loaded machine fails them; speed is
#: measured by ``make bench``). A test that lists health checks to suppress lists ``too_slow`` among them.
_UNTIMED: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, database=None, **_UNTIMED)
#: A fresh seed (``--hypothesis-seed``), still no database: what a seed finds is pinned with ``@example``.
settings.register_profile("fuzz", derandomize=False, database=None, **_UNTIMED)
settings.load_profile("ci")


def schema_for(method: str, path: str, status: int) -> str | None:
    """Which schema a mock response must satisfy."""
    if status >= 400:
        return None  # error_detail or error_fields, checked below
    if path.startswith(API) and method in ("GET", "POST"):
        return "job_list" if path == API and method == "GET" else "job"
    return None


def check_response(method: str, path: str, response: requests.Response) -> None:
    """Every mock answer is JSON and valid against schemas/ (jobs, lists, and both error shapes)."""
    assert response.headers["Content-Type"] == "application/json", response.headers
    body = response.json()
    name = schema_for(method, path, response.status_code)
    if name is not None:
        schemas.validate(name, body)
    elif response.status_code >= 400 and not schemas.validator("error_detail").is_valid(body):
        schemas.validate("error_fields", body)


class Client:
    """requests against a live mock; checks every response against the schemas."""

    def __init__(self, mock: MockServer, api_id: str | None = None, api_key: str | None = None) -> None:
        self.mock = mock
        self.session = requests.Session()
        self.session.headers.update({"X-API-ID": api_id or mock.api_id, "X-API-KEY": api_key or mock.api_key})

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        response = self.session.request(method, self.mock.url + path, allow_redirects=False, **kwargs)
        check_response(method, path, response)
        return response

    def post(self, path: str = API, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def get(self, path: str = API, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def create(self, body: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        response = self.post(json=body if body is not None else valid_body(**fields))
        assert response.status_code == 201, response.text
        return response.json()

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.get(f"{API}{job_id}/")
        assert response.status_code == 200, response.text
        return response.json()


def valid_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model_name": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": "Say hi"}],
    }
    body.update(fields)
    return body


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def mock_options() -> dict[str, Any]:
    """Override per module/test to change the live mock's settings."""
    return {}


@pytest.fixture
def mock(clock: FrozenClock, mock_options: dict[str, Any]) -> Iterator[MockServer]:
    with MockServer(clock=clock, **mock_options) as server:
        yield server


@pytest.fixture
def client(mock: MockServer) -> Client:
    return Client(mock)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for the whole session (127.0.0.1, a free port, no persistence), stopped by PID."""
    from .redis_server import RedisServer

    with RedisServer() as server:
        yield server.url


def wait_until(check: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    """Poll ``check`` until it holds or ``timeout`` passes (bounded); its last verdict."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()
