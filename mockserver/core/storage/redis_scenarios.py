"""Scenario rules shared by every process on one Redis: one rule list, one count of each rule's ``times``.

Each process keeps the compiled rules (matching runs on every call and must cost no round trip); the rule specs
live in Redis and a change on one process (load, add, remove, clear, reset) is written there and announced on
the bus, so the others compile the same list. Counting is one Lua call per rule that fits: ``times: 3`` is three
calls across all processes. A process that starts while rules are shared takes the shared ones (a restarted
worker must not reset the team's counters); ``POST /__admin/reset`` puts back the startup rules of the process
that received it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import redis

from mockserver.core import jsonio
from mockserver.core.scenarios import RequestInfo, Rule, ScenarioBook
from mockserver.core.storage.redis_codec import Keys, unavailable_as_store_error

#: KEYS: the counts hash; ARGV: rule id, times ('' for none). The new count, or -1 when the rule is used up.
TAKE_RULE = """
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if ARGV[2] ~= '' and n >= tonumber(ARGV[2]) then return -1 end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
"""


def _times(rule: Rule) -> int | None:
    times = rule.match.get("times")
    return int(times) if times is not None else None


@unavailable_as_store_error
class RedisScenarioBook(ScenarioBook):
    """``ScenarioBook`` whose list and counts are the shared ones."""

    def __init__(
        self, client: redis.Redis, keys: Keys, seed: int | None, publish: Callable[[str], object]
    ) -> None:
        super().__init__(seed)
        self._r: Any = client  # redis-py's return types are unions of every reply shape
        self._specs_key = f"{keys.prefix}scenarios"
        self._counts_key = f"{keys.prefix}scenario-counts"
        self._publish = publish
        self._take_rule = client.register_script(TAKE_RULE)
        self._shared_at_start = bool(self._r.exists(self._specs_key))
        if self._shared_at_start:
            self.adopt()

    # -- changes: made here, then shared -------------------------------------------------------------------
    def replace(self, specs: Sequence[Any], source: str = "scenarios") -> list[Rule]:
        rules = super().replace(specs, source)  # checked (ScenarioError) before anything is shared
        if self._shared_at_start and self._r.exists(self._specs_key):
            self._shared_at_start = False  # the startup load of a process joining a running team: keep theirs
            self.adopt()
            return self._current()
        self._share(reset_counts=True)
        return rules

    def add(self, spec: Any, position: int | None = None) -> Rule:
        rule = super().add(spec, position)
        self._r.hdel(self._counts_key, rule.id)
        self._share()
        return rule

    def remove(self, rule_id: str) -> bool:
        found = super().remove(rule_id)
        if found:
            self._r.hdel(self._counts_key, rule_id)
            self._share()
        return found

    def clear(self) -> None:
        super().clear()
        self._share(reset_counts=True)

    def started(self) -> None:
        self._shared_at_start = False

    def adopt(self) -> None:
        """Compile the shared list (another process changed it); counts stay in Redis."""
        raw = self._r.get(self._specs_key)
        specs = jsonio.loads(raw) if raw else []
        super().replace(specs, "shared scenarios")

    # -- reading and counting ------------------------------------------------------------------------------
    def take(self, info: RequestInfo) -> tuple[Rule, random.Random] | None:
        with self._lock:
            fitting = [rule for rule in self._rules if rule.fits(info)]
        for rule in fitting:  # counted outside the lock: a round trip each
            times = _times(rule)
            applied = int(
                self._take_rule(keys=[self._counts_key], args=[rule.id, "" if times is None else times])
            )
            if applied < 0:  # used up by the other processes
                self._drop(rule)
                continue
            rule.applied = applied
            if times is not None:
                rule.remaining = times - applied
                if rule.remaining == 0:
                    self._drop(rule)
            seed = f"{self._seed}:{rule.id}:{applied}" if self._seed is not None else None
            return rule, random.Random(seed)
        return None

    def views(self) -> list[dict[str, Any]]:
        self._refresh_counts()
        return super().views()

    def export(self) -> list[dict[str, Any]]:
        self._refresh_counts()
        return super().export()

    # -- internals -----------------------------------------------------------------------------------------
    def _current(self) -> list[Rule]:
        with self._lock:
            return list(self._rules)

    def _share(self, reset_counts: bool = False) -> None:
        with self._lock:
            specs = [rule.spec for rule in self._rules]
        pipe = self._r.pipeline(transaction=True)
        pipe.set(self._specs_key, jsonio.dumps(specs))
        if reset_counts:
            pipe.delete(self._counts_key)
        pipe.execute()
        self._publish("scenarios")

    def _drop(self, rule: Rule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def _refresh_counts(self) -> None:
        """Applied and remaining as every process counted them; used-up rules leave the list."""
        counts = {k.decode(): int(v) for k, v in self._r.hgetall(self._counts_key).items()}
        with self._lock:
            kept = []
            for rule in self._rules:
                rule.applied = counts.get(rule.id, 0)
                times = _times(rule)
                if times is not None:
                    rule.remaining = times - rule.applied
                if rule.remaining is None or rule.remaining > 0:
                    kept.append(rule)
            self._rules = kept
