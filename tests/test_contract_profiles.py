"""The shipped suite's hypothesis settings follow the profile of the run, whatever imported its modules before."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator

import pytest

from contract_tests import profiles

MODULE = "contract_tests.test_lifecycle"


def examples(module_name: str) -> int:
    test = importlib.import_module(module_name).test_varied_jobs_move_forward_to_a_stable_end
    return int(test._hypothesis_internal_use_settings.max_examples)


@pytest.fixture
def restored() -> Iterator[None]:
    kept = sys.modules.get(MODULE)
    yield
    profiles.activate("mock")
    if kept is not None:
        sys.modules[MODULE] = kept


def test_a_module_imported_under_another_profile_is_imported_again(restored: None) -> None:
    profiles.activate("mock")
    assert examples(MODULE) == 6  # the test's own cap below the mock profile's 25
    profiles.activate("live")
    assert MODULE not in sys.modules
    assert examples(MODULE) == 2
