"""The dashboard in a real browser: Playwright (PyPI) driving Debian's Chromium by its path (no browser download),
against real mocks on 127.0.0.1, a real webhook receiver and a real SSE client. Every request the page makes is
recorded and must go to the mock itself. Screenshots of each view go to build/dashboard-screenshots/ (ignored)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver.testing import MockServer
from tests.receiver import Receiver
from tests.sse_client import Background, SseClient, body

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]  # one Chromium for the whole module
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CREATIFY_MOCK_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent.parent / "build" / "dashboard-screenshots"
WAIT_MS = 10_000  # every wait in the page is bounded; this is a ceiling, not a speed check
TIMEOUT = 10
JSON = {"Content-Type": "application/json"}
CREATE = {
    "model_name": "gemini-2.5-flash",
    "messages": [{"role": "user", "content": "Say hi to the dashboard"}],
}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Chromium by its path; Playwright's launch gives it a fresh, temporary user-data dir of its own."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (make debian-deps installs Debian's chromium)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Page:
    """A fresh browser context (its own storage) on one mock, recording every URL it requests."""

    def __init__(self, browser: Any, mock: MockServer, width: int = 1280, height: int = 800) -> None:
        self.mock = mock
        self.origin = mock.url
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.set_default_timeout(WAIT_MS)
        self.urls: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.urls.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, route: str = "#/jobs") -> Any:
        self.page.goto(f"{self.mock.url}/__admin/ui/{route}")
        return self.page

    def live(self) -> None:
        self.page.wait_for_selector("#live.on")

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        outside = [
            u
            for u in self.urls
            if not u.startswith(self.origin + "/") and not u.startswith(("data:", "blob:"))
        ]
        assert self.urls and not outside, f"the page requested something outside the mock: {outside}"
        assert not self.errors, self.errors


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def make(mock: MockServer, **size: int) -> Page:
        page = Page(chromium, mock, **size)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()


def _create(mock: MockServer, **extra: Any) -> dict[str, Any]:
    response = requests.post(
        mock.url + "/api/text_generator/", json={**CREATE, **extra}, headers=mock.headers, timeout=TIMEOUT
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_new_job_appears_without_a_reload_and_its_timeline_follows_it_to_done(open_page: Any) -> None:
    with MockServer(timing="manual") as mock:
        ui = open_page(mock)
        page = ui.open("#/jobs")
        ui.live()
        page.evaluate("window.__notReloaded = true")
        job = _create(mock)
        # a locator, not an element handle: a live update may render the row again between two actions
        row = page.locator(f'tr[data-job="{job["id"]}"][data-status="pending"]')
        row.wait_for()
        assert page.evaluate("window.__notReloaded") is True
        assert "Say hi to the dashboard" in row.inner_text()
        ui.shot("jobs")

        row.press("Enter")  # keyboard: a row opens its timeline
        page.wait_for_selector(".step.pending.reached")
        assert page.query_selector(".step.running.reached") is None
        moved = requests.post(
            f"{mock.url}/__admin/jobs/{job['id']}/advance",
            json={"status": "running"},
            headers=JSON,
            timeout=TIMEOUT,
        )
        assert moved.status_code == 200
        page.wait_for_selector(".step.running.reached")
        page.fill('input[aria-label="Response text"]', "Hello from the dashboard")
        page.click("text=→ done")
        page.wait_for_selector(".step.done.reached")
        assert mock.service.get(None, job["id"])["response_text"] == "Hello from the dashboard"  # type: ignore[index]
        assert "Hello from the dashboard" in page.inner_text("main")
        ui.shot("timeline")


def test_a_held_stream_is_released_from_the_dashboard_to_a_real_sse_client(open_page: Any) -> None:
    with MockServer(timing="manual") as mock:
        ui = open_page(mock)
        page = ui.open("#/jobs")
        ui.live()
        client = SseClient(mock)
        try:
            reader = Background(
                client,
                body(messages=[{"role": "user", "content": "Tell me a short story about a mock server"}]),
            )
            row = page.locator(
                'tr[data-job][data-status="pending"]'
            ).first  # re-found at the click (live updates)
            row.wait_for()
            row.click()
            page.wait_for_selector(".stream .badge.s-held")
            ui.shot("stream-held")
            page.click("text=Release all")
            chunks = reader.rest()
            reader.join()
        finally:
            client.close()
        job_id = chunks[-1].creatify["id"] if chunks[-1].creatify else None
        assert job_id is not None and chunks[-1].finish_reason == "STOP"
        text = "".join(c.text for c in chunks)
        assert text == mock.service.get(None, job_id)["response_text"]  # type: ignore[index]
        page.wait_for_selector(".step.done.reached")
        assert page.query_selector(".stream .badge.s-held") is None


def test_a_failing_receiver_shows_retries_and_a_redelivery_from_the_dashboard_arrives(open_page: Any) -> None:
    with (
        Receiver(statuses=[500, 500]) as receiver,
        MockServer(
            timing="instant", webhook_events="terminal", webhook_max_attempts=2, webhook_backoff=0.05
        ) as mock,
    ):
        job = _create(mock, webhook_url=receiver.url())
        mock.wait_for_webhooks(job["id"], count=1)
        ui = open_page(mock)
        page = ui.open(f"#/jobs/{job['id']}")
        page.wait_for_selector(".webhooks .badge.s-abandoned")
        assert page.locator(".webhooks .attempts tbody tr").count() == 2
        assert page.locator(".webhooks .attempts .badge.s-5xx").count() == 2
        ui.shot("webhook-retries")
        page.click(".webhooks button.redeliver")
        calls = receiver.wait_for(3)
        assert calls[-1].json()["id"] == job["id"] and calls[-1].headers["X-Webhook-Attempt"] == "3"
        page.wait_for_selector(".webhooks .badge.s-delivered")
        page.click("nav >> text=Webhooks")
        page.wait_for_selector("form.faults input[name=drop_rate]")
        ui.shot("webhooks")


def test_a_rule_added_in_the_dashboard_answers_the_next_call_and_the_journal_names_it(open_page: Any) -> None:
    with MockServer(timing="manual") as mock:
        ui = open_page(mock)
        page = ui.open("#/scenarios")
        ui.live()
        page.fill("#rule-text", "name: [not, a, name]\n")
        page.click("#add-rule")
        errors = page.locator(
            "#rule-errors:not(:empty)"
        )  # locators are re-found at each action (live updates)
        errors.wait_for()
        assert "name" in errors.inner_text()
        rule = "name: teapot\nmatch: {operation: create, times: 2}\nhttp: {status: 418, body: {detail: short and stout}}\n"
        page.fill("#rule-text", rule)
        page.click("#add-rule")
        page.wait_for_selector('tr[data-rule="teapot"]')
        ui.shot("scenarios")
        answered = requests.post(
            mock.url + "/api/text_generator/", json=CREATE, headers=mock.headers, timeout=TIMEOUT
        )
        assert answered.status_code == 418
        page.wait_for_selector('tr[data-rule="teapot"] td.applied:text-is("1")')
        page.click("nav >> text=Requests")
        row = page.locator("tr[data-request]").first  # re-found at each action (live updates)
        row.wait_for()
        assert "teapot" in row.inner_text() and "418" in row.inner_text()
        row.click()
        detail = page.locator(".request-detail")
        detail.wait_for()
        assert "short and stout" in detail.inner_text()
        ui.shot("requests")


def test_clock_and_state_view_advances_the_clock(open_page: Any) -> None:
    with MockServer(timing="manual") as mock:
        ui = open_page(mock)
        page = ui.open("#/clock")
        now = page.locator("#now .mono")
        now.wait_for()
        before = now.inner_text()
        page.fill("#advance-seconds", "3600")
        page.click("#advance-clock")
        page.wait_for_function(
            "before => document.querySelector('#now .mono') && document.querySelector('#now .mono').textContent !== before",
            arg=before,
        )
        assert page.inner_text("#timing") == "manual"
        ui.shot("clock")


def test_with_an_admin_token_the_page_asks_for_it_and_shows_no_data_without_it(open_page: Any) -> None:
    with MockServer(timing="manual", admin_token="s3cret-token") as mock:
        job = _create(mock)
        ui = open_page(mock)
        page = ui.open("#/jobs")
        page.wait_for_selector("#token-dialog[open]")
        assert page.is_visible(".locked")
        assert job["id"] not in page.content()
        data_calls = [u for u in ui.urls if "/__admin/" in u and "/__admin/ui/" not in u]
        assert data_calls == [f"{mock.url}/__admin/clock"]  # the probe, refused: nothing else was asked
        ui.shot("token-prompt")
        page.fill("#token-input", "wrong")
        page.click("#token-form button[type=submit]")
        page.wait_for_selector("#token-error:not([hidden])")
        page.fill("#token-input", "s3cret-token")
        page.click("#token-form button[type=submit]")
        page.wait_for_selector(f'tr[data-job="{job["id"]}"]')
        ui.live()  # the feed is read with the token too


def test_the_dashboard_is_readable_on_a_phone(open_page: Any) -> None:
    with MockServer(timing="manual") as mock:
        _create(mock)
        ui = open_page(mock, width=390, height=844)
        page = ui.open("#/jobs")
        page.wait_for_selector("tr[data-job]")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390px"
        ui.shot("jobs-390px")


def test_realtime_jobs_change_status_in_the_list_without_anyone_reading_them(open_page: Any) -> None:
    with MockServer(timing="realtime", pending_seconds=0.2, running_seconds=0.3) as mock:
        ui = open_page(mock)
        page = ui.open("#/jobs?status=done")
        ui.live()
        job = _create(mock)
        page.wait_for_selector(
            f'tr[data-job="{job["id"]}"][data-status="done"]'
        )  # the feed, not a read, moved it
        assert page.inner_text(".counts").count("done 1") == 1
        assert "status=done" in page.url


def test_the_page_follows_the_system_colour_scheme(open_page: Any) -> None:
    with MockServer(timing="manual") as mock:
        ui = open_page(mock)
        page = ui.open("#/clock")
        page.wait_for_selector("#timing")
        background = "getComputedStyle(document.body).backgroundColor"
        page.emulate_media(color_scheme="light")
        light = page.evaluate(background)
        page.emulate_media(color_scheme="dark")
        dark = page.evaluate(background)
        assert light != dark
        ui.shot("clock-dark")
