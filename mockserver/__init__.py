"""creatify-mock: a local mock of Creatify's text generation API.

``import mockserver`` imports no web framework: ``create_app`` (the Flask app) is loaded on first use, so the
configuration, core and contract data can be used on their own (``mockserver.config.Settings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.config.settings import Settings

if TYPE_CHECKING:
    from mockserver.web.app import create_app

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from mockserver.web.app import create_app

        return create_app
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
