"""``SettingsOverrides``: every setting as a typed keyword argument, so an IDE completes ``MockServer(...)``.

``MockServer(**overrides: Unpack[SettingsOverrides])`` gets names and types from here; a test keeps this list equal
to ``Settings``' fields (a setting added there and not here fails it). ``quiet`` and ``webhook_reorder`` are the
command line's other spellings, accepted too.
"""

from __future__ import annotations

from typing import TypedDict


class SettingsOverrides(TypedDict, total=False):
    """Keyword arguments of ``MockServer`` and ``Settings.with_overrides``: any subset of the settings."""

    host: str
    port: int
    timing: str
    pending_seconds: float
    running_seconds: float
    jitter: float
    api_key: tuple[str, ...]
    seed: int | None
    strict_ranges: bool
    max_body_bytes: int
    admin_token: str | None
    threads: int
    max_jobs: int
    log_requests: bool
    scenarios: str | None
    webhook_events: str
    webhook_secret: str | None
    webhook_timeout: float
    webhook_max_attempts: int
    webhook_backoff: float
    webhook_workers: int
    webhook_queue_size: int
    webhook_log_size: int
    webhook_allow_hosts: str
    webhook_duplicate_rate: float
    webhook_delay: str
    webhook_reorder_rate: float
    webhook_drop_rate: float
    journal_size: int
    credits: tuple[str, ...]
    insufficient_credits_status: int
    insufficient_credits_body: str
    rate_limit: str
    models: tuple[str, ...]
    sync_timeout: float
    credentials_error_status: int
    missing_credentials_body: str
    wrong_credentials_body: str
    credit_rates: tuple[str, ...]
    replay: str | None
    replay_speed: float
    replay_strict: bool
    scenario_rules: str
    state_file: str | None
    state_interval: float
    watch: bool
    cors: bool
    cors_origins: str
    generation_budget: float
    log_format: str
    log_level: str
    config: str | None
    quiet: bool
    webhook_reorder: float
    header_timeout: float
    body_timeout: float
    store: str
    store_prefix: str
    workers: int
    generation_queue: int
    admin_cors_origins: str
    allow_open_admin: bool
    max_messages: int
    max_tools: int
    max_function_declarations: int
    max_container_items: int
    max_errors_listed: int
    admin_page_size: int
    max_list_jobs: int
