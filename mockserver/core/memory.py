"""Giving memory back after a reset: a mock that held 25k jobs should not keep their pages for the rest of the run.

CPython frees the objects, but glibc's allocator keeps the freed arenas mapped (RSS stays high) until asked with
``malloc_trim``; elsewhere (musl, macOS, Windows) only the garbage collection runs. Measured figures are in
docs/security.md.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import sys

log = logging.getLogger("creatify_mock")


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> object | None:
    """glibc's ``malloc_trim``, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_memory() -> None:
    """Collect cycles, then hand freed heap pages back to the system (glibc); never raises."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        try:
            trim(0)  # type: ignore[operator]
        except OSError:  # pragma: no cover - a libc without a working malloc_trim
            log.debug("malloc_trim failed", exc_info=True)
