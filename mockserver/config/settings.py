"""One Settings object, read-only once built; ``mockserver.config.sources`` layers where its values come from."""

from __future__ import annotations

import difflib
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from mockserver.config.logs import FORMATS, LEVELS
from mockserver.config.values import (
    SettingsError,
    parse_credit_rates,
    parse_credits,
    parse_delay,
    parse_error_body,
    parse_rate,
    parse_rules,
)

TIMINGS = ("realtime", "instant", "manual")
WEBHOOK_EVENTS = ("all", "terminal")
#: Count limits on what one request may hold or ask for (docs/security.md); each must be >= 1.
COUNT_LIMITS = (
    "generation_queue",
    "max_messages",
    "max_tools",
    "max_function_declarations",
    "max_container_items",
    "max_errors_listed",
    "admin_page_size",
    "max_list_jobs",
)
#: Other names of settings, as the command line spells them.
ALIASES = {"webhook_reorder": "webhook_reorder_rate"}
#: The models Creatify's guide lists for the /sse/ family; another model is a 400 there.
DOCUMENTED_MODELS = (
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-3-flash-preview",
    "gemini-3.1-pro-preview",
    "gemini-3.1-flash-lite-preview",
)


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
    threads: int = 8
    header_timeout: float = 10.0
    body_timeout: float = 30.0
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
    models: tuple[str, ...] = DOCUMENTED_MODELS
    sync_timeout: float = 60.0
    credentials_error_status: int = 401
    missing_credentials_body: str = '{"detail": "Authentication credentials were not provided."}'
    wrong_credentials_body: str = '{"detail": "Incorrect authentication credentials."}'
    credit_rates: tuple[str, ...] = ()
    replay: str | None = None
    replay_speed: float = 1.0
    replay_strict: bool = False
    scenario_rules: str = ""
    state_file: str | None = None
    state_interval: float = 5.0
    watch: bool = False
    cors: bool = True
    cors_origins: str = "*"
    generation_budget: float = 2.0
    store: str = "memory"
    store_prefix: str = "creatify-mock:"
    workers: int = 1
    generation_queue: int = 16
    admin_cors_origins: str = ""
    allow_open_admin: bool = False
    max_messages: int = 2000
    max_tools: int = 128
    max_function_declarations: int = 512
    max_container_items: int = 10_000
    max_errors_listed: int = 20
    admin_page_size: int = 100
    max_list_jobs: int = 1000
    log_format: str = "text"
    log_level: str = "info"
    config: str | None = field(default=None, metadata={"cli_only": True})

    def __post_init__(self) -> None:
        def check(ok: bool, name: str, problem: str) -> None:
            if not ok:
                raise SettingsError(f"{problem}, got {getattr(self, name)!r}", name)

        check(self.timing in TIMINGS, "timing", f"must be one of {', '.join(TIMINGS)}")
        for name in ("pending_seconds", "running_seconds", "jitter"):
            check(getattr(self, name) >= 0, name, "must be >= 0")
        check(0 <= self.port <= 65535, "port", "must be 0-65535")
        for name in ("max_body_bytes", "max_jobs", "threads", *COUNT_LIMITS):
            check(getattr(self, name) >= 1, name, "must be >= 1")
        check(self.webhook_events in WEBHOOK_EVENTS, "webhook_events", "must be all or terminal")
        for name in ("header_timeout", "body_timeout"):
            check(0 < getattr(self, name) <= 3600, name, "must be > 0 and <= 3600 seconds")
        check(self.log_format in FORMATS, "log_format", f"must be one of {', '.join(FORMATS)}")
        check(self.log_level in LEVELS, "log_level", f"must be one of {', '.join(LEVELS)}")
        for name in ("webhook_duplicate_rate", "webhook_reorder_rate", "webhook_drop_rate"):
            check(0.0 <= getattr(self, name) <= 1.0, name, "must be between 0 and 1")
        for name in ("webhook_max_attempts", "webhook_workers", "webhook_queue_size", "webhook_log_size"):
            check(getattr(self, name) >= 1, name, "must be >= 1")
        check(self.webhook_timeout > 0, "webhook_timeout", "must be > 0")
        check(self.webhook_backoff >= 0, "webhook_backoff", "must be >= 0")
        parse_delay(self.webhook_delay)
        for pair in self.api_key:
            api_id, sep, key = pair.partition(":")
            if not sep or not api_id or not key:
                raise SettingsError(f"must look like ID:KEY, got {pair!r}", "api_key")
        check(self.journal_size >= 0, "journal_size", "must be >= 0 (0 turns the journal off)")
        check(
            400 <= self.insufficient_credits_status <= 599, "insufficient_credits_status", "must be 400-599"
        )
        parse_rate(self.rate_limit)
        if self.sync_timeout <= 0:
            raise SettingsError(f"must be > 0 seconds, got {self.sync_timeout!r}", "sync_timeout")
        if self.state_interval <= 0:
            raise SettingsError(f"must be > 0 seconds, got {self.state_interval!r}", "state_interval")
        if not 0 < self.generation_budget <= 600:
            raise SettingsError(
                f"must be > 0 and <= 600 seconds, got {self.generation_budget!r}", "generation_budget"
            )
        shared = self.store.split("://", 1)[0] in ("redis", "rediss", "unix")
        check(self.store == "memory" or shared, "store", "must be memory or a redis://HOST:PORT/DB URI")
        check(self.workers >= 1, "workers", "must be >= 1")
        check(
            not (shared and self.state_file), "state_file", "is for the memory store (Redis keeps the state)"
        )
        check(
            self.workers == 1 or shared,
            "workers",
            "must be 1 unless --store is redis://... (workers share state there)",
        )
        parse_credits(self.credits)
        parse_error_body(self.insufficient_credits_body)
        self._check_recorded_behaviour()

    def _check_recorded_behaviour(self) -> None:
        """The settings ``creatify-mock calibrate`` writes and ``--replay`` reads."""
        if not 400 <= self.credentials_error_status <= 599:
            raise SettingsError(
                f"must be 400-599, got {self.credentials_error_status}", "credentials_error_status"
            )
        parse_error_body(self.missing_credentials_body, "missing_credentials_body")
        parse_error_body(self.wrong_credentials_body, "wrong_credentials_body")
        parse_credit_rates(self.credit_rates)
        parse_rules(self.scenario_rules)
        if not self.replay_speed > 0:
            raise SettingsError(
                f"must be > 0 (2 plays twice as fast), got {self.replay_speed!r}", "replay_speed"
            )

    @property
    def allowed_webhook_hosts(self) -> frozenset[str]:
        """Hosts named in ``webhook_allow_hosts`` (lower case); empty means loopback only (see webhooks/egress.py)."""
        return frozenset(
            h.strip().lower() for h in self.webhook_allow_hosts.replace(" ", ",").split(",") if h.strip()
        )

    def open_admin_problem(self) -> str | None:
        """Why serving would expose an unauthenticated admin API beyond this machine (a non-loopback ``host``,
        no ``admin_token``, no ``allow_open_admin``), as the one line startup refuses with; None when safe."""
        if self.admin_token or self.allow_open_admin or is_loopback(self.host):
            return None
        return (
            f"refusing to serve on {self.host}: other machines could read and wipe the admin API (/__admin/), "
            "which has no --admin-token; pass --admin-token TOKEN, bind --host 127.0.0.1, "
            "or --allow-open-admin if you mean it"
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
                named[canonical(name)] = value
        return replace(self, **{name: _coerce(name, value) for name, value in named.items()})


_FIELDS = {f.name: f for f in fields(Settings)}
#: Every name a setting goes by outside Python: the fields, the CLI's other spellings, ``quiet``.
NAMES = (*_FIELDS, *ALIASES, "quiet")


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1); ``0.0.0.0``, ``::`` and other names are not."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def canonical(name: str) -> str:
    """The field a setting's name stands for (``webhook_reorder`` -> ``webhook_reorder_rate``,
    ``quiet`` -> ``log_requests``)."""
    return "log_requests" if name == "quiet" else ALIASES.get(name, name)


def did_you_mean(name: str) -> str:
    """``; did you mean 'timing'?`` for the setting closest to a mistyped name, or nothing when none is close."""
    close = difflib.get_close_matches(name, NAMES, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _kind(name: str) -> str:
    default = _FIELDS[name].default
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int) or name == "seed":
        return "an integer"
    if isinstance(default, float):
        return "a number"
    return "a string"


def _coerce(name: str, value: Any) -> Any:
    """Turn a TOML/env/CLI value into the field's type, with an error that names the setting."""
    if name not in _FIELDS:
        raise SettingsError(f"unknown setting {name!r}{did_you_mean(name)}")
    default = _FIELDS[name].default
    try:
        if name == "scenario_rules" and isinstance(value, (list, tuple)):  # TOML [[scenario-rules]] tables
            return json.dumps(list(value))
        if name in ("credits", "credit_rates") and isinstance(value, Mapping):  # TOML table {team = 10}
            return tuple(f"{k}={v}" for k, v in value.items())
        if name in ("api_key", "credits", "models", "credit_rates"):
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
        raise SettingsError(f"cannot take the value {value!r}: expected {_kind(name)}", name) from None
