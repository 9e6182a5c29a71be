"""Format checkers that answer for hostile input instead of raising.

jsonschema's ``regex`` format compiles the value with ``re.compile`` and counts only ``re.error`` as "not a regex";
a body can make it raise other errors — ``(?a)(?u)`` a ValueError, ``a{4294967296}`` an OverflowError, a few
thousand nested groups a RecursionError — which escaped validation as a 500. Here each is a value that is not a
regex (a 400 naming it), in the request validator and in the check of a tool declaration's schema alike.
"""

from __future__ import annotations

import re

from jsonschema import FormatChecker

#: Everything ``re.compile`` raises for a string it cannot take.
NOT_A_REGEX = (re.error, ValueError, OverflowError, RecursionError)


def is_regex(value: object) -> bool:
    """Whether ``value`` compiles as a Python regex (a non-string passes: ``format`` applies to strings)."""
    if not isinstance(value, str):
        return True
    try:
        re.compile(value)
    except NOT_A_REGEX:
        return False
    return True


def robust(checker: FormatChecker) -> FormatChecker:
    """A copy of ``checker`` whose ``regex`` format never raises (the original is left as it was: jsonschema's
    validators share theirs)."""
    copy = FormatChecker(())
    copy.checkers = dict(checker.checkers)
    if "regex" in copy.checkers:
        copy.checks("regex")(is_regex)
    return copy
