"""Reading a ``text/event-stream`` answer with httpx-sse: any of the line ends the SSE format allows (LF, CRLF,
CR), ``data:`` events parsed as JSON, and Creatify's ``creatify`` object found wherever it is sent (merged into
the last Gemini chunk, or as an event of its own)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx_sse

from .checks import Exchange

STREAM = "/sse/text_generator/stream/"


@dataclass
class StreamRead:
    """One stream: the answer's head, each event's data (parsed, or the raw text when it is not JSON)."""

    exchange: Exchange
    events: list[Any] = field(default_factory=list)
    error: str | None = None  # the connection broke before the server ended the stream

    @property
    def chunks(self) -> list[dict[str, Any]]:
        """Events that are Gemini responses (any with ``candidates``)."""
        return [e for e in self.events if isinstance(e, dict) and "candidates" in e]

    @property
    def creatify(self) -> dict[str, Any] | None:
        found = [e["creatify"] for e in self.events if isinstance(e, dict) and "creatify" in e]
        return found[-1] if found and isinstance(found[-1], dict) else None

    @property
    def text(self) -> str:
        """Every text part of every chunk, in order: what a UI would show."""
        out = []
        for chunk in self.chunks:
            for candidate in chunk.get("candidates") or []:
                for part in (candidate.get("content") or {}).get("parts") or []:
                    if isinstance(part.get("text"), str):
                        out.append(part["text"])
        return "".join(out)


def read_stream(
    base_url: str, headers: dict[str, str], body: Any, timeout: float, path: str = STREAM
) -> StreamRead:
    """POST ``body`` and read the whole answer: events when it is an event stream, the JSON body otherwise."""
    url = base_url.rstrip("/") + path
    with (
        httpx.Client(timeout=timeout) as client,
        client.stream("POST", url, json=body, headers=headers) as response,
    ):
        head = Exchange("POST", url, response.status_code, dict(response.headers), None, "", body)
        read = StreamRead(head)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            response.read()
            head.text = response.text
            try:
                head.body = response.json()
            except ValueError:
                head.body = None
            return read
        source = httpx_sse.EventSource(response)
        try:
            for event in source.iter_sse():
                try:
                    read.events.append(json.loads(event.data))
                except ValueError:
                    read.events.append(event.data)
        except httpx.HTTPError as exc:
            read.error = f"{type(exc).__name__}: {exc}"
        head.text = f"<{len(read.events)} events>"
        return read
