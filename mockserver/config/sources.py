"""Where settings come from: defaults <- config file (TOML) <- environment (CREATIFY_MOCK_<NAME>) <- command line.

Each value remembers how the user spelled it, so an error names ``--pending-seconds``,
``CREATIFY_MOCK_PENDING_SECONDS`` or ``pending-seconds in mock.toml`` rather than the field behind it.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mockserver.config.settings import NAMES, Settings, canonical
from mockserver.config.values import SettingsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ENV_PREFIX = "CREATIFY_MOCK_"
#: Command-line flags whose spelling is not ``--`` + the field name with dashes.
FLAGS = {"log_requests": "--quiet", "webhook_reorder_rate": "--webhook-reorder"}

#: A layer: field name -> (value, how the user spelled it).
Layer = dict[str, tuple[Any, str]]


def _unknown(spelled: str, where: str, known: list[str]) -> SettingsError:
    """The closest known name only (the whole list is ``serve --help`` and the options reference)."""
    bare = {
        name.removeprefix(ENV_PREFIX): name for name in known
    }  # the shared prefix would make all look close
    close = difflib.get_close_matches(spelled.strip("'").removeprefix(ENV_PREFIX), list(bare), n=1)
    hint = f"did you mean {bare[close[0]]}?" if close else "creatify-mock serve --help lists the settings"
    return SettingsError(f"unknown setting {spelled} {where}; {hint}")


def from_cli(values: Mapping[str, Any]) -> Layer:
    """The options given on the command line (argparse dests; ``None`` means not given)."""
    return {
        canonical(name): (value, FLAGS.get(canonical(name), "--" + name.replace("_", "-")))
        for name, value in values.items()
        if value is not None
    }


def from_env(environ: Mapping[str, str]) -> Layer:
    """``CREATIFY_MOCK_<NAME>`` variables; an unknown one is an error, as an unknown TOML key is."""
    known = {ENV_PREFIX + name.upper(): name for name in NAMES}
    layer: Layer = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        if key not in known:
            raise _unknown(key, "in the environment", list(known))
        name = known[key]
        layer[canonical(name)] = (_negate(value) if name == "quiet" else value, key)
    return layer


def from_toml(path: str | os.PathLike[str]) -> Layer:
    """A TOML file: top-level keys, or a ``[creatify-mock]`` table; dashes or underscores."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    table = data.get("creatify-mock", data)
    if not isinstance(table, dict):
        raise SettingsError(f"config file {path}: [creatify-mock] must be a table of settings")
    layer: Layer = {}
    for key, value in table.items():
        name = str(key).replace("-", "_")
        if name not in NAMES:
            raise _unknown(repr(key), f"in {path}", [n.replace("_", "-") for n in NAMES])
        layer[canonical(name)] = (_negate(value) if name == "quiet" else value, f"{key} in {path}")
    return layer


def _negate(value: Any) -> Any:
    """``quiet`` is ``log_requests`` turned around; a value that is no boolean is left for the check to refuse."""
    if isinstance(value, bool):
        return not value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return False
    if text in ("0", "false", "no", "off", ""):
        return True
    return value


def load(cli: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the config file (from the CLI or the environment), then the environment, then the CLI."""
    given = from_cli(cli or {})
    env = from_env(os.environ if environ is None else environ)
    config = given.get("config") or env.get("config")
    layered: Layer = {}
    if config:
        layered.update(from_toml(str(config[0])))
        layered["config"] = (str(config[0]), config[1])
    layered.update(env)
    layered.update(given)
    try:
        return Settings().with_overrides({name: value for name, (value, _) in layered.items()})
    except SettingsError as exc:
        if exc.setting is not None and exc.setting in layered:
            raise exc.labelled(layered[exc.setting][1]) from None
        raise
