"""Replaying a recorded stream: the recorded chunks, with their recorded pacing, with fresh ids.

The proxy records a streamed answer as the pieces that arrived and when (``Chunk.offset_ms``). Replay yields
the same texts at the same offsets from its own start (divided by the replay speed). A recorded generation id
(the ``creatify`` object of the last Server-Sent Event, and anywhere else it appears) is swapped for the new
job's id, as a replayed job gets a fresh id.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from mockserver.core.models import JobStatus, Outcome
from mockserver.replay.recording import Chunk

_EVENT_END = re.compile(r"\r\n\r\n|\n\n|\r\r")


def schedule(chunks: Sequence[Chunk], speed: float = 1.0) -> list[tuple[float, str]]:
    """(seconds after the start, text) for each chunk, offsets divided by ``speed``, never going backwards."""
    if speed <= 0:
        raise ValueError(f"replay speed must be > 0, got {speed!r}")
    out: list[tuple[float, str]] = []
    last = 0.0
    for chunk in chunks:
        last = max(last, chunk.offset_ms / 1000 / speed)
        out.append((last, chunk.text))
    return out


def replay(
    chunks: Sequence[Chunk],
    speed: float = 1.0,
    ids: Mapping[str, str] | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
    max_seconds: float = 600.0,
) -> Iterator[tuple[float, str]]:
    """Yield ``(offset_s, text)`` as each chunk falls due (waiting with ``sleep`` in between), recorded ids
    replaced by ``ids``. The wait is bounded: offsets beyond ``max_seconds`` are brought forward to it."""
    start = clock()
    for offset, text in schedule(chunks, speed):
        due = min(offset, max_seconds)
        wait = start + due - clock()
        if wait > 0:
            sleep(wait)
        yield due, swap_ids(text, ids or {})


def swap_ids(text: str, ids: Mapping[str, str]) -> str:
    for old, new in ids.items():
        text = text.replace(old, new)
    return text


def events(texts: Iterable[str]) -> list[str]:
    """The ``data:`` payloads of the Server-Sent Events in a stream's text (events end with a blank line)."""
    whole = "".join(texts)
    found = []
    for block in _EVENT_END.split(whole):
        data = [line[5:].lstrip(" ") for line in block.splitlines() if line.startswith("data:")]
        if data:
            found.append("\n".join(data))
    return found


def generation_id(chunks: Sequence[Chunk]) -> str | None:
    """The id in the stream's last ``creatify`` object (Creatify's final chunk), when it carries one."""
    for payload in reversed(events(c.text for c in chunks)):
        try:
            data = json.loads(payload)
        except ValueError:
            continue
        creatify = data.get("creatify") if isinstance(data, dict) else None
        if isinstance(creatify, dict) and isinstance(creatify.get("id"), str):
            return str(creatify["id"])
    return None


#: Gemini's finish reasons of an answer that ended normally; any other ends the job failed.
FINISHED = ("STOP", "MAX_TOKENS")


def outcome_of(chunks: Sequence[Chunk]) -> Outcome | None:
    """How the recorded stream's job ended, read from its events: the text of its parts, its function calls,
    the last ``finishReason`` and the ``creatify`` credits. None when the recording holds no Gemini chunk."""
    text, calls, finish, credits, seen = "", [], None, 0.0, False
    for payload in events(c.text for c in chunks):
        try:
            data = json.loads(payload)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        for candidate in data.get("candidates") or []:
            seen = True
            for part in (candidate.get("content") or {}).get("parts") or []:
                if isinstance(part.get("text"), str):
                    text += part["text"]
                if isinstance(part.get("functionCall"), dict):
                    call = part["functionCall"]
                    calls.append({"name": call.get("name"), "args": call.get("args") or {}})
            finish = candidate.get("finishReason") or finish
        creatify = data.get("creatify")
        if isinstance(creatify, dict) and isinstance(creatify.get("credits_used"), (int, float)):
            credits = float(creatify["credits_used"])
    if not seen:
        return None
    if finish is not None and finish not in FINISHED:
        return Outcome(
            JobStatus.FAILED, failed_reason=f"The recorded stream ended with finishReason {finish}."
        )
    return Outcome(
        JobStatus.DONE,
        response_text=text if text or not calls else None,
        credits_used=credits,
        function_calls=calls,
    )
