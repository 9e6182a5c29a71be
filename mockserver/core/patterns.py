"""Regular expressions from untrusted input, matched in linear time (RE2), never by a backtracking engine.

Patterns come from HTTP clients (``response_json_schema``'s ``pattern`` and ``patternProperties``) and from
scenario rules. Python's ``re`` backtracks and holds the interpreter lock while it does: ``^(a+)+$`` against
forty letters and a dash stalls every thread of the server for minutes. RE2 (``google-re2``) matches in time
linear in the input, so no pattern can do that; the price is that lookarounds and backreferences, which need
backtracking, are refused with a message that says so.
"""

from __future__ import annotations

import functools
from typing import Any

import re2


class PatternError(ValueError):
    """A pattern RE2 cannot run; the message names the pattern and the construct."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported to the caller, not printed on stderr
    return options


_OPTIONS = _options()


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 program for ``pattern`` (cached); PatternError when RE2 cannot run it."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        detail = (
            exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        )
        raise PatternError(
            f"pattern {pattern!r} cannot run on the linear-time regex engine (RE2: {detail}); "
            "lookarounds and backreferences are not supported"
        ) from None
    except (TypeError, ValueError) as exc:  # e.g. a lone surrogate RE2 cannot encode
        raise PatternError(
            f"pattern {pattern!r} cannot run on the linear-time regex engine ({exc})"
        ) from None


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches anywhere in ``text`` (as ``re.search``), in linear time."""
    try:
        return compile_pattern(pattern).search(text) is not None
    except (TypeError, ValueError) as exc:  # text RE2 cannot encode (lone surrogates): no match
        if isinstance(exc, PatternError):
            raise
        return False
