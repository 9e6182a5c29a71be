"""Deterministic outcomes: response_text from a seeded Faker, JSON mode via jsongen, credits by formula.

The same request (or the same ``config.seed``) always gives the same text, run after run. Generation has a
time budget (a deadline on the monotonic clock, checked as JSON mode walks the schema) and a size budget.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from faker import Faker

from mockserver.contract import ranges
from mockserver.core.models import JobStatus, Outcome
from mockserver.generation.jsongen.generate import (
    GenerationTimeout,
    SchemaGenerationError,
    generate_json_text,
)
from mockserver.generation.tools import FunctionCall, ToolError, answer_after_response, decide, parse_toolbox

#: Credits per 1,000 tokens (prompt + output), by the first matching model-name fragment. Documented in the
#: README; Creatify's real rates for text generation are not published.
CREDIT_RATES: tuple[tuple[str, float], ...] = (
    ("flash-lite", 0.05),
    ("flash", 0.1),
    ("pro", 0.5),
    ("", 0.2),
)
MIN_WORDS, MAX_WORDS = 25, 90
#: Largest response_text the mock will store and serve (characters); a bigger one fails the job.
MAX_RESPONSE_CHARS = 1_000_000


def credits_for(
    model_name: str, prompt_tokens: int, output_tokens: int, rates: tuple[tuple[str, float], ...] = ()
) -> float:
    """``rate(model) * (prompt_tokens + output_tokens) / 1000``, at least one token, rounded to 6 places;
    ``rates`` (``--credit-rates``, e.g. from ``creatify-mock calibrate``) are tried before the built-in ones."""
    rate = next(r for fragment, r in (*rates, *CREDIT_RATES) if fragment in model_name)
    return round(rate * max(1, prompt_tokens + output_tokens) / 1000, 6)


def count_tokens(text: str) -> int:
    """The mock's token: a whitespace-separated word (so ``max_output_tokens`` caps words)."""
    return len(text.split())


def prompt_tokens(request: Mapping[str, Any]) -> int:
    """Tokens of the prompt: the system instruction plus every message's content."""
    messages = request.get("messages") or []
    prompt = " ".join([request.get("system_instruction", "")] + [m.get("content", "") for m in messages])
    return count_tokens(prompt)


def seed_of(request: Mapping[str, Any]) -> int:
    """``config.seed`` when given, else a stable hash of the whole request."""
    config = request.get("config") or {}
    if isinstance(config.get("seed"), int):
        return int(config["seed"])
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return int.from_bytes(hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).digest()[:8], "big")


