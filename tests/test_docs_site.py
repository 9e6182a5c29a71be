"""The documentation site: the options reference is what the generator gives (so it cannot drift), every
option is in it, every internal link of the README and the pages resolves, and the README stays a landing page."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from mockserver import cli_reference

from .docs_examples import DOCS, ROOT, pages

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"```.*?```", re.S)


def test_the_options_reference_is_generated_from_the_parser_and_settings() -> None:
    page = DOCS / "reference" / "options.md"
    assert page.read_text() == cli_reference.render(), (
        "docs/reference/options.md is out of date: run `make docs-options` and commit it"
    )


def test_every_serve_option_and_every_setting_is_in_the_reference() -> None:
    from dataclasses import fields

    from mockserver.config.settings import Settings

    text = (DOCS / "reference" / "options.md").read_text()
    for action in cli_reference.serve_parser()._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}`" in text, f"the options reference does not document {flag}"
    for field in fields(Settings):
        assert f"CREATIFY_MOCK_{field.name.upper()}`" in text, f"the reference does not name {field.name}"


def slug(heading: str) -> str:
    """The anchor Python-Markdown's toc gives a heading (its default slugify)."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    return {slug(h) for h in re.findall(r"^#{1,6} (.+?)\s*$", text, re.M)}


def test_every_internal_link_resolves() -> None:
    broken = []
    for page in pages():
        for groups in LINK.findall(FENCE.sub("", page.read_text())):
            target = groups[0] or groups[1]
            if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
                continue
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            if not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_link_checker_finds_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("# Title\n\n[x](missing.md) [y](#title) [z](#nope)\n")
    found = [g[0] for g in LINK.findall(page.read_text())]
    assert found == ["missing.md", "#title", "#nope"]
    assert anchors(page) == {"title"}


def test_the_readme_is_a_landing_page() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines: move the detail into docs/"


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in sorted(DOCS.rglob("*.md")):
        assert str(page.relative_to(DOCS)) in nav, (
            f"{page.relative_to(DOCS)} is in no nav entry of mkdocs.yml"
        )


def test_every_python_block_is_a_marked_example() -> None:
    """An unmarked Python block would be an example no test runs."""
    unmarked = []
    for page in pages():
        text = page.read_text()
        for match in re.finditer(r"(.*)\n```python\n", text):
            if "<!-- example:" not in match.group(1):
                unmarked.append(f"{page.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 2}")
    assert not unmarked, "Python blocks without <!-- example: NAME -->: " + ", ".join(unmarked)
