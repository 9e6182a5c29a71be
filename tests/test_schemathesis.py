"""Schemathesis against the live mock's own ``/openapi.json``: every check, every phase (stateful too), no failure.

Bounded here (25 examples per operation: a few seconds a seed) so it fits in ``make test``, once per seed of
``tests/fuzz_seeds.txt``: the same inputs every run, every seed that ever found a failure among them. ``make fuzz``
runs it with fresh seeds (``FUZZ_RUNS``, default 3, each printed; ``FUZZ_SEED=N`` replays one) with
``FUZZ_EXAMPLES`` and a ``FUZZ_MAX_TIME`` budget. Schemathesis runs as its own process (its CLI), without an example
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
TIMEOUT = 120 + MAX_TIME
PHASES = "examples,coverage,fuzzing,stateful"
#: Generated webhook_url values name arbitrary hosts: the mock must never call them.
LOOPBACK_ONLY = "127.0.0.1,localhost,::1"
#: Where ``tests.schemathesis_hooks`` is importable from (Schemathesis runs in a temporary directory).
ROOT = os.pathsep.join(
    p for p in (str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")) if p
)


def schemathesis_command(mock: MockServer, seed: int) -> list[str]:
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
        PHASES,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(seed),
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
        *(["--max-time", str(MAX_TIME)] if MAX_TIME else []),
    ]


@pytest.mark.timeout(TIMEOUT + 30)
@pytest.mark.parametrize("seed", seeds())
def test_schemathesis_finds_no_failure(tmp_path: Path, seed: int) -> None:
    print(f"schemathesis seed {seed} (replay: FUZZ_SEED={seed} make fuzz FUZZ_RUNS=1)")
    with MockServer(timing="instant", webhook_allow_hosts=LOOPBACK_ONLY, seed=seed) as mock:
        result = subprocess.run(
            schemathesis_command(mock, seed),
            cwd=tmp_path,  # its reports and caches stay out of the checkout
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env={
                **os.environ,
                "NO_COLOR": "1",
                "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
                "PYTHONPATH": ROOT,
            },
        )
    replay = f"schemathesis seed {seed}: replay with FUZZ_SEED={seed} make fuzz FUZZ_RUNS=1\n"
    assert result.returncode == 0, replay + result.stdout[-8000:] + result.stderr[-2000:]
