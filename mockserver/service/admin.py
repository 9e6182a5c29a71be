"""The facade's operations on scenario rules, the request journal and webhook deliveries.

A part of ``MockService`` (a mixin, so there is still one facade to call), kept apart because these are
bookkeeping around jobs rather than jobs themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from mockserver.config.settings import Settings
from mockserver.core import journal as journal_mod
from mockserver.core.events import EventFeed
from mockserver.core.journal import Entry, Journal
from mockserver.core.scenarios import RequestInfo, Rule, ScenarioBook, ScenarioError, load_file
from mockserver.webhooks.dispatcher import Dispatcher


class AdminOperations:
    """Scenario rules, journal and webhook log operations of ``MockService``."""

    settings: Settings
    scenarios: ScenarioBook
    journal: Journal
    webhooks: Dispatcher
    events: EventFeed
    _startup_scenarios: tuple[list[Any], str]

    def _rules_changed(self, action: str, **data: Any) -> None:
        self.events.publish("scenario.changed", {"action": action, "rules": len(self.scenarios), **data})

    # -- scenario rules ------------------------------------------------------------------------------------
    def load_scenarios(self, specs: Sequence[Any], source: str) -> None:
        """Rules loaded at startup; ``reset`` comes back to them. ScenarioError names a bad rule."""
        self.scenarios.replace(specs, source)
        self._startup_scenarios = (list(specs), source)
        self._rules_changed("loaded", source=source)

    def reload_scenarios(self, path: str) -> int:
        """Read the scenario file again (SIGHUP, ``--watch``): its rules replace the current and startup ones.
        ScenarioError (the old rules stay) when the file is bad; returns the number of rules loaded."""
        specs = load_file(path)
        self.load_scenarios(specs, path)
        return len(specs)

    def rules(self) -> list[dict[str, Any]]:
        """The rules in order, each with its id, remaining ``times`` and how often it applied."""
        return self.scenarios.views()

    def add_rules(self, specs: Sequence[Any], position: int | None = None) -> list[dict[str, Any]]:
        """Add rules at the end (or from ``position``), all or none: ScenarioError names the bad one."""
        added: list[Rule] = []
        try:
            for offset, spec in enumerate(specs):
                added.append(self.scenarios.add(spec, None if position is None else position + offset))
        except ScenarioError:
            for rule in added:
                self.scenarios.remove(rule.id)
            raise
        self._rules_changed("added", ids=[rule.id for rule in added])
        return [rule.view() for rule in added]

    def add_rules_text(self, text: str) -> list[dict[str, Any]]:
        """Rules written as YAML or JSON (one rule, a list, or a scenario file's ``{scenarios: [...]}``), as the
        dashboard's editor sends them; ScenarioError says where the text or a rule is wrong."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError(f"not YAML or JSON: {exc}") from None
        if isinstance(data, dict) and isinstance(data.get("scenarios"), list):
            data = data["scenarios"]
        return self.add_rules(data if isinstance(data, list) else [data])

    def replace_rules(self, specs: Sequence[Any], source: str) -> list[dict[str, Any]]:
        self.scenarios.replace(specs, source)
        self._rules_changed("replaced", source=source)
        return self.scenarios.views()

    def remove_rule(self, rule_id: str) -> bool:
        removed = self.scenarios.remove(rule_id)
        if removed:
            self._rules_changed("removed", ids=[rule_id])
        return removed

    def clear_rules(self) -> None:
        self.scenarios.clear()
        self._rules_changed("cleared")

    def restore_rules(self) -> list[dict[str, Any]]:
        """Back to the rules loaded at startup (what ``reset`` also does), dropping any added since."""
        self.scenarios.replace(*self._startup_scenarios)
        self._rules_changed("restored")
        return self.scenarios.views()

    @property
    def scenarios_active(self) -> bool:
        """Any rule at all: a cheap check on every API call."""
        return self.scenarios.active

    def take_rule(self, info: RequestInfo) -> tuple[Rule, float] | None:
        """The first rule that fits the call (counted against its ``times``) and its seeded latency."""
        found = self.scenarios.take(info)
        if found is None:
            return None
        rule, rng = found
        entry = journal_mod.current.get()
        if entry is not None:  # the journal row (and the dashboard) name the rule that answered
            entry.rule = rule.id
        return rule, self.scenarios.latency(rule, rng)

    # -- request journal -----------------------------------------------------------------------------------
    @property
    def journal_enabled(self) -> bool:
        return self.journal.enabled

    def record_request(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Entry:
        """Journal a call as it arrives; the caller fills in its status and duration."""
        return self.journal.begin(method, path, query, headers, body)

    def requests(
        self,
        path: str | None = None,
        method: str | None = None,
        status: str | int | None = None,
        since_us: int | None = None,
        api_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Journaled calls, newest first (``path`` exact or a prefix ending in ``*``; ``status`` 201 or 4xx)."""
        return self.journal.entries(path=path, method=method, status=status, since_us=since_us, api_id=api_id)

    def clear_requests(self) -> int:
        return self.journal.clear()

    # -- webhooks ------------------------------------------------------------------------------------------
    def deliveries(self, job_id: str | None = None) -> list[dict[str, Any]]:
        """The delivery log, oldest first, optionally for one job."""
        return self.webhooks.log.entries(job_id)

    def delivery(self, delivery_id: str) -> dict[str, Any] | None:
        return self.webhooks.log.get(delivery_id)

    def wait_for_deliveries(
        self, job_id: str | None, count: int | None, timeout: float
    ) -> list[dict[str, Any]]:
        return self.webhooks.log.wait(job_id, count, timeout)

    def redeliver(self, delivery_id: str) -> dict[str, Any] | None:
        return self.webhooks.redeliver(delivery_id)

    def webhook_egress(self) -> str:
        """Where webhooks may go, in words (the startup line says it)."""
        return self.webhooks.egress.describe()

    def restore_deliveries(self, entries: Sequence[dict[str, Any]]) -> None:
        """The delivery log comes back as it was (a state import); events not yet delivered are queued again,
        their attempt numbers going on (a receiver sees the same ``X-Webhook-Id``, so it can drop a repeat)."""
        self.webhooks.reset()
        for entry in entries:
            self.webhooks.log.add(entry)
        for entry in entries:
            if entry["state"] in ("pending", "retrying"):
                self.webhooks.enqueue(
                    entry["target"], entry["payload"], entry["delivery_id"], len(entry["attempts"])
                )

    def reset_webhooks(self) -> None:
        self.webhooks.reset()

    def webhook_faults(self) -> dict[str, Any]:
        return self.webhooks.faults.faults.as_dict()

    def set_webhook_faults(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change the fault knobs for this run (already schema-checked); SettingsError for a bad delay."""
        return self.webhooks.faults.update(changes).as_dict()
