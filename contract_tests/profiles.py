"""Hypothesis profiles for contract runs: ``mock`` (many examples, cheap) and ``live`` (few, slow, costs credits).

The plugin picks one per run (by target, or ``--contract-profile``) before the suite is imported; the shipped tests
take their settings from ``contract_settings()`` so the project's own hypothesis tests are never affected.
``live`` does not shrink a failure (each step would create more jobs). Neither profile has a deadline:
response times belong to the target, not to the test. Clients wait out 429 ``Retry-After`` answers (client.py).
Examples are fresh each run unless ``--hypothesis-seed=N`` fixes them, or the run's default profile is derandomized
(a project's own CI profile, as in this project's tests): then the suite is derandomized too.
"""

from __future__ import annotations

import sys
from typing import Any

from hypothesis import HealthCheck, Phase, settings

PROFILES: dict[str, dict[str, Any]] = {
    "mock": {"max_examples": 25, "stateful_step_count": 10},
    # no shrinking against a live API: every shrink step creates jobs, which cost credits and minutes
    "live": {"max_examples": 2, "stateful_step_count": 5, "phases": (Phase.explicit, Phase.generate)},
}
_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,  # a contract run leaves no example database behind in the user's directory
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    "print_blob": True,
}
_active = ["mock"]


def register() -> None:
    derandomize = settings().derandomize  # the run's default profile decides (none of ours is loaded)
    for name, values in PROFILES.items():
        settings.register_profile(name, **_COMMON, derandomize=derandomize, **values)


def activate(name: str) -> None:
    """Make ``name`` the profile of the shipped suite (the plugin calls this at configure time)."""
    if name not in PROFILES:
        raise ValueError(f"unknown contract profile {name!r}; known: {', '.join(PROFILES)}")
    register()
    _active[0] = name
    forget_suite_modules()


def forget_suite_modules() -> None:
    """Let the suite's modules be imported afresh, so their examples follow the profile chosen now.

    A test's hypothesis settings are fixed when its module is imported. A module imported before the run chose
    its profile (by a tool reading the rule table, or by an earlier run in the same process) would keep the
    other profile's settings: a ``live`` run would draw the ``mock`` profile's 25 examples and shrink each
    failure, creating jobs all the while.
    """
    for name in [n for n in sys.modules if n.startswith(f"{__package__}.test_")]:
        del sys.modules[name]


def active() -> str:
    return _active[0]


def contract_settings(max_examples: int | None = None, **overrides: Any) -> settings:
    """The active profile's settings, ``max_examples`` capped (a cap, never a raise: ``live`` stays small)."""
    register()
    base = settings.get_profile(active())
    if max_examples is not None:
        overrides["max_examples"] = min(base.max_examples, max_examples)
    return settings(base, **overrides)
