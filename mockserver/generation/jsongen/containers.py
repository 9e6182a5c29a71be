"""Objects and arrays for the walk: which properties and how many items, honouring required, min/max counts,
patternProperties, propertyNames, dependentRequired, prefixItems, contains and uniqueItems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.core.patterns import search
from mockserver.generation.jsongen import strings as strs
from mockserver.generation.jsongen.attempt import NOTHING, Attempt
from mockserver.generation.jsongen.merge import Fail, canonical, dumps

MAX_ITEMS = 1_000  # largest minItems / minProperties honoured
EXTRA_ITEMS = 5  # arrays get at most this many items beyond minItems


def escape(key: str) -> str:
    """One JSON pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")


class Containers(Attempt):
    """The object and array steps; ``value`` (the walk itself) generates each member."""

    def value(self, schema: Any, where: str, depth: int, resolver: Any, hint: str) -> Any:
        raise NotImplementedError  # the Walker's

    def an_object(
        self, s: dict[str, Any], where: str, depth: int, resolver: Any, lean: bool
    ) -> dict[str, Any]:
        props: Mapping[str, Any] = s.get("properties") or {}
        patterns: Mapping[str, Any] = s.get("patternProperties") or {}
        extra = s.get("additionalProperties", s.get("unevaluatedProperties", True))
        required = list(dict.fromkeys(s.get("required") or ()))
        min_p, max_p = count(s, "minProperties", 0), count(s, "maxProperties")
        if min_p > MAX_ITEMS:
            raise Fail(where, f"minProperties {min_p} exceeds the mock's limit of {MAX_ITEMS}", "unsat")
        if max_p is not None and max(len(required), min_p) > max_p:
            raise Fail(where, "more properties are required than maxProperties allows", "unsat")
        for key in required:
            if extra is False and key not in props and not any(search(p, key) for p in patterns):
                why = f"required property {key!r} is not allowed (additionalProperties is false)"
                raise Fail(where, why, "unsat")
        keys = list(required)
        names = s.get("propertyNames")
        usable = [k for k in props if k not in keys and (names is None or self.valid(k, names, where))]
        for key in usable:
            if (max_p is None or len(keys) < max_p) and not lean and self.rng.random() < 0.7:
                keys.append(key)
        for key in keys:  # dependentRequired: grows while iterating, which is the closure we want
            keys += [d for d in (s.get("dependentRequired") or {}).get(key, ()) if d not in keys]
        keys += [k for k in usable if k not in keys][: max(0, min_p - len(keys))]
        while len(keys) < min_p:
            keys.append(self.new_name(keys, s, where, depth, resolver))
        out: dict[str, Any] = {}
        for key in keys:
            schemas = [props[key]] if key in props else []
            schemas += [p for pat, p in patterns.items() if search(pat, key)]
            saved = self.budget
            encoded = dumps(key)
            if key not in required and (
                not self.clean(encoded) or (self.budget is not None and strs.ws_cost(encoded) > self.budget)
            ):
                continue
            self.spend(strs.ws_cost(encoded))
            sub = schemas[0] if len(schemas) == 1 else {"allOf": schemas or [extra]}
            try:
                out[key] = self.value(sub, f"{where}/properties/{escape(key)}", depth + 1, resolver, key)
            except Fail:
                self.budget = saved
                if key in required or len(out) < min_p:
                    raise
        ordering = s.get("propertyOrdering")
        if isinstance(ordering, list):
            rank = {k: i for i, k in enumerate(ordering)}
            out = dict(sorted(out.items(), key=lambda kv: rank.get(kv[0], len(rank))))
        return out

    def new_name(self, taken: list[str], s: Mapping[str, Any], where: str, depth: int, resolver: Any) -> str:
        """A fresh property name for minProperties: from patternProperties when only those are allowed,
        else from propertyNames (a string schema) when given, else a word."""
        patterns: Mapping[str, Any] = s.get("patternProperties") or {}
        names = s.get("propertyNames")
        extra = s.get("additionalProperties", s.get("unevaluatedProperties", True))
        for _ in range(20):
            if extra is False:
                if not patterns:
                    break
                pattern = self.rng.choice(list(patterns))
                base = next(iter(strs.pattern_strings(pattern, self.rng, self.word, "-")), "")
                # An open-ended pattern (`^x_`) still matches with a word added: many names, not one.
                fresh = [c for c in (base, base + self.word(), self.word() + base) if c not in taken]
                name: Any = next((c for c in fresh if search(pattern, c)), base)
            elif isinstance(names, Mapping) and names:
                try:
                    name = self.value(names, f"{where}/propertyNames", depth + 1, resolver, "name[]")
                except Fail:
                    continue
            else:
                name = self.word()
            if (
                isinstance(name, str)
                and name not in taken
                and (names is None or self.valid(name, names, where))
            ):
                return name
        raise Fail(where, "cannot invent enough property names for minProperties", "unsat")

    def an_array(
        self, s: dict[str, Any], where: str, depth: int, resolver: Any, hint: str, lean: bool
    ) -> list[Any]:
        prefix: list[Any] = list(s.get("prefixItems") or ())
        items = s.get("items", True)
        if isinstance(items, list):  # draft 2019-09 and older: tuple form plus additionalItems
            prefix, items = items, s.get("additionalItems", True)
        min_i, max_i = count(s, "minItems", 0), count(s, "maxItems")
        contains, min_c = s.get("contains"), count(s, "minContains", 1)
        min_c = min_c if contains is not None else 0
        least = max(min_i, min_c)
        if least > MAX_ITEMS:
            raise Fail(
                where, f"minItems/minContains {least} exceeds the mock's limit of {MAX_ITEMS}", "unsat"
            )
        limits = (max_i, len(prefix) if items is False else None, least + EXTRA_ITEMS)
        cap = min(x for x in limits if x is not None)
        if least > cap:
            why = "minItems/minContains cannot be met within maxItems (or prefixItems with items: false)"
            raise Fail(where, why, "unsat")
        n = least if lean else min(cap, max(least, self.rng.randint(1, 4), len(prefix)))
        # Items that must also match `contains`: right after the prefix, else the last prefix slots.
        tail = list(range(len(prefix), n))[:min_c]
        must_contain = set(tail + list(range(len(prefix)))[::-1][: min_c - len(tail)])
        unique = s.get("uniqueItems") is True
        out: list[Any] = []
        seen: set[str] = set()
        for i in range(n):
            sub = prefix[i] if i < len(prefix) else items
            at = f"{where}/prefixItems/{i}" if i < len(prefix) else f"{where}/items"
            if i in must_contain:
                sub = {"allOf": [sub, contains]}
            value: Any = NOTHING
            for _ in range(8 if unique else 1):
                saved = self.budget
                try:
                    candidate = self.value(sub, at, depth + 1, resolver, f"{hint}[]")
                except Fail:
                    if i < least:
                        raise
                    break
                if not unique or canonical(candidate) not in seen:
                    value = candidate
                    break
                self.budget = saved
            if value is NOTHING:
                if i < least:
                    raise Fail(at, "cannot generate enough distinct items for uniqueItems", "unlucky")
                break
            seen.add(canonical(value))
            out.append(value)
        return out


def count(s: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A length/count keyword as an int (JSON Schema allows 5.0 for 5)."""
    value = s.get(key, default)
    return None if value is None else int(value)
