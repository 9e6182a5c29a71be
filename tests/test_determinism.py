"""``make test`` sends the same inputs every run: every hypothesis test is derandomized (the ``ci`` profile, or an
explicit ``@seed``) and keeps no example database; the fuzz tests take their seeds from the checked-in list."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests

from .fuzzing import SEEDS_FILE, fixed_seeds, seeds


def hypothesis_tests() -> Iterator[tuple[str, Any]]:
    """Every ``@given`` test function (and method) of every test module, by its qualified name."""
    for info in pkgutil.walk_packages(tests.__path__, "tests."):
        if not info.name.rsplit(".", 1)[-1].startswith("test_"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            candidates = [value, *vars(value).values()] if isinstance(value, type) else [value]
            for fn in candidates:
                if (
                    callable(fn)
                    and hasattr(fn, "hypothesis")
                    and hasattr(fn, "_hypothesis_internal_use_settings")
                ):
                    yield f"{info.name}.{name}", fn


def test_the_suite_finds_its_hypothesis_tests() -> None:
    """The control: the walk sees the known ones, so the check below cannot pass on an empty list."""
    names = {name for name, _ in hypothesis_tests()}
    assert "tests.test_fuzz_http.test_any_json_body_gets_201_or_a_drf_400" in names
    assert len(names) >= 10


@pytest.mark.skipif(settings.get_current_profile_name() != "ci", reason="make fuzz explores on purpose")
def test_every_hypothesis_test_is_derandomized_without_a_database() -> None:
    loose = [
        name
        for name, fn in hypothesis_tests()
        if not (
            fn._hypothesis_internal_use_settings.derandomize or fn._hypothesis_internal_use_seed is not None
        )
        or fn._hypothesis_internal_use_settings.database is not None
    ]
    assert loose == [], "random on each run (set no derandomize/database; conftest's ci profile decides)"


def test_no_hypothesis_test_is_timed() -> None:
    """A deadline or the ``too_slow`` health check fails a test when the machine is busy, not when it is wrong."""
    timed = [
        name
        for name, fn in hypothesis_tests()
        if fn._hypothesis_internal_use_settings.deadline is not None
        or HealthCheck.too_slow not in fn._hypothesis_internal_use_settings.suppress_health_check
    ]
    assert timed == [], "timed by the wall clock (list HealthCheck.too_slow where health checks are listed)"


@pytest.mark.skipif(settings.get_current_profile_name() != "ci", reason="make fuzz explores on purpose")
def test_the_same_examples_every_run() -> None:
    """What derandomize promises, observed: two runs of one test draw the same values."""
    runs: list[list[int]] = []

    @settings(max_examples=20)
    @given(st.integers())
    def draw(value: int) -> None:
        runs[-1].append(value)

    for _ in range(2):
        runs.append([])
        draw()
    assert runs[0] == runs[1] and len(set(runs[0])) > 1


def test_the_fixed_seeds_are_read_from_the_checked_in_list(tmp_path: Path) -> None:
    listed = tmp_path / "seeds.txt"
    listed.write_text("# header\n7  # found a bug\n\n12\n")
    assert fixed_seeds(listed) == [7, 12]
    assert fixed_seeds(SEEDS_FILE) and len(set(fixed_seeds())) == len(fixed_seeds())


def test_fuzz_seed_replaces_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUZZ_SEED", raising=False)
    assert seeds() == fixed_seeds()
    monkeypatch.setenv("FUZZ_SEED", "424242")
    assert seeds() == [424242]


@pytest.mark.skipif(settings.get_current_profile_name() != "ci", reason="make fuzz explores on purpose")
def test_the_shipped_contract_suite_is_derandomized_in_this_run() -> None:
    """The contract kit's tests (run in-process by several of ours) follow the run's derandomized profile."""
    from contract_tests.profiles import contract_settings

    chosen = contract_settings(max_examples=3)
    assert chosen.derandomize and chosen.database is None


def test_schemathesis_runs_no_wall_clock_health_check() -> None:
    """``too_slow`` times data generation by the clock: seed 1061608792 failed it on a loaded machine and passes on
    an idle one. Speed is measured in ``make bench``, never asserted in a test."""
    from types import SimpleNamespace
    from typing import cast

    from mockserver.testing import MockServer

    from .test_egress_fuzz import schemathesis_egress_command
    from .test_schemathesis import schemathesis_command

    mock = cast(MockServer, SimpleNamespace(url="http://127.0.0.1:9", api_id="a", api_key="k"))
    for command in (schemathesis_command(mock, 1), schemathesis_egress_command("http://127.0.0.1:9", "1")):
        assert command[command.index("--suppress-health-check") + 1] == "too_slow", command
