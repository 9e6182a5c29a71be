"""The /sse/ family from a client's side: httpx + httpx-sse read the stream, google-genai parses every chunk,
and every JSON answer is checked against schemas/."""

from __future__ import annotations

import json
import threading
from collections.abc import Generator
from dataclasses import dataclass, field
from queue import Queue
from typing import Any

import httpx
import httpx_sse
from google.genai import types

from mockserver.contract import schemas
from mockserver.testing import MockServer

SSE = "/sse/text_generator/"
STREAM = "/sse/text_generator/stream/"
TIMEOUT = 10.0


def body(**fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]}
    out.update(fields)
    return out


def check_json(method: str, path: str, response: httpx.Response) -> Any:
    """A JSON answer of the family, valid against its schema (job, list, or the ``{"error"}`` shape)."""
    assert response.headers["content-type"] == "application/json", response.headers
    data = response.json()
    if response.status_code >= 400:
        schemas.validate("sse_error", data)
    elif method == "GET" and path == SSE:
        schemas.validate("text_gen_response_list", data)
    elif path.startswith(SSE):
        schemas.validate("text_gen_response", data)
    return data


def parse_chunk(data: str) -> tuple[types.GenerateContentResponse, dict[str, Any] | None, dict[str, Any]]:
    """One ``data:`` payload: valid against stream_chunk.schema.json; everything but Creatify's own
    ``creatify`` object parsed strictly (extra keys forbidden) by the google-genai SDK."""
    raw = json.loads(data)
    schemas.validate("stream_chunk", raw)
    gemini = {k: v for k, v in raw.items() if k != "creatify"}
    return types.GenerateContentResponse.model_validate(gemini), raw.get("creatify"), raw


@dataclass
class Chunk:
    parsed: types.GenerateContentResponse
    creatify: dict[str, Any] | None
    raw: dict[str, Any]

    @property
    def text(self) -> str:
        parts = (self.parsed.candidates or [])[0].content
        return "".join(p.text or "" for p in (parts.parts or [])) if parts is not None else ""

    @property
    def finish_reason(self) -> str | None:
        reason = (self.parsed.candidates or [])[0].finish_reason
        return None if reason is None else str(reason.value)


@dataclass
class StreamResult:
    status: int
    headers: httpx.Headers
    chunks: list[Chunk] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chunks)

    @property
    def last(self) -> Chunk:
        return self.chunks[-1]


class SseClient:
    """httpx against a live mock with its credentials."""

    def __init__(self, mock: MockServer, headers: dict[str, str] | None = None) -> None:
        self.http = httpx.Client(
            base_url=mock.url, headers=mock.headers if headers is None else headers, timeout=TIMEOUT
        )

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        response = self.http.request(method, path, **kwargs)
        return response.status_code, check_json(method, path, response)

    def create(self, **fields: Any) -> dict[str, Any]:
        status, job = self.request("POST", SSE, json=body(**fields))
        assert status == 201, job
        return dict(job)

    def job(self, job_id: str, family: str = "sse") -> dict[str, Any]:
        status, job = self.request("GET", f"/{family}/text_generator/{job_id}/")
        assert status == 200, job
        return dict(job)

    def events(
        self, request_body: Any, **kwargs: Any
    ) -> Generator[tuple[httpx.Response, Chunk | None], None, None]:
        """Yields (response, None) once headers arrive, then (response, chunk) per event."""
        with httpx_sse.connect_sse(self.http, "POST", STREAM, json=request_body, **kwargs) as source:
            yield source.response, None
            for event in source.iter_sse():
                assert event.event == "message" and event.id == "", event
                yield source.response, Chunk(*parse_chunk(event.data))

    def stream(self, request_body: Any, **kwargs: Any) -> StreamResult:
        result: StreamResult | None = None
        try:
            for response, chunk in self.events(request_body, **kwargs):
                if chunk is None:
                    result = StreamResult(response.status_code, response.headers)
                else:
                    assert result is not None
                    result.chunks.append(chunk)
        except httpx.HTTPError as exc:  # a dropped connection (scenario fault)
            if result is None:
                raise
            result.error = exc
        assert result is not None
        return result


class Background:
    """A stream read in a thread: chunks arrive in a queue (every get has a timeout)."""

    def __init__(self, client: SseClient, request_body: Any) -> None:
        self.queue: Queue[Chunk | BaseException | None] = Queue()
        self.status: int | None = None
        self._thread = threading.Thread(target=self._run, args=(client, request_body), daemon=True)
        self._thread.start()

    def _run(self, client: SseClient, request_body: Any) -> None:
        try:
            for response, chunk in client.events(request_body):
                if chunk is None:
                    self.status = response.status_code
                else:
                    self.queue.put(chunk)
            self.queue.put(None)
        except BaseException as exc:
            self.queue.put(exc)

    def next(self, timeout: float = TIMEOUT) -> Chunk | None:
        item = self.queue.get(timeout=timeout)
        if isinstance(item, BaseException):
            raise item
        return item

    def rest(self, timeout: float = TIMEOUT) -> list[Chunk]:
        out = []
        while (chunk := self.next(timeout)) is not None:
            out.append(chunk)
        return out

    def join(self, timeout: float = TIMEOUT) -> None:
        self._thread.join(timeout)
        assert not self._thread.is_alive()
