"""The server's collector policy (web/collector.py): frozen startup, young collections only on their own, and a
full collection on a timer so that cycles among older objects are still freed."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from typing import Any

from mockserver.web import collector

CHECK = """
import gc, sys
from mockserver.web import collector
collector.tune()
assert gc.get_threshold() == collector.THRESHOLDS, gc.get_threshold()
assert gc.get_freeze_count() > 1000, gc.get_freeze_count()  # Flask, jsonschema... out of the collector's sight
assert sys.getswitchinterval() == collector.SWITCH_INTERVAL
print("ok")
"""


def test_tune_freezes_startup_and_leaves_only_young_collections_automatic() -> None:
    # process-wide settings: checked in a process of their own
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    young, middle, old = collector.THRESHOLDS
    assert young < 100_000 < middle and old >= middle


def test_a_full_collection_runs_on_the_timer_until_cancelled() -> None:
    full: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(1)

    async def run() -> None:
        task = asyncio.get_running_loop().create_task(collector.collect_fully(0.01))
        for _ in range(500):  # bounded: at most 5 s
            if len(full) >= 2:
                break
            await asyncio.sleep(0.01)
        task.cancel()

    gc.callbacks.append(seen)
    try:
        asyncio.run(run())
    finally:
        gc.callbacks.remove(seen)
    assert len(full) >= 2
