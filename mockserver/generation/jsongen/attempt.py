"""One generation attempt's state and checks: the word budget, the work counter, the stop sequences to avoid,
and jsonschema's verdict on sub-values. The walk (walk.py) and the containers (containers.py) build on it."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mockserver.generation.jsongen import strings as strs
from mockserver.generation.jsongen.guard import Deadline, room_to_validate, value_shape
from mockserver.generation.jsongen.merge import Fail, dumps

MAX_WORK = 10_000  # generated nodes plus validated nodes, per attempt
NOTHING = object()


class Attempt:
    """Budgets and checks shared by every step of one attempt."""

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
        fallback, fallback_cost = NOTHING, 0
        for candidate in candidates:
            if not ok(candidate):
                continue
            text = dumps(candidate)
            cost = strs.ws_cost(text)
            if self.clean(text) and (self.budget is None or cost <= self.budget):
                self.spend(cost)
                return candidate
            if fallback is NOTHING:
                fallback, fallback_cost = candidate, cost
        if fallback is NOTHING:
            raise Fail(where, what, "unlucky")
        self.spend(fallback_cost)
        return fallback
