"""A stream recorded through ``creatify-mock record`` is replayed by ``serve --replay`` over real HTTP: the same
chunks (modulo the fresh job id), as an SSE client reads them, and the job it created reads done on both families."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import httpx_sse
import pytest
from google.genai import types

from mockserver.record.session import Recorder
from mockserver.testing import MockServer

pytestmark = pytest.mark.slow
STREAM = "/sse/text_generator/stream/"
BODY = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Tell a long story"}]}
TIMEOUT = 10
#: The recorded target answers this text, which a default mock never writes: replaying it shows the recording.
RECORDED = "Recorded words: one two three four five six seven eight nine ten eleven twelve."
RULE = {"name": "recorded", "outcome": {"status": "done", "response_text": RECORDED}}


def read_stream(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    with (
        httpx.Client(timeout=TIMEOUT) as http,
        httpx_sse.connect_sse(http, "POST", url + STREAM, json=BODY, headers=headers) as source,
    ):
        assert source.response.status_code == 200
        assert source.response.headers["content-type"].startswith("text/event-stream")
        return [json.loads(event.data) for event in source.iter_sse()]


def texts(chunks: list[dict[str, Any]]) -> list[str]:
    """Each chunk's text, parsed by google-genai (the documented ``creatify`` object is not a Gemini field)."""
    out = []
    for chunk in chunks:
        gemini = {k: v for k, v in chunk.items() if k != "creatify"}
        out.append(types.GenerateContentResponse.model_validate(gemini).text or "")
    return out


def test_a_recorded_stream_is_replayed_chunk_for_chunk_with_a_fresh_id(tmp_path: Path) -> None:
    recording = tmp_path / "stream.jsonl"
    with (
        MockServer(timing="instant") as target,
        Recorder(target.url, recording) as proxy,
    ):
        target.add_rule(RULE)
        recorded = read_stream(proxy.url, target.headers)
    assert len(recorded) > 2 and recorded[-1]["creatify"]["id"]

    with MockServer(timing="instant", replay=str(recording)) as mock:
        replayed = read_stream(mock.url, mock.headers)
        job_id = replayed[-1]["creatify"]["id"]
        api = httpx.get(
            f"{mock.url}/api/text_generator/{job_id}/", headers=mock.headers, timeout=TIMEOUT
        ).json()
        sse = httpx.get(
            f"{mock.url}/sse/text_generator/{job_id}/", headers=mock.headers, timeout=TIMEOUT
        ).json()
    assert texts(replayed) == texts(recorded)
    assert job_id != recorded[-1]["creatify"]["id"]
    assert replayed[-1]["candidates"][0]["finishReason"] == recorded[-1]["candidates"][0]["finishReason"]
    assert api["status"] == sse["status"] == "done"
    assert api["response_text"] == "".join(texts(recorded)) == RECORDED


def test_without_the_recording_the_stream_differs() -> None:
    """The test above can fail: a mock without the recording streams its own text."""
    with MockServer(timing="instant") as mock:
        assert "".join(texts(read_stream(mock.url, mock.headers))) != RECORDED
