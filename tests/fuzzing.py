"""Which seeds the fuzz tests run with: the checked-in list (``tests/fuzz_seeds.txt``), or one that ``make fuzz``
chose (``FUZZ_SEED``), so ``make test`` sends the same inputs every run and a fresh seed is always printed."""

from __future__ import annotations

import os
from pathlib import Path

SEEDS_FILE = Path(__file__).with_name("fuzz_seeds.txt")


def fixed_seeds(path: Path = SEEDS_FILE) -> list[int]:
    """Every seed in the list, in order: one a line, ``#`` starts a comment."""
    seeds = []
    for line in path.read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            seeds.append(int(text))
    return seeds


def seeds() -> list[int]:
    """``FUZZ_SEED`` alone when set (``make fuzz`` and replays), else the fixed list."""
    chosen = os.environ.get("FUZZ_SEED", "").strip()
    return [int(chosen)] if chosen else fixed_seeds()
