"""The memory event feed: order, bounded ring with gap reports, resume by seq, wakes without polling, never raises."""

from __future__ import annotations

import threading
import time

from mockserver.core.events import GAP, Event, MemoryEventFeed
from mockserver.service.events import EventFilter


def _feed(size: int = 100) -> MemoryEventFeed:
    ticks = iter(range(1_000_000))
    return MemoryEventFeed(lambda: float(next(ticks)), size)


def test_events_have_increasing_seq_and_reach_a_subscriber_in_order() -> None:
    feed = _feed()
    reader = feed.subscribe()
    feed.publish("job.created", {"n": 1}, "j1")
    feed.publish("job.transition", {"status": "running"}, "j1")
    got = reader.get(1.0)
    assert [(e.seq, e.kind, e.job_id) for e in got] == [(1, "job.created", "j1"), (2, "job.transition", "j1")]
    assert got[0].at < got[1].at
    assert reader.get(0) == []


def test_a_subscriber_sees_only_what_follows_its_subscription_unless_it_asks_for_more() -> None:
    feed = _feed()
    feed.publish("a", {})
    feed.publish("b", {})
    assert feed.subscribe().get(0) == []
    assert [e.kind for e in feed.subscribe(since_seq=1).get(0)] == ["b"]
    assert [e.kind for e in feed.subscribe(since_seq=0).get(0)] == ["a", "b"]


def test_data_given_as_a_function_is_made_only_when_the_event_is_read() -> None:
    feed = _feed()
    calls: list[int] = []

    def summary() -> dict[str, int]:
        calls.append(1)
        return {"status": 200}

    reader = feed.subscribe()
    feed.publish("journal.entry", summary, lambda: "j1")
    assert calls == []  # publishing did not make it
    got = reader.get(1.0)
    assert [(e.kind, e.job_id, e.data) for e in got] == [("journal.entry", "j1", {"status": 200})]
    assert [e.data for e in feed.recent(10)] == [{"status": 200}]
    assert len(calls) == 2  # once per read


def test_a_seq_from_another_run_reads_everything_kept() -> None:
    feed = _feed()
    feed.publish("a", {})
    assert [e.kind for e in feed.subscribe(since_seq=999).get(0)] == ["a"]


def test_the_ring_is_bounded_and_a_late_reader_is_told_what_it_missed() -> None:
    feed = _feed(size=3)
    reader = feed.subscribe(since_seq=0)
    for n in range(5):
        feed.publish("tick", {"n": n})
    got = reader.get(0)
    assert got[0].kind == GAP and got[0].data == {"missed": 2}
    assert [e.data["n"] for e in got[1:]] == [2, 3, 4]
    assert [e.seq for e in got[1:]] == [3, 4, 5]
    assert len(feed.recent(100)) == 3


def test_a_waiting_reader_is_woken_by_a_publish_from_another_thread() -> None:
    feed = _feed()
    reader = feed.subscribe()
    got: list[str] = []
    started = threading.Event()

    def read() -> None:
        started.set()
        got.extend(e.kind for e in reader.get(10.0))

    thread = threading.Thread(target=read)
    thread.start()
    started.wait(5)
    feed.publish("job.created", {}, "j")
    thread.join(5)
    assert not thread.is_alive()
    assert got == ["job.created"]


def test_get_returns_empty_after_its_timeout_and_close_ends_a_wait() -> None:
    feed = _feed()
    reader = feed.subscribe()
    assert reader.get(0.01) == []
    done = threading.Event()

    def read() -> None:
        reader.get(10.0)
        done.set()

    thread = threading.Thread(target=read)
    thread.start()
    time.sleep(0.05)
    reader.close()
    assert done.wait(5)
    assert feed.subscribers == 0


def test_publish_never_raises_into_the_caller() -> None:
    def broken() -> float:
        raise RuntimeError("clock broke")

    feed = MemoryEventFeed(broken, 10)
    feed.publish("job.created", {})  # no exception
    assert feed.errors == 1


def test_a_wake_hook_is_called_for_each_publish() -> None:
    feed = _feed()
    reader = feed.subscribe()
    woken: list[int] = []
    reader.on_wake = lambda: woken.append(1)
    feed.publish("a", {})
    feed.publish("b", {})
    assert woken == [1, 1]


def test_events_render_as_sse_frames_with_their_seq_as_id() -> None:
    feed = _feed()
    reader = feed.subscribe()
    feed.publish("job.created", {"x": 1}, "j1")
    frame = reader.get(0)[0].sse()
    assert frame.startswith(b"id: 1\nevent: job.created\ndata: {")
    assert frame.endswith(b"\n\n")


def test_the_filter_takes_kinds_prefixes_and_a_job() -> None:
    feed = _feed()
    reader = feed.subscribe()
    feed.publish("job.created", {}, "j1")
    feed.publish("webhook.attempt", {}, "j1")
    feed.publish("webhook.attempt", {}, "j2")
    feed.publish("state.reset", {})
    got = reader.get(0)
    assert [e.kind for e in got if EventFilter(kinds=("webhook",))(e)] == ["webhook.attempt"] * 2
    assert [e.kind for e in got if EventFilter(job_id="j2")(e)] == ["webhook.attempt", "state.reset"]
    assert [e.kind for e in got if EventFilter(kinds=("job.created", "state"))(e)] == [
        "job.created",
        "state.reset",
    ]
    gap = Event(0, 0.0, GAP, None, {"missed": 3})
    assert EventFilter(job_id="j1", kinds=("webhook",))(gap)  # a filtered reader still learns it missed some


def test_many_publishers_lose_nothing_and_seqs_stay_unique() -> None:
    feed = _feed(size=10_000)
    reader = feed.subscribe()

    def publish() -> None:
        for _ in range(500):
            feed.publish("tick", {})

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    seqs = [e.seq for e in reader.get(0)]
    assert seqs == list(range(1, 2001))
