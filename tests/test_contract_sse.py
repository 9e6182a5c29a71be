"""The kit's /sse/ part: its reader accepts every SSE framing, its checks catch broken streams and bodies, and
its tests skip (saying why) against a target without the family."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import pytest

from contract_tests.checks import ContractViolation, Exchange
from contract_tests.checks_sse import check_finish_reason, check_sse_error, check_stream, check_streamed_text
from contract_tests.sse_reader import read_stream
from mockserver.testing import MockServer

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

pytest_plugins = ["pytester"]

JOB_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
TEXT_CHUNK = {"candidates": [{"content": {"parts": [{"text": "Hello "}], "role": "model"}, "index": 0}]}
LAST_CHUNK = {
    "candidates": [
        {"content": {"parts": [{"text": "world"}], "role": "model"}, "finishReason": "STOP", "index": 0}
    ]
}
CREATIFY = {"creatify": {"id": JOB_ID, "credits_used": 0.001}}


class RawStream:
    """A server on 127.0.0.1 that answers every POST with the bytes it is given, as text/event-stream."""

    def __init__(self) -> None:
        self.payload = b""
        raw = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(raw.payload)))
                self.end_headers()
                self.wfile.write(raw.payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def serve(self, events: list[Any], line_end: bytes) -> None:
        lines = [b"data: " + (json.dumps(e).encode() if not isinstance(e, bytes) else e) for e in events]
        self.payload = b"".join(line + line_end + line_end for line in lines)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def raw() -> Iterator[RawStream]:
    server = RawStream()
    yield server
    server.close()


@pytest.mark.parametrize("line_end", [b"\r\n", b"\n", b"\r"], ids=["CRLF", "LF", "CR"])
@pytest.mark.parametrize("merged", [True, False], ids=["creatify merged", "creatify own event"])
def test_every_framing_and_both_creatify_placements_pass(
    raw: RawStream, line_end: bytes, merged: bool
) -> None:
    events = [TEXT_CHUNK, {**LAST_CHUNK, **CREATIFY}] if merged else [TEXT_CHUNK, LAST_CHUNK, CREATIFY]
    raw.serve(events, line_end)
    read = read_stream(raw.url, {}, {}, 5)
    assert check_stream(read)["id"] == JOB_ID
    assert read.text == "Hello world"
    check_streamed_text(read, {"status": "done", "response_text": "Hello world"}, read.exchange)


@pytest.mark.parametrize(
    ("events", "check"),
    [
        ([TEXT_CHUNK, LAST_CHUNK], "stream"),  # no creatify object
        ([b"not json", {**LAST_CHUNK, **CREATIFY}], "stream event"),
        ([{"candidates": [{"finishReason": 1}]}, CREATIFY], "stream chunk"),  # not a string
        ([CREATIFY], "stream"),  # no Gemini chunk at all
    ],
)
def test_broken_streams_are_violations(raw: RawStream, events: list[Any], check: str) -> None:
    raw.serve(events, b"\r\n")
    with pytest.raises(ContractViolation) as caught:
        check_stream(read_stream(raw.url, {}, {}, 5))
    assert caught.value.check == check


def test_a_last_chunk_without_a_finish_reason_is_a_gemini_violation(raw: RawStream) -> None:
    raw.serve([TEXT_CHUNK, {**TEXT_CHUNK, **CREATIFY}], b"\r\n")
    read = read_stream(raw.url, {}, {}, 5)
    check_stream(read)  # Creatify's rules hold: Gemini chunks and the creatify object
    with pytest.raises(ContractViolation, match="a finishReason on the last chunk"):
        check_finish_reason(read)


def test_streamed_text_must_equal_the_jobs_text(raw: RawStream) -> None:
    raw.serve([TEXT_CHUNK, {**LAST_CHUNK, **CREATIFY}], b"\r\n")
    read = read_stream(raw.url, {}, {}, 5)
    with pytest.raises(ContractViolation):
        check_streamed_text(read, {"status": "done", "response_text": "Hello"}, read.exchange)


@pytest.mark.parametrize(
    "body", [{"detail": "Not found."}, {"error": ""}, {"model_name": ["required"]}, None]
)
def test_an_error_body_must_be_the_family_shape(body: Any) -> None:
    with pytest.raises(ContractViolation):
        check_sse_error(Exchange("POST", "http://127.0.0.1/sse/text_generator/", 400, {}, body))


def _run(pytester: pytest.Pytester, url: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(
        "--pyargs",
        "contract_tests.test_sse",
        "-p",
        "contract_tests.plugin",
        "-p",
        "no:cacheprovider",
        "-rs",
        "--contract-base-url",
        url,
        "--contract-api-id",
        "kit-id",
        "--contract-api-key",
        "kit-key",
        "--contract-poll-timeout",
        "5",
    )


def test_the_kit_passes_against_a_separate_mock(pytester: pytest.Pytester) -> None:
    with MockServer(pending_seconds=0.05, running_seconds=0.1, api_key=("kit-id:kit-key",)) as mock:
        result = _run(pytester, mock.url)
    result.assert_outcomes(passed=17)


def test_the_kit_skips_the_family_with_a_reason_when_the_target_answers_404(
    pytester: pytest.Pytester,
) -> None:
    no_family = {"match": {"operation": "any", "family": "sse"}, "http": {"status": 404}}
    with MockServer(api_key=("kit-id:kit-key",)) as mock:
        mock.service.add_rules([no_family])
        result = _run(pytester, mock.url)
    result.assert_outcomes(skipped=17)
    result.stdout.fnmatch_lines(["*it has no /sse/ family*"])


def test_a_finish_reason_gemini_added_later_is_not_a_violation(raw: RawStream) -> None:
    """Gemini's list of finish reasons grows; Creatify documents Gemini-native chunks, not that list."""
    last = {"candidates": [{**LAST_CHUNK["candidates"][0], "finishReason": "TOO_MANY_TOOL_CALLS"}]}
    raw.serve([TEXT_CHUNK, {**last, **CREATIFY, "usageMetadata": {"thoughtsTokenCount": 3}}], b"\r\n")
    check_stream(read_stream(raw.url, {}, {}, 10.0))
