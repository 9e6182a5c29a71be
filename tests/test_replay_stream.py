"""Stream replay on its own (for the /sse/ stream endpoint to call once it lands), plus the small pure parts of
record and replay: matching, scrubbing, the new settings."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mockserver.config.settings import Settings
from mockserver.config.values import SettingsError
from mockserver.record import scrub
from mockserver.record.session import Recorder
from mockserver.replay import Chunk, ReplayBook, matching, read
from mockserver.replay.stream import events, generation_id, replay, schedule, swap_ids
from mockserver.service import MockService
from tests.streaming_target import StreamingTarget, sse

OLD_ID = "11111111-1111-4111-8111-111111111111"
CHUNKS = [
    Chunk(120.0, 'data: {"candidates": [{"content": {"parts": [{"text": "Hel"}]}}]}\r\n\r\n'),
    Chunk(350.0, 'data: {"candidates": [{"content": {"parts": [{"text": "lo"}]}}]}\r\n\r\n'),
    Chunk(340.0, f'data: {{"creatify": {{"id": "{OLD_ID}", "credits_used": 0.01}}}}\r\n\r\n'),
]


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_replay_yields_the_recorded_chunks_at_their_offsets_with_fresh_ids() -> None:
    fake = FakeTime()
    out = list(replay(CHUNKS, 1.0, {OLD_ID: "new-id"}, clock=fake.clock, sleep=fake.sleep))
    assert [offset for offset, _ in out] == [0.12, 0.35, 0.35]  # never backwards
    assert [text for _, text in out][:2] == [c.text for c in CHUNKS[:2]]
    assert '"id": "new-id"' in out[2][1] and OLD_ID not in out[2][1]
    assert fake.slept == pytest.approx([0.12, 0.23])


def test_replay_speed_scales_offsets_and_waits_are_bounded() -> None:
    assert schedule(CHUNKS, 2.0)[1][0] == pytest.approx(0.175)
    fake = FakeTime()
    late = [Chunk(10_000_000.0, "data: {}\n\n")]
    assert [o for o, _ in replay(late, 1.0, clock=fake.clock, sleep=fake.sleep, max_seconds=5)] == [5]
    with pytest.raises(ValueError, match="speed"):
        schedule(CHUNKS, 0)


def test_events_and_the_generation_id_are_read_across_chunk_boundaries() -> None:
    split = [Chunk(0, 'data: {"a": 1}\n'), Chunk(1, '\ndata: {"creatify": {"id": "x'), Chunk(2, 'yz"}}\n\n')]
    assert events(c.text for c in split) == ['{"a": 1}', '{"creatify": {"id": "xyz"}}']
    assert generation_id(split) == "xyz" and generation_id(CHUNKS) == OLD_ID
    assert swap_ids("a-b-a", {"a": "c"}) == "c-b-c"


@pytest.mark.slow
def test_a_recorded_stream_is_replayed_by_the_service(tmp_path: Path) -> None:
    body = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Stream"}]}
    chunks = [
        sse({"candidates": [{"content": {"parts": [{"text": "One "}]}}]}),
        sse({"creatify": {"id": OLD_ID}}),
    ]
    path = tmp_path / "stream.jsonl"
    with StreamingTarget(chunks, gated=False) as server, Recorder(server.url, path) as rec:
        headers = {"X-API-ID": "a", "X-API-KEY": "b"}
        assert (
            httpx.post(f"{rec.url}/sse/text_generator/stream/", json=body, headers=headers).status_code == 200
        )
    service = MockService(Settings(replay=str(path), replay_speed=1000.0))
    service.load_replay(ReplayBook(read(path), 1000.0))
    stream = service.replay_stream({**body, "webhook_url": "http://127.0.0.1:1/"}, "fresh-id")
    assert stream is not None
    texts = [text for _, text in stream]
    assert texts[0] == chunks[0].decode() and json.loads(texts[1][6:])["creatify"]["id"] == "fresh-id"
    assert service.replay_stream({**body, "messages": []}, "x") is None


def test_matching_normalizes_defaults_and_reports_the_first_difference() -> None:
    short = {"model_name": "m", "messages": [{"role": "user"}], "webhook_url": "http://127.0.0.1/1"}
    long = {
        "config": {},
        "system_instruction": "",
        "messages": [{"content": "", "role": "user"}],
        "model_name": "m",
    }
    assert matching.key(short) == matching.key(long)
    assert matching.difference(
        matching.normalized({**long, "config": {"seed": 1}}), matching.normalized(long)
    ) == ("config.seed: 1 here, absent in the recording")
    assert matching.key([1]) != matching.key({})  # bodies that are not objects match only themselves


def test_scrub_keeps_only_harmless_headers_and_masks_secret_parameters() -> None:
    kept = scrub.request_headers(
        [("X-API-KEY", "k"), ("Content-Type", "a/b"), ("X-Token", "t"), ("Accept", "*")]
    )
    assert kept == {"content-type": "a/b", "accept": "*"}
    assert scrub.response_headers([("Set-Cookie", "s"), ("Retry-After", "2"), ("Connection", "close")]) == {
        "retry-after": "2"
    }
    assert scrub.query("ids=a,b&token=xyz") == "ids=a,b&token=***"
    scrubber = scrub.Scrubber()
    assert scrubber.account("team-one-id", 'key"with-quote') == "account-1"
    assert scrubber.account("team-one-id", "") == "account-1" and scrubber.account("", "") is None
    line = json.dumps({"t": 'key"with-quote', "u": "team-one-id"}).encode()
    assert scrubber.line(line) == b'{"t": "***", "u": "account-1"}'


def test_new_settings_are_checked_with_messages_that_name_them() -> None:
    assert Settings(credit_rates=("flash=1", "flash-lite=2")).credit_rates == ("flash=1", "flash-lite=2")
    for bad, name in (
        ({"credit_rates": ("flash",)}, "credit_rates"),
        ({"replay_speed": 0}, "replay_speed"),
        ({"credentials_error_status": 200}, "credentials_error_status"),
        ({"missing_credentials_body": "{"}, "missing_credentials_body"),
        ({"scenario_rules": "[1]"}, "scenario_rules"),
    ):
        with pytest.raises(SettingsError, match=name):
            Settings(**bad)
    assert Settings().with_overrides({"scenario_rules": [{"name": "x"}]}).scenario_rules == '[{"name": "x"}]'
