"""The storage boundary, tested the way ``limits`` tests its storages: the same tests against every store.

The Redis store runs against a real redis-server (session fixture); each test takes its own key prefix, so
tests never see each other's state. "Two processes" are two bundles on the same prefix (the Redis store keeps
nothing of substance in the process), and for the memory store the same bundle used from two threads.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

import pytest

from mockserver.config.settings import Settings
from mockserver.core.clock import FrozenClock
from mockserver.core.models import Job, JobStatus, Outcome, Schedule
from mockserver.core.scenarios import RequestInfo
from mockserver.core.storage import Storage, StoreError, open_storage
from mockserver.core.store import Conflict

START = 1_767_225_600_000_000
Factory = Callable[..., Storage]


@pytest.fixture(params=["memory", "redis"])
def make_storage(request: pytest.FixtureRequest) -> Iterator[Factory]:
    """Bundles of one store kind; ``same=True`` gives another bundle on the same state (another 'process')."""
    texts = count()
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    made: list[Storage] = []
    clock = FrozenClock(START)

    def finisher(job: Job, blocking: bool) -> Outcome:
        return Outcome(JobStatus.DONE, response_text=f"text {next(texts)}", credits_used=1.5)

    def make(same: bool = False, **options: Any) -> Storage:
        if same and request.param == "memory":
            return made[0]
        store = "memory" if request.param == "memory" else request.getfixturevalue("redis_url")
        storage = open_storage(Settings(store=store, store_prefix=prefix, **options), finisher, clock)
        made.append(storage)
        return storage

    yield make
    for storage in made:
        storage.close()


def job(seq: int, account: str = "acct", running_at: int | None = None, finish_at: int | None = None) -> Job:
    request = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}
    return Job(f"job-{seq}", account, seq, request, None, START, Schedule(running_at, finish_at))


def test_jobs_are_listed_newest_first_per_account_and_by_ids(make_storage: Factory) -> None:
    jobs = make_storage().jobs
    for seq in (1, 2, 3):
        jobs.add(job(seq))
    jobs.add(job(4, account="other"))
    assert [j["id"] for j in jobs.snapshot(START, "acct")] == ["job-3", "job-2", "job-1"]
    assert [j["id"] for j in jobs.snapshot(START, "acct", ["job-1", "job-3", "job-4", "nope"])] == [
        "job-3",
        "job-1",
    ]
    assert [j["id"] for j in jobs.snapshot(START)] == ["job-4", "job-3", "job-2", "job-1"]
    assert jobs.get("job-4", START, "acct") is None
    assert jobs.get("job-4", START, "other") is not None and jobs.owner("job-4") == "other"
    assert len(jobs) == 4


def test_a_job_created_through_one_bundle_is_read_through_another(make_storage: Factory) -> None:
    first, second = make_storage(), make_storage(same=True)
    first.jobs.add(job(1))
    found = second.jobs.get("job-1", START, "acct")
    assert found is not None and found["status"] == "pending"
    assert second.jobs.request_of("job-1")["model_name"] == "gemini-2.5-flash"


def test_a_due_finish_is_applied_once_and_deducts_credits_once(make_storage: Factory) -> None:
    first = make_storage(credits=("acct=10",))
    second = make_storage(same=True, credits=("acct=10",))
    seen: list[str] = []
    for storage in {id(s): s for s in (first, second)}.values():  # memory: the same bundle twice
        storage.jobs.listeners.append(lambda view, j: seen.append(view["status"]))
    first.jobs.add(job(1, running_at=START + 1, finish_at=START + 2))
    answers: list[Any] = []

    def read(storage: Storage) -> None:
        for _ in range(20):
            answers.append(storage.jobs.get("job-1", START + 5, "acct"))

    threads = [threading.Thread(target=read, args=(s,)) for s in (first, second, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    texts = {a["response_text"] for a in answers}
    assert len(texts) == 1 and {a["status"] for a in answers} == {"done"}
    assert seen == ["running", "done"]
    assert first.balances.get("acct") == second.balances.get("acct") == 8.5


def test_advance_moves_one_step_or_to_a_target_and_refuses_terminal_jobs(make_storage: Factory) -> None:
    jobs = make_storage().jobs
    jobs.add(job(1))
    assert jobs.advance("job-1", START, None, None)["status"] == "running"
    failed = Outcome(JobStatus.FAILED, failed_reason="no")
    assert jobs.advance("job-1", START, JobStatus.FAILED, failed)["failed_reason"] == "no"
    with pytest.raises(Conflict):
        jobs.advance("job-1", START, None, None)
    with pytest.raises(KeyError):
        jobs.advance("nope", START, None, None)


def test_tick_moves_watched_jobs_nobody_reads(make_storage: Factory) -> None:
    storage = make_storage()
    jobs = storage.jobs
    jobs.watch = lambda j: True
    moved: list[str] = []
    jobs.listeners.append(lambda view, j: moved.append(view["status"]))
    jobs.add(job(1, running_at=START + 10, finish_at=START + 20))
    assert jobs.next_wakeup() == START + 10
    jobs.tick(START + 15)
    assert moved == ["running"] and jobs.next_wakeup() == START + 20
    jobs.tick(START + 25)
    assert moved == ["running", "done"] and jobs.next_wakeup() is None


def test_ids_are_one_sequence_for_every_bundle(make_storage: Factory) -> None:
    first, second = make_storage(seed=7), make_storage(same=True, seed=7)
    seqs = [first.ids.allocate(lambda rng: rng.random())[0] for _ in range(3)]
    seqs += [second.ids.allocate(lambda rng: rng.random())[0] for _ in range(3)]
    assert seqs == [1, 2, 3, 4, 5, 6]
    first.ids.reset()
    assert second.ids.allocate(lambda rng: None)[0] == 1


def test_balances_set_read_replace_and_reset(make_storage: Factory) -> None:
    first = make_storage(credits=("acct=5",))
    second = make_storage(same=True, credits=("acct=5",))
    first.balances.set("team", 2.25)
    assert second.balances.all() == {"acct": 5.0, "team": 2.25}
    second.balances.set("acct", 0)
    assert first.balances.exhausted("acct") and not first.balances.exhausted("nobody")
    first.balances.set("team", None)
    assert second.balances.get("team") is None
    second.balances.reset()
    assert first.balances.all() == {"acct": 5.0}


def test_rate_buckets_are_shared(make_storage: Factory) -> None:
    first = make_storage(rate_limit="2/minute")
    second = make_storage(same=True, rate_limit="2/minute")
    assert first.rate.acquire("acct") == 0
    assert second.rate.acquire("acct") == 0
    assert first.rate.acquire("acct") > 0
    assert second.rate.acquire("other") == 0
    second.rate.reset()
    assert first.rate.acquire("acct") == 0


def test_export_import_and_reset(make_storage: Factory) -> None:
    jobs = make_storage().jobs
    for seq in (1, 2):
        jobs.add(job(seq))
    jobs.advance("job-1", START, JobStatus.DONE, None)
    exported = jobs.export_jobs()
    assert [j.id for j in exported] == ["job-1", "job-2"] and exported[0].status is JobStatus.DONE
    jobs.reset()
    assert len(jobs) == 0 and jobs.get("job-1", START) is None
    jobs.import_jobs(exported)
    assert [j["id"] for j in jobs.snapshot(START, "acct")] == ["job-2", "job-1"]
    assert jobs.get("job-1", START, "acct") == exported[0].to_api()


def test_a_redis_store_nobody_listens_on_stops_startup_with_a_clear_error() -> None:
    from tests.redis_server import free_port

    settings = Settings(store=f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(StoreError, match="cannot use this Redis"):
        open_storage(settings, lambda job, blocking: None)


def test_scenario_times_are_counted_once_across_bundles(make_storage: Factory) -> None:
    first, second = make_storage(), make_storage(same=True)
    first.scenarios.replace([{"name": "twice", "match": {"times": 2}, "outcome": {"status": "failed"}}])
    getattr(second.scenarios, "adopt", lambda: None)()  # what the bus does for the Redis store
    info = RequestInfo("create", "acct", {}, {"model_name": "gemini-2.5-flash", "messages": []})
    hits = [
        book.take(info) for book in (first.scenarios, second.scenarios, first.scenarios, second.scenarios)
    ]
    assert [hit is not None for hit in hits] == [True, True, False, False]
    assert first.scenarios.views() == second.scenarios.views() == []
    second.scenarios.add({"name": "always", "outcome": {"status": "failed"}})
    getattr(first.scenarios, "adopt", lambda: None)()
    assert first.scenarios.take(info) is not None
    assert [v["applied"] for v in second.scenarios.views()] == [1]


def test_open_streams_are_seen_and_released_through_every_bundle(make_storage: Factory) -> None:
    first, second = make_storage(), make_storage(same=True)
    first.streams.open("job-1", 3, gated=True)
    first.streams.sent("job-1", "Hel")
    assert second.streams.released("job-1") == 0
    opened = second.streams.release("job-1", 2)
    assert opened is not None and opened.released == 2 and opened.sent_text == "Hel"
    assert first.streams.released("job-1") == 2
    assert second.streams.release("job-1", None) is not None and first.streams.released("job-1") == 3
    assert [v["job_id"] for v in second.streams.views()] == ["job-1"] and len(first.streams) == 1
    first.streams.close("job-1")
    assert second.streams.get("job-1") is None and second.streams.release("job-1", 1) is None


def test_the_journal_is_read_through_every_bundle(make_storage: Factory) -> None:
    first, second = make_storage(journal_size=2), make_storage(same=True, journal_size=2)
    for path, status in (("/api/text_generator/", 201), ("/api/text_generator/x/", 404), ("/sse/y/", 200)):
        entry = first.journal.begin(
            "GET", path, "a=1", [("HTTP_X_API_ID", "acct"), ("HTTP_X_API_KEY", "k")], b"\xff"
        )
        entry.status = status
        entry.duration_ms = 1.5  # the web layer's last write: the entry is complete
    seen = second.journal.entries()
    assert [e["path"] for e in seen] == ["/sse/y/", "/api/text_generator/x/"]  # newest first, bounded
    assert seen[0]["headers"]["X-Api-Key"] == "***" and seen[0]["body"] == "\ufffd"
    assert [e["status"] for e in second.journal.entries(status="4xx", api_id="acct")] == [404]
    assert len(first.journal) == 2 and second.journal.clear() == 2 and first.journal.entries() == []
