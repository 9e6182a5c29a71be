"""Stream chunking: a job's text cut into chunks of a few words, each a Gemini ``GenerateContentResponse`` in
the camelCase JSON that ``streamGenerateContent?alt=sse`` sends, and when each chunk is due.

Pure functions: the service decides when to send, the web layer frames the events.
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass
from typing import Any

from mockserver.core.models import Schedule
from mockserver.generation.text import calls_text, count_tokens

#: Words per chunk: Gemini's chunks are a few words to a sentence long.
WORDS_PER_CHUNK = 4
_WORD = re.compile(r"\S+\s*")
_SAFETY = re.compile(r"safety|blocked|harm", re.IGNORECASE)


def split(text: str, words: int = WORDS_PER_CHUNK) -> list[str]:
    """Pieces of ``words`` words whose concatenation is exactly ``text`` (whitespace stays with the word before
    it, so no word is ever cut and token counts add up); at least one piece."""
    lead = len(text) - len(text.lstrip())
    tokens = _WORD.findall(text, lead)
    pieces = ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)] or [""]
    pieces[0] = text[:lead] + pieces[0]
    return pieces


def due_times(schedule: Schedule, chunks: int) -> list[int] | None:
    """When each chunk is due (microseconds): the first when the job starts running, the last when it ends,
    the others evenly between; None when only an operator moves the job (manual timing)."""
    start, end = schedule.running_at, schedule.finish_at
    if start is None or end is None:
        return None
    if chunks == 1:
        return [end]
    return [start + (end - start) * k // (chunks - 1) for k in range(chunks)]


def failed_finish_reason(failed_reason: str | None) -> str:
    """``SAFETY`` for a job blocked by a safety rule, ``OTHER`` for any other failure."""
    return "SAFETY" if failed_reason and _SAFETY.search(failed_reason) else "OTHER"


def response_id(job_id: str) -> str:
    """One id for every chunk of a stream, in the shape of Gemini's (22 URL-safe base64 characters)."""
    return base64.urlsafe_b64encode(uuid.UUID(job_id).bytes).decode().rstrip("=")


@dataclass(frozen=True)
class ChunkMaker:
    """Builds the chunks of one stream; ``candidates`` counts are cumulative, as Gemini reports them."""

    model: str
    response_id: str
    prompt_tokens: int

    def _usage(self, output_tokens: int) -> dict[str, int]:
        return {
            "promptTokenCount": self.prompt_tokens,
            "candidatesTokenCount": output_tokens,
            "totalTokenCount": self.prompt_tokens + output_tokens,
        }

    def _wrap(self, candidate: dict[str, Any], output_tokens: int) -> dict[str, Any]:
        return {
            "candidates": [candidate],
            "usageMetadata": self._usage(output_tokens),
            "modelVersion": self.model,
            "responseId": self.response_id,
        }

    def text(self, piece: str, sent_text: str) -> dict[str, Any]:
        """A chunk carrying ``piece``; ``sent_text`` is everything streamed so far, this piece included."""
        content = {"parts": [{"text": piece}], "role": "model"}
        return self._wrap({"content": content, "index": 0}, count_tokens(sent_text))

    def last(
        self,
        piece: str | None,
        sent_text: str,
        finish_reason: str,
        creatify: dict[str, Any],
        calls: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The final chunk: the last piece (none for a failed job), each function call whole as a
        ``functionCall`` part (parallel calls are several parts, as Gemini sends them), ``finishReason`` and the
        ``creatify`` object."""
        candidate: dict[str, Any] = {"finishReason": finish_reason, "index": 0}
        parts: list[dict[str, Any]] = [] if piece is None or (calls and not piece) else [{"text": piece}]
        parts += [{"functionCall": {"name": c["name"], "args": c["args"]}} for c in calls or []]
        if parts:
            candidate = {"content": {"parts": parts, "role": "model"}, **candidate}
        tokens = count_tokens(sent_text) + count_tokens(calls_text(calls or []))
        return {**self._wrap(candidate, tokens), "creatify": creatify}
