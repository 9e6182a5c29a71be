"""The schema walker behind jsongen: turns one (sub)schema into one random value, within hard bounds.

Each node is first *flattened*: ``$ref`` and ``allOf`` are expanded into a list of parts, the plain keywords of
all parts are merged (jsongen_merge), and the branching keywords (anyOf/oneOf/not/if) are kept as choices that
are tried one branch at a time; a value produced under a choice is checked against the node's schema before it
is accepted. Failures are ``Fail`` exceptions whose ``kind`` tells jsongen whether retrying can help.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from mockserver.core.patterns import search
from mockserver.generation.jsongen import strings as strs
from mockserver.generation.jsongen.guard import Deadline, room_to_validate, stack_depth, value_shape
from mockserver.generation.jsongen.merge import BRANCHING, Fail, canonical, dumps, merge, types_of
from mockserver.generation.jsongen.numbers import integers, numbers

MAX_DEPTH = 32  # nesting of generated values, and $ref hops within one value
SOFT_DEPTH = 6  # deeper than this, generate the smallest instance (prefer null, no optional properties)
MAX_ITEMS = 1_000  # largest minItems / minProperties honoured
EXTRA_ITEMS = 5  # arrays get at most this many items beyond minItems
MAX_PARTS = 64  # parts one node may expand into via $ref/allOf
MAX_WORK = 10_000  # generated nodes plus validated nodes, per attempt
BUSY_WORK = 1_000  # past this, stop adding optional content
_NOTHING = object()
_SIMPLE_FIRST = ("null", "boolean", "integer", "number", "string", "array", "object")


def escape(key: str) -> str:
    """One JSON pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")


