"""pytest plugin (entry point ``creatify_mock``): a live mock for any test suite in one fixture.

One server per session, reset before every test. Override ``creatify_mock_options`` (session scope) in a
``conftest.py`` to change its settings, e.g. ``return {"timing": "manual"}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the server is imported only when a test asks for it, so loading the plugin stays cheap
    from mockserver.testing import MockServer


@pytest.fixture(scope="session")
def creatify_mock_options() -> dict[str, Any]:
    """Settings for the session's mock; instant timing by default so jobs finish on the next read."""
    return {"timing": "instant"}


@pytest.fixture(scope="session")
def creatify_mock_server(creatify_mock_options: dict[str, Any]) -> Iterator[MockServer]:
    from mockserver.testing import MockServer

    with MockServer(**creatify_mock_options) as server:
        yield server


@pytest.fixture
def creatify_mock(creatify_mock_server: MockServer) -> Iterator[MockServer]:
    """The session's mock, emptied before the test."""
    creatify_mock_server.reset()
    yield creatify_mock_server
