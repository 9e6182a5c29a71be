"""The schema walker behind jsongen: turns one (sub)schema into one random value, within hard bounds.

Each node is first *flattened*: ``$ref`` and ``allOf`` are expanded into a list of parts, the plain keywords of
all parts are merged (merge.py), and the branching keywords (anyOf/oneOf/not/if) are kept as choices that
are tried one branch at a time; a value produced under a choice is checked against the node's schema before it
is accepted. Failures are ``Fail`` exceptions whose ``kind`` tells generate.py whether retrying can help.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from mockserver.generation.jsongen import strings as strs
from mockserver.generation.jsongen.attempt import NOTHING
from mockserver.generation.jsongen.containers import Containers, count
from mockserver.generation.jsongen.guard import stack_depth
from mockserver.generation.jsongen.merge import BRANCHING, Fail, merge, types_of
from mockserver.generation.jsongen.numbers import integers, numbers

MAX_DEPTH = 32  # nesting of generated values, and $ref hops within one value
SOFT_DEPTH = 6  # deeper than this, generate the smallest instance (prefer null, no optional properties)
MAX_PARTS = 64  # parts one node may expand into via $ref/allOf
BUSY_WORK = 1_000  # past this, stop adding optional content
_SIMPLE_FIRST = ("null", "boolean", "integer", "number", "string", "array", "object")


class Walker(Containers):
    """One generation attempt: flatten each node, resolve its choices, then generate a value of a type."""

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
            return self.typed(simple, where, depth, resolver, hint, original if checked else NOTHING)
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

        ``check`` is the node's full schema when branching keywords were involved (else ``NOTHING``): the
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
                and (check is NOTHING or self.valid(m, check, where))
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
            if check is NOTHING or self.valid(value, check, where):
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
        min_len, max_len = count(s, "minLength", 0), count(s, "maxLength")
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
