"""``/docs``: Swagger UI for both OpenAPI documents, with every file it loads served by the mock itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from mockserver.testing import MockServer

pytestmark = pytest.mark.slow  # a real server

TIMEOUT = 10


class References(HTMLParser):
    """Every URL the page makes the browser load: scripts, stylesheets, icons, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_docs_page_and_every_asset_it_references_come_from_the_mock() -> None:
    with MockServer() as mock:
        page_url = f"{mock.url}/docs"
        page = requests.get(page_url, timeout=TIMEOUT)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        parser = References()
        parser.feed(page.text)
        assert len(parser.urls) >= 4, parser.urls
        origin = urlsplit(mock.url)[:2]
        loaded = [urljoin(page_url, u) for u in parser.urls]
        scripts = [u for u in loaded if u.endswith(".js")]
        start = next(u for u in scripts if u.endswith("/start.js"))
        documents = re.findall(r'"url": "([^"]+)"', requests.get(start, timeout=TIMEOUT).text)
        assert documents == ["openapi.json", "__admin/openapi.json"]
        loaded += [urljoin(page_url, d) for d in documents]
        for url in loaded:
            assert urlsplit(url)[:2] == origin, f"{url} is not served by the mock"
            answer = requests.get(url, timeout=TIMEOUT)
            assert answer.status_code == 200 and answer.content, url
        assert (
            requests.get(urljoin(page_url, "openapi.json"), timeout=TIMEOUT)
            .json()["openapi"]
            .startswith("3.1")
        )


def test_the_start_script_turns_the_online_validator_off() -> None:
    with MockServer() as mock:
        script = requests.get(f"{mock.url}/docs/start.js", timeout=TIMEOUT).text
        assert "validatorUrl: null" in script  # Swagger UI would otherwise load a badge from its own site


def test_only_the_listed_assets_are_served_and_a_slash_redirects() -> None:
    with MockServer() as mock:
        assert requests.get(f"{mock.url}/docs/assets/LICENSE", timeout=TIMEOUT).status_code == 404
        assert requests.get(f"{mock.url}/docs/assets/..%2f__init__.py", timeout=TIMEOUT).status_code == 404
        slash = requests.get(f"{mock.url}/docs/", timeout=TIMEOUT, allow_redirects=False)
        assert slash.status_code == 308 and slash.headers["Location"].endswith("/docs")
