"""The event feed and the dashboard's routes over real HTTP (a live mock on 127.0.0.1, real SSE clients): resume with
Last-Event-ID, filters, the admin token, a client that leaves, the index routes, and the docs' example, executed."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx_sse
import pytest
import requests

from mockserver.testing import MockServer

from .docs_examples import example

pytestmark = pytest.mark.slow
TIMEOUT = 10
DOCS = Path(__file__).resolve().parent.parent / "docs" / "dashboard.md"
CREATE = {"model_name": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]}


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer(timing="manual") as server:
        yield server


def _create(mock: MockServer) -> str:
    response = requests.post(
        mock.url + "/api/text_generator/", json=CREATE, headers=mock.headers, timeout=TIMEOUT
    )
    assert response.status_code == 201
    return str(response.json()["id"])


def _read(mock: MockServer, path: str, count: int, headers: dict[str, str] | None = None) -> list[Any]:
    """The first ``count`` events of the feed at ``path``."""
    out: list[Any] = []
    with (
        httpx.Client(base_url=mock.url, timeout=TIMEOUT) as client,
        httpx_sse.connect_sse(client, "GET", path, headers=headers or {}) as source,
    ):
        assert source.response.headers["content-type"].startswith("text/event-stream")
        for event in source.iter_sse():
            data = json.loads(event.data)
            assert event.id == str(data["seq"]) and event.event == data["kind"]
            out.append(data)
            if len(out) == count:
                break
    return out


def test_a_reader_resumes_after_the_last_event_id_it_saw(mock: MockServer) -> None:
    first, second = _create(mock), _create(mock)
    created = requests.get(mock.url + "/__admin/events/recent?kind=job.created", timeout=TIMEOUT).json()
    assert [e["job_id"] for e in created] == [first, second]
    [resumed] = _read(mock, "/__admin/events?kind=job.created", 1, {"Last-Event-ID": str(created[0]["seq"])})
    assert resumed["job_id"] == second
    [again] = _read(mock, f"/__admin/events?kind=job.created&since={created[0]['seq']}", 1)
    assert again["job_id"] == second


def test_filters_by_job_and_kind(mock: MockServer) -> None:
    first, second = _create(mock), _create(mock)
    for job in (first, second):
        requests.post(
            f"{mock.url}/__admin/jobs/{job}/advance", headers={"Content-Type": "application/json"}, timeout=5
        )
    events = _read(mock, f"/__admin/events?since=0&job_id={second}&kind=job", 2)
    assert [(e["kind"], e["job_id"]) for e in events] == [("job.created", second), ("job.transition", second)]
    journal = _read(mock, "/__admin/events?since=0&kind=journal.entry", 2)
    assert [e["data"]["job_id"] for e in journal] == [first, second]
    assert journal[0]["data"]["status"] == 201 and journal[0]["data"]["rule"] is None


def test_a_bad_resume_id_is_a_json_400(mock: MockServer) -> None:
    response = requests.get(mock.url + "/__admin/events", headers={"Last-Event-ID": "x"}, timeout=TIMEOUT)
    assert response.status_code == 400 and "since" in response.json()


def test_a_reader_that_leaves_is_let_go(mock: MockServer) -> None:
    with requests.get(mock.url + "/__admin/events", stream=True, timeout=TIMEOUT) as feed:
        assert feed.status_code == 200
        assert mock.service.events.subscribers == 1
    # The server notices a closed socket when it writes to it (an event, or the heartbeat when quiet).
    deadline = time.monotonic() + TIMEOUT
    while mock.service.events.subscribers and time.monotonic() < deadline:
        _create(mock)
        time.sleep(0.1)
    assert mock.service.events.subscribers == 0


def _read_feed(url: str, reading: threading.Event) -> None:
    """Read the feed as a browser tab does, all the time, until the server ends it."""
    with (
        contextlib.suppress(httpx.HTTPError),
        httpx.stream("GET", url + "/__admin/events", timeout=TIMEOUT) as feed,
    ):
        for _ in feed.iter_raw():
            reading.set()


def test_stopping_the_mock_under_an_open_feed_logs_no_error(caplog: pytest.LogCaptureFixture) -> None:
    """A dashboard tab left open when the mock stops is dropped quietly: uvicorn logged "Exception in ASGI
    application" (a CancelledError) for an open feed at most stops, in test suites and at ``make serve``'s Ctrl-C."""
    caplog.set_level(logging.WARNING)
    for _ in range(3):  # it was logged at two or three stops of three
        with MockServer(timing="manual") as mock:
            reading = threading.Event()
            reader = threading.Thread(target=_read_feed, args=(mock.url, reading), daemon=True)
            reader.start()
            assert reading.wait(TIMEOUT)
            mock.stop()
            reader.join(TIMEOUT)
            assert not reader.is_alive()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def test_the_admin_token_guards_the_feed_but_not_the_dashboard_shell() -> None:
    with MockServer(admin_token="tok") as mock:
        refused = requests.get(mock.url + "/__admin/events", timeout=TIMEOUT)
        assert refused.status_code == 401 and "token" in refused.json()["detail"]
        shell = requests.get(mock.url + "/__admin/ui/", timeout=TIMEOUT)
        assert shell.status_code == 200 and "<main" in shell.text
        assert requests.get(mock.url + "/__admin/ui/js/app.js", timeout=TIMEOUT).status_code == 200
        _create(mock)
        [event] = _read(mock, "/__admin/events?since=0", 1, {"Authorization": "Bearer tok"})
        assert event["kind"] == "job.created"


def test_the_index_routes_lead_to_the_dashboard(mock: MockServer) -> None:
    for path in ("/", "/__admin", "/__admin/"):
        as_json = requests.get(mock.url + path, timeout=TIMEOUT)
        assert as_json.status_code == 200 and as_json.json()["dashboard"] == "/__admin/ui/"
        browser = requests.get(
            mock.url + path, headers={"Accept": "text/html"}, allow_redirects=False, timeout=5
        )
        assert browser.status_code == 302 and browser.headers["Location"].endswith("/__admin/ui/")
    bare = requests.get(mock.url + "/__admin/ui", allow_redirects=False, timeout=TIMEOUT)
    assert bare.status_code == 308
    shell = requests.get(mock.url + "/__admin/ui/", timeout=TIMEOUT)
    assert "default-src 'self'" in shell.headers["Content-Security-Policy"]
    missing = requests.get(mock.url + "/__admin/ui/nope.js", timeout=TIMEOUT)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    escape = requests.get(mock.url + "/__admin/ui/..%2f..%2fapp.py", timeout=TIMEOUT)
    assert escape.status_code == 404


def test_every_shipped_asset_loads_from_the_mock(mock: MockServer) -> None:
    shell = requests.get(mock.url + "/__admin/ui/", timeout=TIMEOUT).text
    assert "http://" not in shell and "https://" not in shell
    ui = Path(__file__).resolve().parent.parent / "mockserver" / "web" / "ui"
    for asset in sorted(ui.rglob("*.*")):
        text = asset.read_text()
        assert not re.search(r"""(src|href)=["']https?://""", text), asset  # nothing from another origin
        assert not re.search(r"""from ["']https?://""", text), asset
        got = requests.get(f"{mock.url}/__admin/ui/{asset.relative_to(ui).as_posix()}", timeout=TIMEOUT)
        assert got.status_code == 200, asset


def test_the_docs_example_runs() -> None:
    exec(compile(example("feed"), str(DOCS), "exec"), {"__name__": "docs_example"})
