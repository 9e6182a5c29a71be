"""The installed version, for health answers and the webhook User-Agent."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version


@cache
def mock_version() -> str:
    try:
        return version("creatify-mock")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        return "0+unknown"
