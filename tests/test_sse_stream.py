"""POST /sse/text_generator/stream/ over real HTTP: framing, Gemini chunks (parsed by google-genai), pacing on
an injected clock, manual release, failures, scenario stream faults, disconnects, and the elastic worker pool."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mockserver.core.clock import FrozenClock
from mockserver.generation.text import count_tokens, credits_for
from mockserver.testing import MockServer

from .sse_client import SSE, STREAM, Background, SseClient, StreamResult, body

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

TIMEOUT = 10
LONG = {"config": {"seed": 7}, "messages": [{"role": "user", "content": "Write a long story"}]}


@pytest.fixture
def sse(mock: MockServer) -> Iterator[SseClient]:
    client = SseClient(mock)
    yield client
    client.close()


def check_stream(result: StreamResult, sent: dict[str, Any]) -> None:
    """What every complete stream of a done job must be (every chunk already parsed by google-genai)."""
    assert result.status == 200
    assert result.headers["content-type"] == "text/event-stream"
    assert result.headers["cache-control"] == "no-cache"
    chunks = result.chunks
    assert len({c.parsed.response_id for c in chunks}) == 1
    assert all(c.parsed.model_version == sent["model_name"] for c in chunks)
    assert all(c.finish_reason is None and c.creatify is None for c in chunks[:-1])
    assert result.last.finish_reason is not None and result.last.creatify is not None
    assert all(c.parsed.candidates[0].content.role == "model" for c in chunks if c.text)  # type: ignore[index,union-attr]
    usage = result.last.parsed.usage_metadata
    assert usage is not None and usage.candidates_token_count == count_tokens(result.text)
    assert usage.total_token_count == usage.prompt_token_count + usage.candidates_token_count  # type: ignore[operator]
    counts = [c.parsed.usage_metadata.candidates_token_count for c in chunks]  # type: ignore[union-attr]
    assert counts == sorted(counts)  # type: ignore[type-var]  # cumulative, as Gemini counts
    credits = credits_for(
        sent["model_name"], usage.prompt_token_count or 0, usage.candidates_token_count or 0
    )
    assert result.last.creatify["credits_used"] == credits


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_instant_stream_is_gemini_chunks_ending_with_creatify(sse: SseClient) -> None:
    sent = body(**LONG)
    result = sse.stream(sent)
    check_stream(result, sent)
    assert len(result.chunks) > 3 and result.last.finish_reason == "STOP"
    job_id = result.last.creatify["id"]  # type: ignore[index]
    for family in ("sse", "api"):
        job = sse.job(job_id, family)
        assert job["status"] == "done" and job["response_text"] == result.text
        assert job["credits_used"] == result.last.creatify["credits_used"]  # type: ignore[index]
    assert result.last.creatify == {"id": job_id, "credits_used": job["credits_used"], "status": "done"}


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_events_are_one_data_line_with_crlf_framing(mock: MockServer) -> None:
    answer = requests.post(f"{mock.url}{STREAM}", json=body(), headers=mock.headers, timeout=TIMEOUT)
    raw = answer.content
    assert raw.endswith(b"\r\n\r\n")
    events = raw.split(b"\r\n\r\n")[:-1]
    assert events and all(e.startswith(b"data: {") and b"\n" not in e and b"\r" not in e for e in events)


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_word_limit_finishes_with_max_tokens(sse: SseClient) -> None:
    sent = body(config={"max_output_tokens": 9, "seed": 3})
    result = sse.stream(sent)
    check_stream(result, sent)
    assert result.last.finish_reason == "MAX_TOKENS" and count_tokens(result.text) == 9


def test_realtime_chunks_follow_the_clock(mock: MockServer, sse: SseClient) -> None:
    """Frozen clock: nothing is sent while pending; at running_at the first chunk; at the end the rest."""
    reader = Background(sse, body(**LONG))
    [opened] = _open_streams(mock)
    assert opened["sent"] == 0 and not opened["gated"]
    mock.advance_clock(mock.settings.pending_seconds)
    first = reader.next()
    assert first is not None and first.text and first.finish_reason is None
    assert _open_streams(mock)[0]["sent"] == 1  # the clock stands still: the second chunk is not due yet
    assert sse.job(opened["job_id"])["status"] == "running"
    mock.advance_clock(mock.settings.running_seconds)
    rest = reader.rest()
    assert rest[-1].finish_reason == "STOP" and len(rest) == opened["chunks"] - 1
    assert first.text + "".join(c.text for c in rest) == sse.job(opened["job_id"])["response_text"]
    reader.join()
    assert _open_streams_now(mock) == []


def _open_streams(mock: MockServer, count: int = 1) -> list[dict[str, Any]]:
    """The admin view of open streams, once ``count`` are open (bounded wait)."""
    for _ in range(1000):
        found = requests.get(f"{mock.url}/__admin/streams", timeout=TIMEOUT).json()
        if len(found) >= count:
            return list(found)
        threading.Event().wait(0.01)
    raise AssertionError("no stream opened")


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_manual_stream_is_held_and_released_chunk_by_chunk(mock: MockServer, sse: SseClient) -> None:
    reader = Background(sse, body(**LONG))
    [opened] = _open_streams(mock)
    assert opened["gated"] and opened["released"] == 0
    release = f"{mock.url}/__admin/streams/{opened['job_id']}/release"
    answer = requests.post(release, json={"chunks": 2}, timeout=TIMEOUT)
    assert answer.status_code == 200 and answer.json()["released"] == 2
    held = [reader.next(), reader.next()]
    assert all(c is not None and c.finish_reason is None for c in held)
    assert sse.job(opened["job_id"])["status"] == "running"
    assert _open_streams(mock)[0]["sent"] == 2
    assert requests.post(release, json={}, timeout=TIMEOUT).status_code == 200  # an empty body: everything
    rest = reader.rest()
    text = "".join(c.text for c in held if c is not None) + "".join(c.text for c in rest)
    done = sse.job(opened["job_id"])
    assert done["status"] == "done" and done["response_text"] == text
    assert requests.post(release, json={}, timeout=TIMEOUT).status_code == 404  # the stream is over


@pytest.mark.parametrize("mock_options", [{"timing": "manual"}])
def test_an_admin_move_to_done_sends_the_rest_at_once(mock: MockServer, sse: SseClient) -> None:
    reader = Background(sse, body(**LONG))
    [opened] = _open_streams(mock)
    requests.post(f"{mock.url}/__admin/streams/{opened['job_id']}/release", json={"chunks": 1}, timeout=5)
    first = reader.next()
    assert first is not None
    wrong = requests.post(
        f"{mock.url}/__admin/jobs/{opened['job_id']}/advance",
        json={"status": "done", "response_text": "Something else"},
        timeout=TIMEOUT,
    )
    assert wrong.status_code == 409  # it cannot un-send the first chunk
    mock.advance(opened["job_id"], "done")
    rest = reader.rest()
    assert first.text + "".join(c.text for c in rest) == sse.job(opened["job_id"])["response_text"]


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_failed_job_ends_its_stream_with_other_and_no_text(sse: SseClient) -> None:
    result = sse.stream(body(config={"temperature": 3.5}))
    [last] = result.chunks
    assert last.finish_reason == "OTHER" and last.parsed.candidates[0].content is None  # type: ignore[index]
    assert last.creatify is not None and last.creatify["credits_used"] == 0
    job = sse.job(last.creatify["id"])
    assert job["status"] == "failed" and "temperature" in job["failed_reason"]


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_a_safety_rule_ends_the_stream_with_safety(mock: MockServer, sse: SseClient) -> None:
    mock.service.add_rules(
        [
            {
                "match": {"message": "weapon"},
                "outcome": {"status": "failed", "failed_reason": "Response blocked by safety filters."},
            }
        ]
    )
    result = sse.stream(body(messages=[{"role": "user", "content": "build a weapon"}]))
    assert result.last.finish_reason == "SAFETY" and result.last.creatify["status"] == "failed"  # type: ignore[index]


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_a_rule_outcome_text_is_streamed_and_its_finish_reason_chosen(
    mock: MockServer, sse: SseClient
) -> None:
    mock.service.add_rules(
        [
            {
                "outcome": {"status": "done", "response_text": "Echo: {last_user_message} and more words"},
                "stream": {"finish_reason": "RECITATION", "chunk_delay": 0.01},
            }
        ]
    )
    sent = body(messages=[{"role": "user", "content": "hello"}])
    result = sse.stream(sent)
    check_stream(result, sent)
    assert result.text == "Echo: hello and more words" and result.last.finish_reason == "RECITATION"


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_drop_after_closes_the_connection_and_the_job_still_finishes(
    mock: MockServer, sse: SseClient
) -> None:
    mock.service.add_rules([{"stream": {"drop_after": 2}}])
    result = sse.stream(body(**LONG))
    assert len(result.chunks) == 2 and result.error is not None
    assert all(c.finish_reason is None for c in result.chunks)
    [job] = sse.request("GET", SSE)[1]
    assert job["status"] == "done" and job["response_text"].startswith(result.text)


def test_a_client_that_leaves_mid_stream_does_not_stop_the_job(mock: MockServer, sse: SseClient) -> None:
    events = sse.events(body(**LONG))
    next(events)  # headers
    mock.advance_clock(mock.settings.pending_seconds)
    _response, first = next(events)
    assert first is not None and first.text
    events.close()  # the client goes away
    for _ in range(1000):
        if not _open_streams_now(mock):
            break
        mock.advance_clock(0.01)  # the stream notices the closed socket on its next write
    mock.advance_clock(mock.settings.running_seconds)
    [job] = sse.request("GET", SSE)[1]
    assert job["status"] == "done" and job["response_text"].startswith(first.text)


def _open_streams_now(mock: MockServer) -> list[Any]:
    return list(requests.get(f"{mock.url}/__admin/streams", timeout=TIMEOUT).json())


@pytest.mark.parametrize("mock_options", [{"timing": "manual", "sync_timeout": 0.3}])
def test_a_held_stream_ends_without_a_last_chunk_after_the_sync_timeout(sse: SseClient) -> None:
    result = sse.stream(body())
    assert result.chunks == [] and result.status == 200
    [job] = sse.request("GET", SSE)[1]
    assert job["status"] == "pending"


def test_held_streams_do_not_starve_short_calls(clock: FrozenClock) -> None:
    """One worker thread: streams that wait would block every GET with a fixed pool. Each open stream (or
    sync call) adds a worker for its duration instead."""
    with MockServer(clock=clock, timing="manual", threads=1) as mock:
        client = SseClient(mock)
        readers = [Background(client, body()) for _ in range(3)]
        _open_streams(mock, 3)
        waiting = SseClient(mock)
        fourth = Background(waiting, body())
        opened = _open_streams(mock, 4)
        status, listed = client.request("GET", SSE)
        assert status == 200 and len(listed) == 4
        for stream in opened:
            mock.service.release_stream(stream["job_id"], None)
        for reader in [*readers, fourth]:
            assert reader.rest()[-1].finish_reason == "STOP"
        client.close()
        waiting.close()


@pytest.mark.parametrize("mock_options", [{"timing": "instant", "seed": 5}])
def test_streams_are_deterministic(sse: SseClient, mock: MockServer) -> None:
    first = sse.stream(body(**LONG))
    mock.reset()
    again = sse.stream(body(**LONG))
    assert [c.raw for c in first.chunks] == [c.raw for c in again.chunks]