class Generator:
    """Turns a validated request into an Outcome; thread-safe (one Faker behind a lock)."""

    def __init__(self, rates: tuple[tuple[str, float], ...] = ()) -> None:
        self._rates = rates
        self._faker = Faker("en_US")
        self._lock = threading.Lock()
        self._word_list: tuple[str, ...] = tuple(self._faker.get_words_list())

    def words(self, rng: random.Random, n: int) -> list[str]:
        return [rng.choice(self._word_list) for _ in range(n)]

    def bounded(self, request: Mapping[str, Any], budget: float, spent: float = 0.0) -> Outcome:
        """``outcome`` within what is left of ``budget`` seconds (``spent`` already went on an earlier try);
        past it the job fails, as Gemini answers a missed deadline."""
        try:
            return self.outcome(request, time.monotonic() + budget - spent)
        except GenerationTimeout:
            return Outcome(JobStatus.FAILED, failed_reason=deadline_reason(budget))

    def outcome(
        self, request: Mapping[str, Any], deadline: float | None = None, calls: bool = True
    ) -> Outcome:
        """How the request ends; GenerationTimeout once ``time.monotonic()`` passes ``deadline``. With ``calls``
        (the default) the declared ``tools`` may make it a function-call answer (``response_text`` null, the
        calls in ``function_calls``), else it is always text."""
        config: Mapping[str, Any] = request.get("config") or {}
        reason = ranges.failed_reason(config)
        if reason:
            return Outcome(JobStatus.FAILED, failed_reason=reason)
        seed = seed_of(request)
        if calls and request.get("tools"):
            called = self._calls(request, seed)
            if called is not None:
                return called
        max_words = config.get("max_output_tokens")
        stops = [s for s in config.get("stop_sequences") or [] if s]
        after = answer_after_response(request.get("messages") or [])
        if config.get("response_mime_type") == "application/json":
            try:
                text = generate_json_text(
                    config.get("response_json_schema"),
                    rng=random.Random(seed),
                    words=self.words,
                    max_words=max_words,
                    avoid=stops,
                    deadline=deadline,
                )
            except SchemaGenerationError as exc:
                return Outcome(JobStatus.FAILED, failed_reason=f"400 INVALID_ARGUMENT: {exc}")
        elif after is not None:
            text = _cut(after, max_words, stops)
        else:
            text = self.text(seed, max_words, stops)
        if len(text) > MAX_RESPONSE_CHARS:
            reason = f"400 INVALID_ARGUMENT: the response would exceed {MAX_RESPONSE_CHARS} characters"
            return Outcome(JobStatus.FAILED, failed_reason=reason)
        return Outcome(JobStatus.DONE, response_text=text, credits_used=self.credits(request, text))

    def _calls(self, request: Mapping[str, Any], seed: int) -> Outcome | None:
        """A function-call outcome, a failed one when a declaration cannot be satisfied, None for a text answer."""
        try:
            toolbox = parse_toolbox(request.get("tools"), request.get("tool_config"))
            made = decide(toolbox, request.get("messages") or [], seed, self.words)
        except (ToolError, SchemaGenerationError) as exc:
            return Outcome(JobStatus.FAILED, failed_reason=f"400 INVALID_ARGUMENT: function calling: {exc}")
        if not made:
            return None
        return self.done(request, None, None, made)

    def done(
        self,
        request: Mapping[str, Any],
        text: str | None = None,
        credits: float | None = None,
        calls: list[FunctionCall] | None = None,
        budget: float | None = None,
    ) -> Outcome:
        """A ``done`` outcome decided from outside (admin move, scenario rule): the given text, else the
        generated outcome (its calls included; plain text when generation would fail or outlast ``budget``), and
        credits for that text unless given. ``calls`` forces them (``[]``: a text answer, whatever the tools)."""
        if calls:
            views = [call.view() for call in calls]
            spent = self.credits(request, f"{text or ''} {calls_text(views)}")
            return Outcome(
                JobStatus.DONE,
                response_text=text,
                credits_used=spent if credits is None else credits,
                function_calls=views,
            )
        if text is None:
            deadline = None if budget is None else time.monotonic() + budget
            try:
                generated = self.outcome(request, deadline, calls=calls is None)
                if generated.status is JobStatus.DONE:
                    return generated if credits is None else replace(generated, credits_used=credits)
                text = self.outcome(request, deadline, calls=False).response_text
            except GenerationTimeout:
                text = None
            text = text or self.text(0, None, [])
        return Outcome(
            JobStatus.DONE,
            response_text=text,
            credits_used=self.credits(request, text) if credits is None else credits,
        )

    def credits(self, request: Mapping[str, Any], text: str) -> float:
        """Credits for a done job: see ``credits_for``; the prompt is the system instruction plus every message."""
        return credits_for(request["model_name"], prompt_tokens(request), count_tokens(text), self._rates)

    def hit_word_limit(self, request: Mapping[str, Any]) -> bool:
        """Whether ``max_output_tokens`` cut the generated plain text short (Gemini's ``MAX_TOKENS``)."""
        config: Mapping[str, Any] = request.get("config") or {}
        max_words = config.get("max_output_tokens")
        if max_words is None or config.get("response_mime_type") == "application/json":
            return False
        stops = [s for s in config.get("stop_sequences") or [] if s]
        return count_tokens(self.text(seed_of(request), None, stops)) > int(max_words)

    def text(self, seed: int, max_words: int | None, stops: list[str]) -> str:
        """Faker sentences; cut at the first stop sequence (as Gemini stops there), then to ``max_words``."""
        rng = random.Random(seed)
        target = rng.randint(MIN_WORDS, MAX_WORDS)
        if max_words is not None:
            target = min(target, max_words)
        with self._lock:
            self._faker.seed_instance(seed)
            parts: list[str] = []
            count = 0
            while count < target:
                sentence = self._faker.sentence(nb_words=rng.randint(6, 14))
                parts.append(sentence)
                count += len(sentence.split())
        text = " ".join(parts)
        cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
        if cut >= 0:
            text = text[:cut].rstrip()
        tokens = text.split()
        if max_words is not None and len(tokens) > max_words:
            text = " ".join(tokens[:max_words])
        return text


def deadline_reason(budget: float) -> str:
    """Gemini's answer to a call that outlasts its deadline, with the mock's budget named."""
    return (
        f"504 DEADLINE_EXCEEDED: generation took longer than the mock's budget of {budget:g} s "
        "(--generation-budget)."
    )


def calls_text(calls: list[dict[str, Any]]) -> str:
    """What the mock counts as the output of a function-call answer: each call's name and ``args`` as JSON."""
    return " ".join(f"{c['name']} {json.dumps(c['args'], ensure_ascii=False, sort_keys=True)}" for c in calls)


def _cut(text: str, max_words: int | None, stops: list[str]) -> str:
    """``text`` cut at the first stop sequence, then to ``max_words`` (as generated text is)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    if cut >= 0:
        text = text[:cut].rstrip()
    tokens = text.split()
    return " ".join(tokens[:max_words]) if max_words is not None and len(tokens) > max_words else text
