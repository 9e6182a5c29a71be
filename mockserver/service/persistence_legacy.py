"""The state file's older format: one JSON document (what ``GET /__admin/state`` answers), rewritten whole.

A file in that format is still loaded: it is checked as before (a damaged or foreign one stops startup and is
left alone), then converted once to the SQLite format, the JSON kept beside it as ``<name>.v1.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.core import jsonio
from mockserver.core.snapshots import STATE_VERSION
from mockserver.service.facade import MockService

Refuse = Callable[[str], Exception]


def parse(raw: bytes, service: MockService, refuse: Refuse) -> dict[str, Any]:
    """The JSON state document, checked against ``schemas/admin_state.schema.json``; ``refuse(why)`` if not."""
    try:  # the standard library: a stored request may nest as deep as the API allowed, plus the wrapper
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise refuse(f"it is damaged (not JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION or "jobs" not in data:
        raise refuse(
            f"it is not a creatify-mock state (version {STATE_VERSION} with jobs, as GET /__admin/state gives)"
        )
    errors = service.body_errors("admin_state", data)
    if errors is not None:
        raise refuse(f"it does not match schemas/admin_state.schema.json: {jsonio.dumps(errors)[:300]!r}")
    return data


def backup(path: Path) -> Path:
    """Copy the JSON file beside itself (``<name>.v1.json``, or a numbered name when taken), synced to disk."""
    target = path.with_name(f"{path.name}.v1.json")
    for n in range(2, 1000):  # bounded: a thousand conversions of one file is already absurd
        if not target.exists():
            break
        target = path.with_name(f"{path.name}.v1-{n}.json")
    shutil.copyfile(path, target)
    with open(target, "rb") as f:
        os.fsync(f.fileno())
    return target


def remove(path: Path) -> None:
    """A half-written conversion (and its WAL) from an earlier attempt."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def sync_folder(folder: Path) -> None:
    """Make a rename itself durable (POSIX); a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
