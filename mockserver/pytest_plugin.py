"""pytest plugin (entry point ``creatify_mock``): a live mock for any test suite in one fixture.

- ``creatify_mock``: a running mock for the test's ``creatify_mock_options``, emptied before the test; rules the
  test added are removed after it. One server per distinct set of options, shared for the session, so an
  override in a sub-directory's ``conftest.py`` (any scope) gets a mock of its own, whatever ran before.
- ``creatify_mock_factory(**options)``: a fresh mock with exactly these options, stopped when the test ends.
- ``creatify_mock_options``: override it to change the settings, e.g. ``return {"timing": "manual"}``.
- ``webhook_receiver``: a real webhook endpoint on 127.0.0.1 for this test (``WebhookReceiver``): records calls,
  verifies signatures once given ``.secret``, fails on demand, waits for N calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the server is imported only when a test asks for it, so loading the plugin stays cheap
    from mockserver.testing import MockServer, WebhookReceiver


class _Servers:
    """The session's shared mocks, one per distinct set of options, started on first use."""

    def __init__(self) -> None:
        self._servers: dict[str, MockServer] = {}

    def get(self, options: dict[str, Any]) -> MockServer:
        from mockserver.testing import MockServer

        key = json.dumps(options, sort_keys=True, default=repr)
        if key not in self._servers:
            self._servers[key] = MockServer(**options).start()
        return self._servers[key]

    def close(self) -> None:
        errors = []
        for server in self._servers.values():
            try:
                server.stop()
            except RuntimeError as exc:  # a background thread failed: report it after stopping the rest
                errors.append(exc)
        self._servers.clear()
        if errors:
            raise errors[0]


@pytest.fixture(scope="session")
def creatify_mock_options() -> dict[str, Any]:
    """Settings for the mock (keyword arguments of ``MockServer``); instant timing so jobs finish on the next
    read. Override it in a ``conftest.py`` or a test module, in any scope."""
    return {"timing": "instant"}


@pytest.fixture(scope="session")
def _creatify_mock_servers() -> Iterator[_Servers]:
    servers = _Servers()
    yield servers
    servers.close()


@pytest.fixture(scope="session")
def creatify_mock_server(
    creatify_mock_options: dict[str, Any], _creatify_mock_servers: _Servers
) -> MockServer:
    """The session's mock for the session-wide options, not emptied between tests: prefer ``creatify_mock``."""
    return _creatify_mock_servers.get(creatify_mock_options)


@pytest.fixture
def creatify_mock(
    request: pytest.FixtureRequest, creatify_mock_options: dict[str, Any], _creatify_mock_servers: _Servers
) -> Iterator[MockServer]:
    """The mock for this test's options, emptied before the test; rules the test added are gone after it."""
    server = _creatify_mock_servers.get(creatify_mock_options)
    if "creatify_mock_server" in request.fixturenames:
        shared = request.getfixturevalue("creatify_mock_server")
        if shared is not server:
            pytest.fail(
                "creatify_mock_server was started with other options than this test's creatify_mock_options "
                f"({creatify_mock_options!r}): a session fixture keeps the options it first saw. Use "
                "creatify_mock (or creatify_mock_factory) alone.",
                pytrace=False,
            )
    server.reset()
    yield server
    server.restore_rules()


@pytest.fixture
def creatify_mock_factory() -> Iterator[Callable[..., MockServer]]:
    """``creatify_mock_factory(**options)``: a new running mock with exactly these options (``MockServer``'s
    keyword arguments), stopped at the end of the test; background errors are raised then."""
    from mockserver.testing import MockServer

    started: list[MockServer] = []

    def make(**options: Any) -> MockServer:
        server = MockServer(**options).start()
        started.append(server)
        return server

    yield make
    errors = []
    for server in reversed(started):
        try:
            server.stop()
        except RuntimeError as exc:
            errors.append(exc)
    if errors:
        raise errors[0]


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A started ``WebhookReceiver`` for this test: give ``webhook_receiver.url`` as a job's ``webhook_url``;
    set ``.secret`` to verify signatures, ``.fail(...)`` to make the next calls fail."""
    from mockserver.testing import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver
