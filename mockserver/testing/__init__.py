"""Entry points for test suites: ``MockServer`` (a live mock in a thread), ``WebhookReceiver`` (a real webhook
endpoint that records, verifies and fails on demand) and the pytest plugin.

``MockServer`` is loaded on first use, so loading the pytest plugin (``mockserver.pytest_plugin``, in every pytest run of a project that installed
creatify-mock) imports no web framework until a test asks for the mock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.testing.server import (
        DEFAULT_API_ID,
        DEFAULT_API_KEY,
        LOOPBACK_HOSTS,
        JobConflict,
        MockServer,
        ScenarioError,
    )
    from mockserver.testing.webhooks import Fault, WebhookCall, WebhookReceiver

__all__ = [
    "DEFAULT_API_ID",
    "DEFAULT_API_KEY",
    "LOOPBACK_HOSTS",
    "Fault",
    "JobConflict",
    "MockServer",
    "ScenarioError",
    "WebhookCall",
    "WebhookReceiver",
]
#: Names served by ``mockserver.testing.webhooks`` rather than ``server`` (both loaded on first use).
_WEBHOOKS = frozenset({"Fault", "WebhookCall", "WebhookReceiver"})


def __getattr__(name: str) -> Any:
    if name in _WEBHOOKS:
        from mockserver.testing import webhooks

        return getattr(webhooks, name)
    if name in __all__:
        from mockserver.testing import server

        return getattr(server, name)
    raise AttributeError(f"module 'mockserver.testing' has no attribute {name!r}")