class Walker:
    """One generation attempt: remaining word budget, work counter and the avoid list live here."""

    def __init__(
        self,
        validator: Any,
        rng: random.Random,
        words: Callable[[random.Random, int], list[str]],
        budget: int | None,
        avoid: Sequence[str],
        lean: bool,
        chain: int,
        deadline: Deadline | None = None,
    ) -> None:
        self.validator, self.rng, self._words = validator, rng, words
        self.budget, self.avoid, self.lean, self.chain = budget, avoid, lean, chain
        self.work = 0
        self.deadline = deadline or Deadline()

    # -- helpers -------------------------------------------------------------------------------------------
    def clean(self, text: str) -> bool:
        return not any(s in text for s in self.avoid)

    def word(self) -> str:
        """One word without whitespace, preferring words that contain no stop sequence."""
        w = "x"
        for _ in range(8):
            drawn = self._words(self.rng, 1)
            w = "".join(drawn[0].split()) if drawn else ""
            if w and self.clean(w):
                return w
        return w or "x"

    def tick(self, where: str, cost: int = 1) -> None:
        self.work += cost
        self.deadline.check()
        if self.work > MAX_WORK:
            raise Fail(where, "the schema needs too large or too many instances to try", "limit")

    def valid(self, value: Any, schema: Any, where: str) -> bool:
        """jsonschema's verdict on a sub-value (``descend`` resolves $ref against the root schema)."""
        levels, nodes = value_shape(value)
        self.tick(where, 4 + nodes)
        if not room_to_validate(levels, self.chain):
            raise Fail(where, "values nest too deeply to validate safely", "limit")
        try:
            return next(iter(self.validator.descend(value, schema)), None) is None
        except RecursionError:
            raise Fail(where, "values nest too deeply to validate", "limit") from None
        except (ArithmeticError, ValueError, TypeError) as exc:  # e.g. jsonschema's multipleOf on huge ints
            raise Fail(where, f"jsonschema cannot validate a value here ({exc})", "unsat") from None

    def spend(self, cost: int) -> None:
        if self.budget is not None:
            self.budget -= cost

    def pick(self, candidates: Iterable[Any], ok: Callable[[Any], bool], where: str, what: str) -> Any:
        """First candidate that passes ``ok``, is free of stop sequences and fits the word budget.

        Falls back to the first candidate that merely passes ``ok``: the attempt then fails at the top with
        a message naming the stop sequence or the budget, which is more useful than "no candidate".
        """
        fallback, fallback_cost = _NOTHING, 0
        for candidate in candidates:
            if not ok(candidate):
                continue
            text = dumps(candidate)
            cost = strs.ws_cost(text)
            if self.clean(text) and (self.budget is None or cost <= self.budget):
                self.spend(cost)
                return candidate
            if fallback is _NOTHING:
                fallback, fallback_cost = candidate, cost
        if fallback is _NOTHING:
            raise Fail(where, what, "unlucky")
        self.spend(fallback_cost)
        return fallback

    # -- the walk ------------------------------------------------------------------------------------------
    def value(self, schema: Any, where: str, depth: int, resolver: Any, hint: str) -> Any:
        """A value for ``schema`` at schema location ``where``; ``hint`` is the property name, for realism."""
        self.tick(where)
        if depth > MAX_DEPTH or (depth > 8 and stack_depth() + 200 > sys.getrecursionlimit()):
            raise Fail(
                where,
                f"values nest deeper than {MAX_DEPTH} levels (recursive $ref without an exit?)",
                "limit",
            )
        parts, resolver, where, chain = self.flatten(schema, where, resolver, frozenset())
        simple: dict[str, Any] = {}
        choices: list[dict[str, Any]] = []
        for part in parts:
            choice = {k: part[k] for k in BRANCHING if k in part}
            if choice:
                choices.append(choice)
            simple = merge(simple, {k: v for k, v in part.items() if k not in BRANCHING}, where)
        return self.choose(simple, choices, schema, where, depth, resolver, hint, chain)

    def flatten(
        self, schema: Any, where: str, resolver: Any, chain: frozenset[int]
    ) -> tuple[list[dict[str, Any]], Any, str, frozenset[int]]:
        """Expand $ref and allOf into plain parts; a node reached only through one ``#...`` ref is named by it.

        ``chain`` holds the schema objects already required of this value: requiring one twice adds
        nothing (A and A is A), so it is skipped. That is what stops ``{"anyOf": [{"$ref": "#"}, ...]}``
        from expanding forever without producing a value.
        """
        parts: list[dict[str, Any]] = []
        todo, hops, seen = [schema], 0, 0
        while todo:
            node = todo.pop(0)
            seen += 1
            self.tick(where)
            if seen > MAX_PARTS:
                raise Fail(where, f"$ref/allOf expand into more than {MAX_PARTS} parts", "limit")
            if node is True or id(node) in chain:
                continue
            chain = chain | {id(node)}
            if not isinstance(node, Mapping):
                raise Fail(where, "the schema is `false` here, so no value is valid", "unsat")
            rest = dict(node)
            for key in ("$ref", "$dynamicRef"):
                ref = rest.pop(key, None)
                if not isinstance(ref, str):
                    continue
                hops += 1
                if hops > MAX_DEPTH:
                    raise Fail(where, f"$ref {ref!r} loops (more than {MAX_DEPTH} hops)", "unsat")
                try:
                    resolved = resolver.lookup(ref)
                except Exception:
                    raise Fail(
                        where, f"cannot resolve $ref {ref!r} (only local references work)", "unsat"
                    ) from None
                resolver = resolved.resolver
                todo.append(resolved.contents)
                if ref.startswith("#") and len(node) == 1:
                    where = ref
            todo.extend(rest.pop("allOf", None) or ())
            negated = rest.get("not")
            if isinstance(negated, Mapping) and negated.keys() == {"not"}:  # not-not X is X
                todo.append(rest.pop("not")["not"])
            parts.append(rest)
        return parts, resolver, where, chain

    def choose(
        self,
        simple: dict[str, Any],
        choices: list[dict[str, Any]],
        original: Any,
        where: str,
        depth: int,
        resolver: Any,
        hint: str,
        chain: frozenset[int],
        checked: bool = False,
    ) -> Any:
        """Resolve the choices one keyword at a time (branches in random order); check the final value."""
        if not choices:
            return self.typed(simple, where, depth, resolver, hint, original if checked else _NOTHING)
        first, rest = dict(choices[0]), choices[1:]
        options: list[tuple[str, list[Any]]]
        if "anyOf" in first or "oneOf" in first:
            key = "anyOf" if "anyOf" in first else "oneOf"
            branches = first.pop(key)
            options = [(f"{where}/{key}/{i}", [branches[i]]) for i in self.order(branches, depth)]
        elif "if" in first and ("then" in first or "else" in first):
            cond = first.pop("if")
            options = [(f"{where}/then", [cond, first.pop("then", True)])]
            options.append((f"{where}/else", [{"not": cond}, first.pop("else", True)]))
            self.rng.shuffle(options)
        else:  # `not` (and a lone if/then/else): generate from the rest; the final check enforces it
            return self.choose(simple, rest, original, where, depth, resolver, hint, chain, True)
        remaining = [first] if first.keys() & {"anyOf", "oneOf", "if", "not"} else []
        errors: list[Fail] = []
        for at, subs in options:
            saved = self.budget
            try:
                parts, sub_resolver, _, sub_chain = self.flatten({"allOf": subs}, at, resolver, chain)
                merged, more = simple, list(remaining)
                for part in parts:
                    choice = {k: part[k] for k in BRANCHING if k in part}
                    more += [choice] if choice else []
                    merged = merge(merged, {k: v for k, v in part.items() if k not in BRANCHING}, at)
                return self.choose(
                    merged, more + rest, original, where, depth, sub_resolver, hint, sub_chain, True
                )
            except Fail as exc:
                errors.append(exc)
                self.budget = saved
        hard = [e for e in errors if e.kind != "unsat"]
        raise (hard or errors)[0] if errors else Fail(where, "empty anyOf/oneOf", "unsat")

    def order(self, branches: Sequence[Any], depth: int) -> list[int]:
        """Branch indices to try: random, but when deep or lean the least recursive branches first."""
        indices = list(range(len(branches)))
        self.rng.shuffle(indices)
        if self.lean or depth > SOFT_DEPTH or self.work > BUSY_WORK:
            indices.sort(key=lambda i: _weight(branches[i]))
        return indices

    def typed(self, s: dict[str, Any], where: str, depth: int, resolver: Any, hint: str, check: Any) -> Any:
        """Dispatch on const/enum, else try each allowed type until one gives a value passing ``check``.

        ``check`` is the node's full schema when branching keywords were involved (else ``_NOTHING``): the
        merged ``s`` then only approximates it, and jsonschema has the last word.
        """
        if "const" in s or "enum" in s:
            members = [s["const"]] if "const" in s else list(s["enum"])
            rest = {k: v for k, v in s.items() if k not in ("const", "enum")}
            ok = [
                m
                for m in members
                if m in s.get("enum", [m])
                and (not rest or self.valid(m, rest, where))
                and (check is _NOTHING or self.valid(m, check, where))
            ]
            if not ok:
                raise Fail(where, "no enum/const value satisfies the other constraints", "unsat")
            self.rng.shuffle(ok)
            return self.pick(ok, lambda _: True, where, "enum")
        types = types_of(s)
        lean = self.lean or depth > SOFT_DEPTH or self.work > BUSY_WORK
        if lean:
            types.sort(key=lambda t: _SIMPLE_FIRST.index(t) if t in _SIMPLE_FIRST else 0)
        elif "type" in s:  # untyped schemas keep their order: strings read most naturally
            self.rng.shuffle(types)
            if "null" in types and self.rng.random() > 0.15:
                types.remove("null")
                types.append("null")
        errors: list[Fail] = []
        for t in types:
            saved = self.budget
            try:
                value = self.of_type(t, s, where, depth, resolver, hint, lean)
            except Fail as exc:
                errors.append(exc)
                self.budget = saved
                continue
            if check is _NOTHING or self.valid(value, check, where):
                return value
            errors.append(Fail(where, "no value satisfied anyOf/oneOf/not/if", "unlucky"))
            self.budget = saved
        raise (
            min(errors, key=lambda e: e.kind == "unsat")
            if errors
            else Fail(where, "no type is allowed", "unsat")
        )

    def of_type(
        self, t: str, s: dict[str, Any], where: str, depth: int, resolver: Any, hint: str, lean: bool
    ) -> Any:
        if t == "object":
            return self.an_object(s, where, depth, resolver, lean)
        if t == "array":
            return self.an_array(s, where, depth, resolver, hint, lean)
        if t == "string":
            return self.a_string(s, where, hint)
        if t == "integer":
            what = "could not find an integer meeting minimum/maximum/multipleOf"
            return self.pick(integers(s, self.rng, where), lambda _: True, where, what)
        if t == "number":
            what = "could not find a number meeting minimum/maximum/multipleOf"
            return self.pick(numbers(s, self.rng, where), lambda _: True, where, what)
        if t == "boolean":
            first = self.rng.random() < 0.5
            return self.pick([first, not first], lambda _: True, where, "boolean")
        if t == "null":
            return self.pick([None], lambda _: True, where, "null")
        raise Fail(where, f"unknown type {t!r}", "unsat")

    def a_string(self, s: dict[str, Any], where: str, hint: str) -> str:
        min_len, max_len = _count(s, "minLength", 0), _count(s, "maxLength")
        if min_len > strs.MAX_STRING_LENGTH:
            raise Fail(
                where, f"minLength {min_len} exceeds the mock's limit of {strs.MAX_STRING_LENGTH}", "unsat"
            )
        if max_len is not None and min_len > max_len:
            raise Fail(where, f"minLength {min_len} is greater than maxLength {max_len}", "unsat")
        checks = {k: s[k] for k in ("minLength", "maxLength", "pattern", "format") if k in s}
        lengths = {"minLength": min_len, "maxLength": max_len}
        candidates = strs.string_candidates({**s, **lengths}, self.rng, self.word, self.budget, hint)
        what = f"could not generate a string matching {checks}"
        ok: Callable[[Any], bool] = (lambda c: self.valid(c, checks, where)) if checks else (lambda _: True)
        return str(self.pick(_take(candidates, 40), ok, where, what))

    def an_object(
        self, s: dict[str, Any], where: str, depth: int, resolver: Any, lean: bool
    ) -> dict[str, Any]:
        props: Mapping[str, Any] = s.get("properties") or {}
        patterns: Mapping[str, Any] = s.get("patternProperties") or {}
        extra = s.get("additionalProperties", s.get("unevaluatedProperties", True))
        required = list(dict.fromkeys(s.get("required") or ()))
        min_p, max_p = _count(s, "minProperties", 0), _count(s, "maxProperties")
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
        min_i, max_i = _count(s, "minItems", 0), _count(s, "maxItems")
        contains, min_c = s.get("contains"), _count(s, "minContains", 1)
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
            value: Any = _NOTHING
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
            if value is _NOTHING:
                if i < least:
                    raise Fail(at, "cannot generate enough distinct items for uniqueItems", "unlucky")
                break
            seen.add(canonical(value))
            out.append(value)
        return out


def _count(s: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A length/count keyword as an int (JSON Schema allows 5.0 for 5)."""
    value = s.get(key, default)
    return None if value is None else int(value)


def _weight(schema: Any) -> int:
    """How recursive/heavy a branch looks: $ref and required counts (bounded scan); null branches win."""
    if isinstance(schema, Mapping) and schema.get("type") == "null":
        return -1
    total, stack, seen = 0, [schema], 0
    while stack and seen < 200:
        node = stack.pop()
        seen += 1
        if isinstance(node, Mapping):
            total += 10 * ("$ref" in node) + len(node.get("required") or ())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return total


def _take(items: Iterable[Any], n: int) -> Iterable[Any]:
    for i, item in enumerate(items):
        if i >= n:
            return
        yield item
