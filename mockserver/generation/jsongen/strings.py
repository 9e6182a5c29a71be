"""String values for jsongen: text built from words, ``format`` values and strings matching a ``pattern``.

Split out of jsongen.py so the schema walker stays readable. Everything here only *proposes* candidates; the
walker checks each against the schema (with jsonschema) and keeps the first that passes, so a wrong guess
here costs a retry, never an invalid response. All randomness comes from the ``rng`` passed in, which keeps
the mock deterministic per seed.
"""

from __future__ import annotations

import base64
import importlib
import random
import string
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

#: Longest string the mock will build (``minLength`` above this is refused, not allocated).
MAX_STRING_LENGTH = 10_000

Word = Callable[[], str]

# The stdlib regex parser (``re._parser`` since 3.11, ``sre_parse`` before): it is what ``re`` itself uses,
# so every pattern jsonschema accepts parses here the same way. Loaded dynamically because the module is
# private (and ``import sre_parse`` warns on 3.11+).
try:
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    _sre = importlib.import_module("sre_parse")

_LONG_HINTS: tuple[str, ...] = ("description", "summary", "text", "content", "body", "message", "answer")
_LONG_HINTS += ("explanation", "reason", "details", "comment", "bio", "caption", "script", "review", "story")
_SHORT_HINTS = ("title", "name", "label", "heading", "headline", "subject", "topic", "category")
_FORMAT_HINTS = {
    "email": "email",
    "url": "uri",
    "uri": "uri",
    "website": "uri",
    "link": "uri",
    "uuid": "uuid",
}
_SAFE_CHARS = string.ascii_lowercase + string.digits
_NEGATION_POOL = string.ascii_letters + string.digits + "-_.:/ "


class PatternUnsupported(Exception):
    """The pattern uses something this generator cannot produce (or would produce something too long)."""


def ws_cost(encoded: str) -> int:
    """Whitespace runs in one JSON-encoded string: how many extra words it adds to the document."""
    return len(encoded.split()) - 1 if encoded else 0


def slug(word: str) -> str:
    """A word reduced to ``[a-z0-9]`` (hostnames, emails and URLs must stay valid whatever ``words`` gives)."""
    return "".join(c for c in word.lower() if c in _SAFE_CHARS) or "item"


def word_range(hint: str) -> tuple[int, int]:
    """How many words a plain string gets: long for description-like keys, short for names and list items."""
    h = hint.lower()
    if h.endswith("[]"):
        return (1, 3)
    if h == "" or any(x in h for x in _LONG_HINTS):
        return (8, 20)
    if any(x in h for x in _SHORT_HINTS):
        return (2, 6)
    return (1, 4)


def format_value(fmt: str, rng: random.Random, word: Word) -> str | None:
    """A realistic value for a JSON Schema ``format`` (None when the format is unknown: plain text is fine)."""
    f = fmt.lower()
    date = f"{rng.randint(2000, 2030):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    time = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    values: dict[str, Callable[[], str]] = {
        "date-time": lambda: f"{date}T{time}",
        "date": lambda: date,
        "time": lambda: time,
        "email": lambda: f"{slug(word())}.{slug(word())}@example.com",
        "uri": lambda: f"https://www.{slug(word())}.com/{slug(word())}",
        "uuid": lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "ipv4": lambda: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
        "ipv6": lambda: ":".join(f"{rng.getrandbits(16):x}" for _ in range(8)),
        "hostname": lambda: f"{slug(word())}.example.com",
        "duration": lambda: f"P{rng.randint(1, 30)}DT{rng.randint(1, 23)}H",
        "json-pointer": lambda: f"/{slug(word())}/{slug(word())}",
        "relative-json-pointer": lambda: f"{rng.randint(0, 3)}/{slug(word())}",
        "regex": lambda: "^[a-z]+$",
        "byte": lambda: base64.b64encode(slug(word()).encode()).decode(),
    }
    aliases = {"idn-email": "email", "url": "uri", "iri": "uri", "uri-reference": "uri"}
    aliases |= {"iri-reference": "uri", "uri-template": "uri", "idn-hostname": "hostname"}
    make = values.get(aliases.get(f, f))
    return make() if make else None


