"""When a new create "is" a recorded one: the same body, once what differs between runs is set aside.

Ignored (the README's list): ``webhook_url`` (a receiver's address changes every run), the account and every
header, the order of keys, and the defaults the API fills in (``content: ""`` on a message, ``system_instruction:
""``, ``config: {}``), so a body that spells a default and one that leaves it out are the same request.
Everything else — model, messages, system instruction, every config value, ``sync``, ``tools`` — must be equal.
"""

from __future__ import annotations

from typing import Any

import orjson

IGNORED_FIELDS = ("webhook_url",)


def normalized(body: Any) -> Any:
    """The body with ignored fields dropped and API defaults filled in; a non-object body is kept as it is."""
    if not isinstance(body, dict):
        return body
    out = {k: v for k, v in body.items() if k not in IGNORED_FIELDS}
    if isinstance(out.get("messages"), list):
        out["messages"] = [{"content": "", **m} if isinstance(m, dict) else m for m in out["messages"]]
    out.setdefault("system_instruction", "")
    out.setdefault("config", {})
    return out


def key(body: Any) -> bytes:
    """A canonical form of the normalized body: equal keys mean the same request."""
    return orjson.dumps(normalized(body), option=orjson.OPT_SORT_KEYS)


def difference(wanted: Any, recorded: Any, path: str = "") -> str | None:
    """The first place two normalized bodies differ (``config.temperature: 0.2 != 0.7``); None if equal."""
    if isinstance(wanted, dict) and isinstance(recorded, dict):
        for name in sorted(set(wanted) | set(recorded)):
            where = f"{path}.{name}" if path else name
            if name not in wanted:
                return f"{where}: absent here, recorded {_short(recorded[name])}"
            if name not in recorded:
                return f"{where}: {_short(wanted[name])} here, absent in the recording"
            found = difference(wanted[name], recorded[name], where)
            if found:
                return found
        return None
    if isinstance(wanted, list) and isinstance(recorded, list):
        if len(wanted) != len(recorded):
            return f"{path or 'body'}: {len(wanted)} items here, {len(recorded)} recorded"
        for i, (a, b) in enumerate(zip(wanted, recorded, strict=True)):
            found = difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if wanted != recorded or type(wanted) is not type(recorded):
        return f"{path or 'body'}: {_short(wanted)} != {_short(recorded)}"
    return None


def distance(wanted: Any, recorded: Any) -> int:
    """How many leaves (``messages[0].content``, ``config.seed``, …) differ: the nearest recorded body is the
    one a person most likely meant."""
    mine, theirs = dict(_leaves(wanted)), dict(_leaves(recorded))
    return sum(1 for path in set(mine) | set(theirs) if mine.get(path, _ABSENT) != theirs.get(path, _ABSENT))


_ABSENT = object()


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}")]
    if isinstance(value, list) and value:
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}[{i}]")]
    return [(path, orjson.dumps(value))]


def _short(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 60 else text[:57] + "..."
