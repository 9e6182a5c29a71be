"""JSON mode for the mock: a random instance of the caller's ``response_json_schema``, as compact JSON text.

Gemini's structured output promises a document valid against the schema, so the mock generates from the
schema and then *validates* the result with jsonschema, retrying a bounded number of times. The schema is
untrusted HTTP input: its size and nesting are checked up front, every walk is bounded (value depth, ``$ref``
hops, total work) and every failure surfaces as SchemaGenerationError, which the caller reports as a failed
job. Keyword handling that is not exact (pattern, conflicting allOf parts, oneOf overlap) is fine because
the final validation decides.

Layout: this module is the API and the retry loop; jsongen_guard.py the safety checks, jsongen_walk.py the
schema walker, jsongen_merge.py allOf merging and small helpers, jsongen_numbers.py and jsongen_strings.py
the leaf values.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jsonschema.exceptions import SchemaError, best_match
from jsonschema.validators import Draft202012Validator, validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockserver.generation.jsongen.attempt import MAX_WORK
from mockserver.generation.jsongen.guard import (
    Deadline,
    GenerationTimeout,
    inplace_chain,
    measure,
    room_to_validate,
    value_shape,
)
from mockserver.generation.jsongen.linear import linear, refuse_unsupported
from mockserver.generation.jsongen.merge import Fail, dumps, pointer
from mockserver.generation.jsongen.walk import Walker

__all__ = ["GenerationTimeout", "SchemaGenerationError", "generate_json_text"]

MAX_ATTEMPTS = 20  # generate-and-validate rounds per call
TOTAL_WORK = 2 * MAX_WORK  # walker work summed over the attempts of one call


class SchemaGenerationError(ValueError):
    """The schema is invalid, unsatisfiable, too large/deep, or cannot meet the word budget / avoid list.

    The message is human readable and says what went wrong and where (a JSON pointer into the schema).
    """


#: What ``schema=None`` (plain JSON mode) produces: a small, plausible document.
DEFAULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "items": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 5},
    },
    "required": ["title", "summary", "items"],
}


def generate_json_text(
    schema: Mapping[str, Any] | None,
    *,
    rng: random.Random,
    words: Callable[[random.Random, int], list[str]],
    max_words: int | None = None,
    avoid: Sequence[str] = (),
    deadline: float | None = None,
) -> str:
    """Return compact JSON text of an instance valid against ``schema`` (any small object when None).

    GenerationTimeout once ``time.monotonic()`` passes ``deadline`` (checked as the walk goes).

    ``len(text.split()) <= max_words`` when given, and no string of ``avoid`` occurs in the text. All
    randomness comes from ``rng`` (same seed, same text). Raises SchemaGenerationError, and nothing else, when
    the schema is invalid, unsatisfiable, too large or too deep, or the word budget / avoid list cannot be met.
    """
    try:
        return _generate(
            DEFAULT_SCHEMA if schema is None else schema, rng, words, max_words, avoid, Deadline(deadline)
        )
    except (SchemaGenerationError, GenerationTimeout):
        raise
    except Fail as exc:
        raise SchemaGenerationError(exc.message()) from None
    except RecursionError as exc:
        raise SchemaGenerationError("response_json_schema is nested too deeply to process") from exc
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a bug, an odd input or a pyo3 panic must fail the job, not the server
        raise SchemaGenerationError(f"could not generate JSON for response_json_schema ({exc!r})") from exc


def _generate(
    schema: Any,
    rng: random.Random,
    words: Callable[[random.Random, int], list[str]],
    max_words: int | None,
    avoid: Sequence[str],
    deadline: Deadline,
) -> str:
    """Generate-check loop: each attempt draws afresh from ``rng``; fatal schema problems stop it early."""
    copy, validator, resolver, chain = _prepare(schema)
    stops = tuple(dict.fromkeys(s for s in avoid if s))
    budget = None if max_words is None else max(0, max_words - 1)
    lean = False
    problems: dict[str, int] = {}
    last: dict[str, str] = {}
    spent = 0
    for _ in range(MAX_ATTEMPTS):
        if spent > TOTAL_WORK:  # many cheap failures are fine; many expensive ones would stall the server
            break
        deadline.check()
        walker = Walker(validator, rng, words, budget, stops, lean, chain, deadline)
        try:
            value = walker.value(copy, "#", 0, resolver, "")
        except Fail as exc:
            spent += walker.work
            if exc.kind == "unsat" or (exc.kind == "limit" and lean):
                raise SchemaGenerationError(exc.message()) from None
            lean = lean or exc.kind == "limit"
            _note(problems, last, "fail", exc.message())
            continue
        spent += walker.work
        text = dumps(value)
        hit = next((s for s in stops if s in text), None)
        if max_words is not None and len(text.split()) > max_words:
            budget = 0
            _note(problems, last, "words", f"cannot fit the JSON output within {max_words} words")
        elif hit is not None:
            _note(problems, last, f"stop:{hit}", f"cannot avoid stop sequence {hit!r} in the JSON output")
        elif not room_to_validate(value_shape(value)[0], chain):
            lean = True
            _note(problems, last, "deep", "the generated value nests too deeply to validate safely")
        else:
            deadline.check()
            try:
                error = best_match(validator.iter_errors(value))
            except (ArithmeticError, ValueError, TypeError) as exc:  # e.g. multipleOf on huge ints
                raise SchemaGenerationError(
                    f"jsonschema cannot validate values for this schema ({exc})"
                ) from None
            if error is None:
                return text
            where = pointer(error.absolute_schema_path)
            _note(
                problems,
                last,
                "invalid",
                f"could not generate a valid instance: {error.message} (at {where})",
            )
    worst = max(problems, key=lambda k: problems[k])
    raise SchemaGenerationError(f"{last[worst]} (after {sum(problems.values())} attempts)")


def _note(problems: dict[str, int], last: dict[str, str], key: str, message: str) -> None:
    problems[key] = problems.get(key, 0) + 1
    last[key] = message


def _prepare(schema: Any) -> tuple[Any, Any, Any, int]:
    """Check size and nesting, then parse a private copy once per distinct schema text (cached)."""
    if not isinstance(schema, (Mapping, bool)):
        raise SchemaGenerationError("response_json_schema must be a JSON object (or boolean)")
    measure(schema)
    try:
        text = json.dumps(schema, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_plain)
    except (TypeError, ValueError) as exc:
        raise SchemaGenerationError(f"response_json_schema is not plain JSON: {exc}") from None
    return _compile(text)


@functools.lru_cache(maxsize=64)
def _compile(text: str) -> tuple[Any, Any, Any, int]:
    """(schema copy, validator, ref resolver, longest in-place chain); the copy is private to the mock."""
    copy = json.loads(text)
    dialect = copy.get("$schema") if isinstance(copy, dict) else None
    cls: Any = validator_for(copy, default=Draft202012Validator) if isinstance(dialect, str) else None
    cls = cls or Draft202012Validator
    try:
        cls.check_schema(copy)
    except SchemaError as exc:
        where = pointer(exc.absolute_path)
        message = f"response_json_schema is not a valid JSON Schema: {exc.message} (at {where})"
        raise SchemaGenerationError(message) from None
    # The dialect's own FormatChecker: a bare FormatChecker() mixes drafts (its "time" is draft 3's, which
    # rejects RFC 3339 times). An empty Registry: no remote $ref is ever fetched (jsonschema adds the
    # official metaschemas itself).
    # Regex keywords on RE2: a caller's pattern must not be able to stall the server (linear.py).
    refuse_unsupported(copy)
    validator = linear(cls)(copy, format_checker=cls.FORMAT_CHECKER, registry=Registry())
    resource: Resource[Any] = Resource.from_contents(copy, default_specification=DRAFT202012)
    resolver = Registry().resolver_with_root(resource)
    return copy, validator, resolver, inplace_chain(copy, resolver)


def _plain(value: Any) -> Any:
    """json.dumps fallback: any Mapping is an object (the caller may pass a MappingProxy or similar)."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
