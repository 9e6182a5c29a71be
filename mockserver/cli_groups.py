"""``serve --help`` in groups (server, timing, generation, …) with examples.

Options are added with the ``add`` this module returns, exactly as with ``parser.add_argument``; each lands in the
group of its setting (``mockserver.config.groups.group_of``), so an option added later needs no change here.
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol

from mockserver.config.groups import GROUPS, group_of
from mockserver.config.settings import canonical

EXAMPLES = """\
examples:
  creatify-mock serve                                   # http://127.0.0.1:8000, jobs done after 3 s
  creatify-mock serve --timing instant --seed 1         # jobs done on their first read, the same ids every run
  creatify-mock serve --timing manual                   # jobs move only through POST /__admin/jobs/{id}/advance
  creatify-mock serve --scenarios rules.yaml --watch    # scripted faults, reloaded when the file changes
  creatify-mock serve --api-key me:secret --credits me=5 --rate-limit 10/s
  creatify-mock serve --log-format json --log-level info   # one JSON line per call, for a log pipeline
  CREATIFY_MOCK_TIMING=instant creatify-mock serve      # every option is also CREATIFY_MOCK_<NAME>
  creatify-mock serve --config mock.toml                # ... and a key of a TOML file

The API's own documentation is at /docs of a running mock; every option: docs/reference/options.md."""


#: What a value looks like in ``--help``, by its type (``--webhook-timeout S`` rather than the dest upper-cased).
METAVARS: dict[Any, str] = {int: "N", float: "X"}


class Adder(Protocol):
    def __call__(self, *flags: str, **kwargs: Any) -> argparse.Action: ...


def dest_of(flags: tuple[str, ...], kwargs: dict[str, Any]) -> str:
    """The setting an option sets, as argparse would name its dest."""
    if "dest" in kwargs:
        return str(kwargs["dest"])
    long = next((f for f in flags if f.startswith("--")), flags[0])
    return long.lstrip("-").replace("-", "_")


def grouped(parser: argparse.ArgumentParser) -> Adder:
    """An ``add_argument`` that files each option under its setting's group, in the groups' order."""
    groups: dict[str, argparse._ArgumentGroup] | None = getattr(parser, "_setting_groups", None)
    if groups is None:  # the first call sets the parser up; later ones add to the same groups
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.usage = f"{parser.prog} [options]"
        parser.epilog = EXAMPLES
        groups = {name: parser.add_argument_group(f"{title} options", what) for name, title, what in GROUPS}
        parser._setting_groups = groups  # type: ignore[attr-defined]

    def add(*flags: str, **kwargs: Any) -> argparse.Action:
        if "metavar" not in kwargs and "choices" not in kwargs and "action" not in kwargs:
            kwargs["metavar"] = METAVARS.get(kwargs.get("type"), "TEXT")
        return groups[group_of(canonical(dest_of(flags, kwargs)))].add_argument(*flags, **kwargs)

    return add
