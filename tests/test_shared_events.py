"""The event feed on a shared store: a reader attached to one process sees what every process did (issue 23's
"the feed carries events from every process"), live and in ``/__admin/events/recent``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from .test_operations import Cli, servers
from .test_shared_store import admin, shared

pytestmark = pytest.mark.slow  # subprocesses and a redis-server: `make test` runs it
__all__ = ["servers"]  # the fixture, used by name


def _events_until(lines: Iterator[str], job_id: str, kind: str, limit: float = 15.0) -> list[dict[str, Any]]:
    """Read the SSE feed until ``kind`` is seen for ``job_id`` (bounded in time and lines)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + limit
    for line in lines:
        if time.monotonic() > deadline or len(seen) > 1000:
            break
        if line and line.startswith("data: "):
            event = json.loads(line[len("data: ") :])
            seen.append(event)
            if event["job_id"] == job_id and event["kind"] == kind:
                return seen
    raise AssertionError(
        f"no {kind} of {job_id} on the other process's feed; saw {[e['kind'] for e in seen]}"
    )


def test_a_reader_on_one_process_sees_the_jobs_of_the_other(
    redis_url: str, servers: Callable[..., Cli]
) -> None:
    args = shared(redis_url, "--timing", "manual")
    a, b = servers(*args), servers(*args)
    with requests.get(f"{b.url}/__admin/events", stream=True, timeout=(5, 5)) as feed:
        assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/event-stream")
        lines = feed.iter_lines(
            decode_unicode=True
        )  # one iterator: a second one would lose what the first buffered
        job = a.create()  # made on A, read on B's feed
        created = _events_until(lines, job["id"], "job.created")
        assert created[-1]["job_id"] == job["id"]
        admin(a, "POST", f"/__admin/jobs/{job['id']}/advance", {"status": "done"})
        moved = _events_until(lines, job["id"], "job.transition")
        assert moved[-1]["data"]["status"] in ("running", "done")
    recent = requests.get(f"{b.url}/__admin/events/recent?job_id={job['id']}", timeout=5).json()
    kinds = [e["kind"] for e in recent]
    assert "job.created" in kinds and "job.transition" in kinds
    seqs = [e["seq"] for e in recent]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # one global sequence across processes
