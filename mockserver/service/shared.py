"""What a mock process does when its store is shared: placeholder until the Redis part lands."""

from __future__ import annotations

from typing import Any


def share(service: Any) -> Any:
    raise NotImplementedError
