"""Schemathesis against the live mock's own ``/openapi.json``: every check, every phase (stateful too), no failure.

Bounded here (25 examples per operation) so it fits in ``make test``: the examples and coverage phases once (their
cases follow from the document, not the seed: the costliest part, some 2,500 requests), fuzzing and stateful once
per seed of ``tests/fuzz_seeds.txt`` — the same inputs every run, every seed that ever found a failure among them.
``make fuzz`` runs every phase with fresh seeds (``FUZZ_RUNS``, default 3, each printed; ``FUZZ_SEED=N`` replays
one) with ``FUZZ_EXAMPLES`` and a ``FUZZ_MAX_TIME`` budget. Schemathesis runs as its own process (its CLI), without an example
database, against a mock served on 127.0.0.1 by this one and seeded with the same seed (the same job ids).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.testing import MockServer

from .fuzzing import seeds

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
#: ``make fuzz`` only: a time budget makes Schemathesis repeat fuzzing and stateful runs until it is spent.
MAX_TIME = int(os.environ.get("FUZZ_MAX_TIME", "0"))
#: A hang guard, not a speed check: a coverage run takes some 40 s of CPU, several minutes on a loaded machine.
TIMEOUT = 600 + MAX_TIME
PHASES = "examples,coverage,fuzzing,stateful"
#: The phases whose cases depend on the seed, run once per seed of the list; the others once in all.
SEEDED_PHASES = "fuzzing,stateful"
#: Generated webhook_url values name arbitrary hosts: the mock must never call them.
LOOPBACK_ONLY = "127.0.0.1,localhost,::1"
#: Where ``tests.schemathesis_hooks`` is importable from (Schemathesis runs in a temporary directory).
ROOT = os.pathsep.join(
    p for p in (str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")) if p
)


def runs() -> list[tuple[str, int]]:
    """(phases, seed) pairs: every phase with ``FUZZ_SEED`` when set, else the fixed list as described above."""
    chosen = seeds()
    if os.environ.get("FUZZ_SEED"):
        return [(PHASES, chosen[0])]
    return [("examples,coverage", chosen[0]), *((SEEDED_PHASES, seed) for seed in chosen)]


def schemathesis_command(mock: MockServer, seed: int, phases: str = PHASES) -> list[str]:
    return [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{mock.url}/openapi.json",
        "--header",
        f"X-API-ID: {mock.api_id}",
        "--header",
        f"X-API-KEY: {mock.api_key}",
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(seed),
        "--generation-database",
        "none",
        "--suppress-health-check",
        "too_slow",  # times generation by the wall clock (seed 1061608792 failed it under load): make bench's job
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
        *(["--max-time", str(MAX_TIME)] if MAX_TIME else []),
    ]


def run_schemathesis(mock: MockServer, seed: int, phases: str, cwd: Path) -> tuple[int | None, str]:
    """Its exit code (None when it outlived ``TIMEOUT`` and was killed) and the tail of what it printed."""
    process = subprocess.Popen(
        schemathesis_command(mock, seed, phases),
        cwd=cwd,  # its reports and caches stay out of the checkout
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={
            **os.environ,
            "NO_COLOR": "1",
            "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
            "PYTHONPATH": ROOT,
        },
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=30)
        return None, f"killed after {TIMEOUT} s; it had printed:\n{output[-8000:]}"
    return process.returncode, output[-10000:]


@pytest.mark.timeout(TIMEOUT + 60)
@pytest.mark.parametrize(("phases", "seed"), runs())
def test_schemathesis_finds_no_failure(tmp_path: Path, phases: str, seed: int) -> None:
    print(f"schemathesis seed {seed}, {phases} (replay: FUZZ_SEED={seed} make fuzz FUZZ_RUNS=1)")
    with MockServer(timing="instant", webhook_allow_hosts=LOOPBACK_ONLY, seed=seed) as mock:
        code, output = run_schemathesis(mock, seed, phases, tmp_path)
    replay = f"schemathesis seed {seed}, {phases}: replay with FUZZ_SEED={seed} make fuzz FUZZ_RUNS=1\n"
    assert code == 0, replay + output
