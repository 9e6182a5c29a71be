"""Where the mock keeps its state: ``open_storage`` picks the store the ``store`` setting names.

``memory`` (the default) keeps everything in this process; ``redis://HOST:PORT/DB`` (or ``rediss://``,
``unix://``) keeps it in any Redis-protocol server, shared by every mock process that names the same server and
``store_prefix``. redis-py is imported only when a Redis store is asked for.
"""

from __future__ import annotations

from mockserver.config.settings import Settings
from mockserver.core.clock import Clock
from mockserver.core.storage.base import Storage, StoreError
from mockserver.core.storage.memory import open_memory
from mockserver.core.store import Finisher

__all__ = ["Storage", "StoreError", "is_shared", "open_storage"]


def is_shared(uri: str) -> bool:
    """True for a store other processes can share (a Redis URI)."""
    return uri.split("://", 1)[0] in ("redis", "rediss", "unix")


def open_storage(settings: Settings, finisher: Finisher, clock: Clock | None = None) -> Storage:
    """The bundle the ``store`` setting names; a Redis store is checked (PING) before anything starts."""
    if not is_shared(settings.store):
        return open_memory(settings, finisher, clock)
    from mockserver.core.storage.redis_open import open_redis  # redis-py only when asked for

    return open_redis(settings, finisher, clock)
