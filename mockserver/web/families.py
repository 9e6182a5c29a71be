"""Which API family a path belongs to, and each family's error shape.

``/api/`` is Django REST Framework (``{"detail": ...}``); ``/sse/`` is an async service answering
``{"error": ...}``. Shared steps (authentication, limits, scenario faults, error handlers) build the DRF shape
and pass it through ``shaped`` on the way out, so the two families cannot drift apart.
"""

from __future__ import annotations

from typing import Any

API, SSE = "api", "sse"


def family_of(path: str) -> str | None:
    """``api``, ``sse`` or None for the mock's own paths; leading slashes are ignored as werkzeug routes them."""
    head = path.lstrip("/")
    if head.startswith("api/"):
        return API
    if head.startswith("sse/"):
        return SSE
    return None


def shaped(path: str, body: Any) -> Any:
    """A ``{"detail": text}`` body as the family of ``path`` words it; every other body as it is."""
    if (
        family_of(path) == SSE
        and isinstance(body, dict)
        and len(body) == 1
        and isinstance(body.get("detail"), str)
    ):
        return {"error": body["detail"]}
    return body
