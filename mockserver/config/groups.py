"""Which group each setting belongs to, for ``serve --help`` and the options reference.

A group is a property of the setting, looked up by name: an explicit entry first, then the name's prefix, then
``server``. A setting added without an entry still lands somewhere sensible, so adding one never breaks the help
or the generated reference (``docs/reference/options.md``).
"""

from __future__ import annotations

#: (group, title, what its settings change), in the order ``--help`` and the reference show them.
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("server", "server", "where and how the mock listens, logs and bounds its work"),
    ("timing", "timing", "how jobs move from pending to running to done or failed"),
    ("generation", "generation", "what a finished job holds: text, models, credits, tool calls"),
    ("webhooks", "webhooks", "status-change deliveries to each job's webhook_url"),
    ("faults", "faults", "errors and limits on purpose: scenarios, credits, rate limits, webhook faults"),
    ("state", "state", "what the mock remembers: the state file, the shared store, recordings it replays"),
    ("security", "security", "who may call it and where it may call out to"),
)
NAMES = tuple(name for name, _, _ in GROUPS)
DEFAULT_GROUP = "server"

#: Settings whose group their name's prefix does not tell.
EXPLICIT: dict[str, str] = {
    "config": "server",
    "server": "server",
    "threads": "server",
    "workers": "server",
    "max_body_bytes": "server",
    "max_jobs": "server",
    "journal_size": "server",
    "log_requests": "server",
    "timing": "timing",
    "pending_seconds": "timing",
    "running_seconds": "timing",
    "jitter": "timing",
    "seed": "timing",
    "sync_timeout": "timing",
    "models": "generation",
    "strict_ranges": "generation",
    "generation_budget": "generation",
    "credit_rates": "generation",
    "scenarios": "faults",
    "scenario_rules": "faults",
    "watch": "faults",
    "credits": "faults",
    "rate_limit": "faults",
    "webhook_duplicate_rate": "faults",
    "webhook_delay": "faults",
    "webhook_reorder_rate": "faults",
    "webhook_drop_rate": "faults",
    "state_file": "state",
    "state_interval": "state",
    "api_key": "security",
    "webhook_allow_hosts": "security",
    "cors": "security",
    "cors_origins": "security",
}

#: Then by prefix (first match): what the settings other helpers add fall under unless listed above.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("insufficient_credits", "faults"),
    ("credentials_error", "faults"),
    ("missing_credentials", "faults"),
    ("wrong_credentials", "faults"),
    ("webhook_", "webhooks"),
    ("replay", "state"),
    ("store", "state"),
    ("state_", "state"),
    ("admin_", "security"),
    ("allow_", "security"),
    ("unsafe", "security"),
    ("log_", "server"),
    ("max_", "server"),
    ("header_", "server"),
    ("body_", "server"),
)


def group_of(name: str) -> str:
    """The group of the setting ``name`` (a field name, e.g. ``webhook_timeout``)."""
    if name in EXPLICIT:
        return EXPLICIT[name]
    return next((group for prefix, group in PREFIXES if name.startswith(prefix)), DEFAULT_GROUP)
