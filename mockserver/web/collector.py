"""The garbage collector while the server owns the process (the CLI, never an embedded ``MockServer``).

Python's cyclic collector walks containers to find reference cycles. A mock under load keeps thousands of jobs
(five containers each) that never form cycles, and with the default policy those jobs were walked again and again:
every 20 young collections a middle one of ~100,000 objects (~35 ms on this machine), and full ones as the heap grew.
Measured on POST create under ``wrk -c4`` (server pinned to one core): with collections, p99 7-14 ms and
p99.9 ~37 ms; with young collections only, p99 3.9 ms and p99.9 5.8 ms; with none, 1.5 / 2.8 ms.

So: what exists at startup is frozen (Flask, jsonschema, Faker: long-lived), young collections stay frequent (they
free short-lived cycles as before), objects that survive one are not walked again by an automatic collection, and
a full collection runs every ``FULL_EVERY`` seconds (and on every reset that forgets many jobs,
``core.memory``): cycles among older objects are freed then, not never.
"""

from __future__ import annotations

import asyncio
import gc
import sys

#: (young, middle, old): only young collections run on their own (the others' counts are never reached).
THRESHOLDS = (5_000, 1_000_000_000, 1_000_000_000)
#: Seconds between full collections (each walks every stored job: ~0.1 s at 100,000 jobs).
FULL_EVERY = 300.0
#: How long a thread may hold the GIL when another wants it (Python's default: 5 ms): the event loop answers
#: every held connection, so it should not wait that long behind a pool thread.
SWITCH_INTERVAL = 0.001


def tune() -> None:
    """Freeze what exists now and set the thresholds; process-wide, so only for a server that owns the process."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL)


async def collect_fully(every: float = FULL_EVERY) -> None:
    """A full collection every ``every`` seconds, on the event loop, until cancelled (the server stopping)."""
    while True:
        await asyncio.sleep(every)
        gc.collect()
