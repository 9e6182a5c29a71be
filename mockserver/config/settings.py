"""One Settings object: defaults <- config file (TOML) <- environment (CREATIFY_MOCK_<NAME>) <- command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mockserver.config.values import SettingsError, parse_credits, parse_delay, parse_error_body, parse_rate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ENV_PREFIX = "CREATIFY_MOCK_"
TIMINGS = ("realtime", "instant", "manual")
WEBHOOK_EVENTS = ("all", "terminal")
SERVERS = ("granian", "waitress")
#: Other names of settings, as the command line spells them.
ALIASES = {"webhook_reorder": "webhook_reorder_rate"}


@dataclass(frozen=True)
class Settings:
    """Everything that changes how the mock behaves; built once, then read-only."""

    host: str = "127.0.0.1"
    port: int = 8000
    timing: str = "realtime"
    pending_seconds: float = 1.0
    running_seconds: float = 2.0
    jitter: float = 0.0
    api_key: tuple[str, ...] = ()
    seed: int | None = None
    strict_ranges: bool = False
    max_body_bytes: int = 1024 * 1024
    admin_token: str | None = None
    server: str = "granian"
    threads: int = 8
    max_jobs: int = 100_000
    log_requests: bool = True
    scenarios: str | None = None
    webhook_events: str = "all"
    webhook_secret: str | None = None
    webhook_timeout: float = 5.0
    webhook_max_attempts: int = 5
    webhook_backoff: float = 1.0
    webhook_workers: int = 32
    webhook_queue_size: int = 10_000
    webhook_log_size: int = 10_000
    webhook_allow_hosts: str = ""
    webhook_duplicate_rate: float = 0.0
    webhook_delay: str = "0"
    webhook_reorder_rate: float = 0.0
    webhook_drop_rate: float = 0.0
    journal_size: int = 1000
    credits: tuple[str, ...] = ()
    insufficient_credits_status: int = 402
    insufficient_credits_body: str = '{"detail": "Insufficient credits."}'
    rate_limit: str = ""
    config: str | None = field(default=None, metadata={"cli_only": True})

    def __post_init__(self) -> None:
        if self.timing not in TIMINGS:
            raise SettingsError(f"timing must be one of {', '.join(TIMINGS)}, got {self.timing!r}")
        for name in ("pending_seconds", "running_seconds", "jitter"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port must be 0-65535, got {self.port!r}")
        if self.max_body_bytes < 1:
            raise SettingsError(f"max_body_bytes must be >= 1, got {self.max_body_bytes!r}")
        if self.max_jobs < 1:
            raise SettingsError(f"max_jobs must be >= 1, got {self.max_jobs!r}")
        if self.server not in SERVERS:
            raise SettingsError(f"server must be one of {', '.join(SERVERS)}, got {self.server!r}")
        if self.threads < 1:
            raise SettingsError(f"threads must be >= 1, got {self.threads!r}")
        if self.webhook_events not in WEBHOOK_EVENTS:
            raise SettingsError(f"webhook_events must be all or terminal, got {self.webhook_events!r}")
        for name in ("webhook_duplicate_rate", "webhook_reorder_rate", "webhook_drop_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise SettingsError(f"{name} must be between 0 and 1, got {getattr(self, name)!r}")
        for name in ("webhook_max_attempts", "webhook_workers", "webhook_queue_size", "webhook_log_size"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        if self.webhook_timeout <= 0 or self.webhook_backoff < 0:
            raise SettingsError("webhook_timeout must be > 0 and webhook_backoff >= 0")
        parse_delay(self.webhook_delay)
        for pair in self.api_key:
            api_id, sep, key = pair.partition(":")
            if not sep or not api_id or not key:
                raise SettingsError(f"api_key must look like ID:KEY, got {pair!r}")
        if self.journal_size < 0:
            raise SettingsError(
                f"journal_size must be >= 0 (0 turns the journal off), got {self.journal_size}"
            )
        if not 400 <= self.insufficient_credits_status <= 599:
            raise SettingsError(
                f"insufficient_credits_status must be 400-599, got {self.insufficient_credits_status}"
            )
        parse_rate(self.rate_limit)
        parse_credits(self.credits)
        parse_error_body(self.insufficient_credits_body)

    @property
    def allowed_webhook_hosts(self) -> frozenset[str]:
        """Hosts webhooks may be sent to (lower case); empty means any."""
        return frozenset(
            h.strip().lower() for h in self.webhook_allow_hosts.replace(" ", ",").split(",") if h.strip()
        )

    @property
    def api_keys(self) -> dict[str, str]:
        """Accepted credentials, X-API-ID -> X-API-KEY; empty means any non-empty pair is accepted."""
        return dict(pair.split(":", 1) for pair in self.api_key)

    def with_overrides(self, values: Mapping[str, Any]) -> Settings:
        """A copy with ``values`` (already typed or strings from env/TOML) applied; CLI spellings such as
        ``webhook_reorder`` and ``quiet`` are accepted too."""
        named = {}
        for name, value in values.items():
            if name == "quiet":
                named["log_requests"] = not _coerce("log_requests", value)
            else:
                named[ALIASES.get(name, name)] = value
        return replace(self, **{name: _coerce(name, value) for name, value in named.items()})


_FIELDS = {f.name: f for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    """Turn a TOML/env/CLI value into the field's type, with an error that names the setting."""
    if name not in _FIELDS:
        raise SettingsError(f"unknown setting {name!r}; known: {', '.join(sorted(_FIELDS))}")
    default = _FIELDS[name].default
    try:
        if name == "credits" and isinstance(value, Mapping):  # TOML table {team = 10}
            return tuple(f"{k}={v}" for k, v in value.items())
        if name in ("api_key", "credits"):
            if isinstance(value, str):
                return tuple(v.strip() for v in value.replace(",", " ").split() if v.strip())
            return tuple(str(v) for v in value)
        if value is None:
            return None
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(value)
        if isinstance(default, int) or name == "seed":
            return int(value)
        if isinstance(default, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name!r} cannot take the value {value!r}") from None


def from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings named ``CREATIFY_MOCK_<NAME>`` in ``environ``."""
    out: dict[str, Any] = {}
    for name in (*_FIELDS, *ALIASES, "quiet"):
        key = ENV_PREFIX + name.upper()
        if key in environ:
            out[name] = environ[key]
    return out


def from_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Settings from a TOML file: top-level keys, or a ``[creatify-mock]`` table; dashes or underscores."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    table = data.get("creatify-mock", data)
    return {str(k).replace("-", "_"): v for k, v in table.items()}


def load(cli: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the config file (from CLI or env), then env, then the CLI values that were given."""
    cli = {k: v for k, v in (cli or {}).items() if v is not None}
    env = from_env(os.environ if environ is None else environ)
    config_path = cli.get("config") or env.get("config")
    layered: dict[str, Any] = {}
    if config_path:
        layered.update(from_toml(config_path))
        layered["config"] = str(config_path)
    layered.update(env)
    layered.update(cli)
    return Settings().with_overrides(layered)
