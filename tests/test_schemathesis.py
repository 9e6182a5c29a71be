"""Schemathesis against the live mock's own ``/openapi.json``: every check, every phase (stateful too), no failure.

Bounded here (25 examples per operation: a few seconds) so it fits in ``make test``, with a fresh seed each run
(printed, and in the failure message; ``FUZZ_SEED=N`` replays one); ``make fuzz`` runs it several times
(``FUZZ_RUNS``, default 3, each with its own seed) with ``FUZZ_EXAMPLES`` and a ``FUZZ_MAX_TIME`` budget.
Schemathesis runs as its own process (its CLI) against a mock served on 127.0.0.1 by this one.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.testing import MockServer

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
#: ``make fuzz`` only: a time budget makes Schemathesis repeat fuzzing and stateful runs until it is spent.
MAX_TIME = int(os.environ.get("FUZZ_MAX_TIME", "0"))
TIMEOUT = 120 + MAX_TIME
#: A new seed every run unless FUZZ_SEED replays one: a fixed seed finds the same few inputs forever.
SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(1, 2**31))
PHASES = "examples,coverage,fuzzing,stateful"
#: Generated webhook_url values name arbitrary hosts: the mock must never call them.
LOOPBACK_ONLY = "127.0.0.1,localhost,::1"
#: Where ``tests.schemathesis_hooks`` is importable from (Schemathesis runs in a temporary directory).
ROOT = os.pathsep.join(
    p for p in (str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")) if p
)


def schemathesis_command(mock: MockServer) -> list[str]:
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
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
        *(["--max-time", str(MAX_TIME)] if MAX_TIME else []),
    ]


@pytest.mark.timeout(TIMEOUT + 30)
def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    print(f"schemathesis seed {SEED} (replay: FUZZ_SEED={SEED} make fuzz FUZZ_RUNS=1)")
    with MockServer(timing="instant", webhook_allow_hosts=LOOPBACK_ONLY) as mock:
        result = subprocess.run(
            schemathesis_command(mock),
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
    replay = f"schemathesis seed {SEED}: replay with FUZZ_SEED={SEED}\n"
    assert result.returncode == 0, replay + result.stdout[-8000:] + result.stderr[-2000:]
