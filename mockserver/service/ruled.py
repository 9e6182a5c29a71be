"""What a scenario rule decides about a job it matched: its timing and its outcome (both fixed at create)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mockserver.config.settings import Settings
from mockserver.core.models import JobStatus, Outcome
from mockserver.core.scenarios import Rule
from mockserver.core.templating import render, render_value
from mockserver.generation.background import INLINE_SECONDS
from mockserver.generation.text import Generator
from mockserver.generation.tools import FunctionCall


def timing_for(settings: Settings, rule: Rule | None) -> Settings:
    """The timing a job gets: the rule's ``timing`` over the mock's settings."""
    spec = rule.spec.get("timing") if rule is not None else None
    if not spec:
        return settings
    if spec.get("manual"):
        return replace(settings, timing="manual")
    return replace(
        settings,
        timing="realtime",
        pending_seconds=spec.get("pending_seconds", settings.pending_seconds),
        running_seconds=spec.get("running_seconds", settings.running_seconds),
        jitter=spec.get("jitter", settings.jitter),
    )


def scenario_outcome(generator: Generator, rule: Rule, request: dict[str, Any], account: str) -> Outcome:
    """The outcome a rule fixes for a job it matched (templated from the request), generated where it leaves gaps."""
    if rule.forced is not None:
        return replace(rule.forced)
    spec = rule.spec["outcome"]
    if spec["status"] == "failed":
        reason = spec.get("failed_reason") or f"Failed by scenario rule {rule.id!r}."
        return Outcome(JobStatus.FAILED, failed_reason=render(reason, request, account))
    text = render(spec["response_text"], request, account) if "response_text" in spec else None
    calls = spec.get("function_calls")
    if calls is not None:
        calls = [FunctionCall(c["name"], render_value(c.get("args", {}), request, account)) for c in calls]
    return generator.done(request, text, spec.get("credits_used"), calls, budget=INLINE_SECONDS)