def plain_text(
    rng: random.Random, word: Word, spaces: int | None, hint: str, min_len: int, max_len: int | None
) -> str:
    """Words joined by spaces while the word budget lasts (then by '-'), fitted to minLength/maxLength."""
    lo, hi = word_range(hint)
    n = rng.randint(lo, hi)
    if max_len is not None:
        n = max(1, min(n, max_len // 5))
    if spaces is not None:  # without spaces to spare, long hyphenated chains read badly: keep it short
        n = min(n, spaces + 3)
    text, used = word(), 0
    for i in range(1, n + max(0, min_len)):
        if i >= n and len(text) >= min_len:
            break
        sep = " " if spaces is None or used < spaces else "-"
        used += sep == " "
        text += sep + word()
    if max_len is not None and len(text) > max_len:
        text = text[:max_len].rstrip(" -")
    if len(text) < min_len:
        text += "x" * (min_len - len(text))
    if n > 1 and hi > 4:  # sentence- or title-like text reads better capitalised
        text = text[:1].upper() + text[1:]
    return text


def string_candidates(
    schema: Mapping[str, Any], rng: random.Random, word: Word, spaces: int | None, hint: str
) -> Iterator[str]:
    """Candidate strings for a string schema, most specific first (pattern, then format, then plain text)."""
    min_len = schema.get("minLength", 0)
    max_len = schema.get("maxLength")
    pattern, fmt = schema.get("pattern"), schema.get("format")
    if isinstance(pattern, str):
        for found in pattern_strings(pattern, rng, word, " " if spaces is None or spaces > 0 else "\t"):
            yield found
            if len(found) < min_len:  # an unanchored pattern may match inside a longer string
                filler = plain_text(rng, word, 0, hint, min_len - len(found) - 1, None)
                yield f"{found}-{filler}"
                yield f"{filler}-{found}"
    if isinstance(fmt, str):
        for _ in range(3):
            value = format_value(fmt, rng, word)
            if value is None:
                break
            yield value
    guess = _FORMAT_HINTS.get(hint.lower().rsplit("_", 1)[-1])
    if guess and fmt is None and pattern is None:
        yield format_value(guess, rng, word) or ""
    for _ in range(4):
        yield plain_text(rng, word, spaces, hint, min_len, max_len)


def pattern_strings(pattern: str, rng: random.Random, word: Word, space: str) -> Iterator[str]:
    """Up to six strings built from the parsed regex, with repeat counts from minimal to generous."""
    try:
        tree = _sre.parse(pattern)
    except Exception:  # jsonschema accepted the regex; if our parser disagrees, just yield nothing
        return
    for extra in (2, 0, 1, 4, 8, 24):
        try:
            yield _Emitter(rng, word, space, extra).emit(tree)
        except PatternUnsupported:
            return


class _Emitter:
    """Walks an ``sre`` parse tree and emits one string the regex matches (anchors/lookarounds are skipped)."""

    def __init__(self, rng: random.Random, word: Word, space: str, extra: int) -> None:
        self.rng, self.word, self.space, self.extra = rng, word, space, extra
        self.groups: dict[int, str] = {}
        self.length = 0

    def emit(self, items: Any) -> str:
        out = "".join(self.node(op, av) for op, av in items)
        self.length += len(out)
        if self.length > MAX_STRING_LENGTH:
            raise PatternUnsupported("the pattern needs too long a string")
        return out

    def node(self, op: Any, av: Any) -> str:
        name = str(op)
        if name == "LITERAL":
            return chr(av)
        if name in ("NOT_LITERAL", "ANY"):
            banned = "\n" if name == "ANY" else chr(av)
            return self.rng.choice([c for c in string.ascii_lowercase if c != banned])
        if name == "IN":
            return self.pick_in(av)
        if name == "BRANCH":
            return self.emit(self.rng.choice(av[1]))
        if name == "SUBPATTERN":
            text = self.emit(av[-1])
            if av[0] is not None:
                self.groups[av[0]] = text
            return text
        if name == "ATOMIC_GROUP":
            return self.emit(av)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            return self.repeat(*av)
        if name == "GROUPREF":
            return self.groups.get(av, "")
        if name == "GROUPREF_EXISTS":
            branch = av[1] if av[0] in self.groups else av[2]
            return self.emit(branch) if branch is not None else ""
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            return ""
        if name == "CATEGORY":
            return self.pick_in([(op, av)])
        raise PatternUnsupported(name)

    def repeat(self, lo: int, hi: int, sub: Any) -> str:
        if lo > MAX_STRING_LENGTH:
            raise PatternUnsupported("the pattern needs too long a string")
        top = min(hi, lo + self.extra)
        single = len(sub) == 1 and str(sub[0][0]) in ("IN", "ANY")
        if single and hi >= 3 and self.extra:  # `[a-z]+`: a real word reads better than random letters
            w = self.word()
            if lo <= len(w) <= hi and all(_matches(c, sub[0]) for c in w):
                return w
        return "".join(self.emit(sub) for _ in range(self.rng.randint(lo, max(lo, top))))

    def pick_in(self, items: Any) -> str:
        if any(str(op) == "NEGATE" for op, _ in items):
            pool = [c for c in _NEGATION_POOL if _in_class(c, items)]  # _in_class applies the negation
            if not pool:
                raise PatternUnsupported("negated class")
            return self.rng.choice(pool)
        op, av = self.rng.choice([item for item in items if str(item[0]) != "NEGATE"])
        name = str(op)
        if name == "LITERAL":
            return chr(av)
        if name == "RANGE":
            readable = [chr(c) for c in range(max(av[0], 0x21), min(av[1], 0x7E) + 1)]
            nice = [c for c in readable if c.isalnum()] or readable
            if nice:
                return self.rng.choice(nice)
            code = self.rng.randint(av[0], av[1])
            if 0xD800 <= code <= 0xDFFF:  # lone surrogates cannot be encoded
                raise PatternUnsupported("surrogate range")
            return chr(code)
        if name == "CATEGORY":
            return self.category(str(av))
        raise PatternUnsupported(name)

    def category(self, name: str) -> str:
        choices = {
            "CATEGORY_DIGIT": string.digits,
            "CATEGORY_WORD": string.ascii_lowercase,
            "CATEGORY_SPACE": self.space,
            "CATEGORY_NOT_DIGIT": string.ascii_lowercase,
            "CATEGORY_NOT_WORD": "-",
            "CATEGORY_NOT_SPACE": string.ascii_lowercase,
        }.get(name)
        if not choices:
            raise PatternUnsupported(name)
        return self.rng.choice(choices)


def _matches(c: str, item: Any) -> bool:
    """Whether one character matches a single ``IN``/``ANY`` node."""
    return c != "\n" if str(item[0]) == "ANY" else _in_class(c, item[1])


def _in_class(c: str, items: Any) -> bool:
    """Whether ``c`` is in a parsed character class (the ``IN`` node's items)."""
    negate, hit = False, False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or ord(c) == av
        elif name == "RANGE":
            hit = hit or av[0] <= ord(c) <= av[1]
        elif name == "CATEGORY":
            hit = hit or _in_category(c, str(av))
    return hit != negate


def _in_category(c: str, name: str) -> bool:
    tests: dict[str, Callable[[str], bool]] = {
        "DIGIT": str.isdecimal,
        "WORD": lambda x: x.isalnum() or x == "_",
        "SPACE": str.isspace,
    }
    base = name.removeprefix("CATEGORY_").removeprefix("NOT_")
    test = tests.get(base)
    if test is None:
        return False
    return test(c) != ("_NOT_" in name)
