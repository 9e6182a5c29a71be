"""The documentation's examples, found by their markers (``<!-- example: NAME -->`` before a fenced block), so
tests execute exactly what the pages show: the README and every page under ``docs/``."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MARKER = re.compile(r"<!-- (example|curl): ([\w-]+) -->\n```(\w+)\n(.*?)```", re.S)


def pages() -> list[Path]:
    """The README and every Markdown page of the site."""
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def examples() -> dict[tuple[str, str], tuple[Path, str]]:
    """(kind, name) -> (page, code) for every marked block; a name used twice is an error."""
    found: dict[tuple[str, str], tuple[Path, str]] = {}
    for page in pages():
        for kind, name, _, code in MARKER.findall(page.read_text(encoding="utf-8")):
            assert (kind, name) not in found, (
                f"example {name!r} is marked twice ({found[kind, name][0]}, {page})"
            )
            found[kind, name] = (page, code)
    return found


def example(name: str) -> str:
    """The Python (or other) code of the example marked ``<!-- example: NAME -->``."""
    found = examples().get(("example", name))
    assert found, f"no page of the docs has an example {name!r}"
    return found[1]


def page_of(name: str) -> str:
    """The page an example is on, for compile()'s file name (tracebacks point at the page)."""
    return str(examples()[("example", name)][0].relative_to(ROOT))


def curl_example(name: str) -> str:
    """A shell example marked ``<!-- curl: NAME -->``, its comment lines dropped."""
    found = examples().get(("curl", name))
    assert found, f"no page of the docs has a curl example {name!r}"
    return "\n".join(line for line in found[1].splitlines() if not line.startswith("#"))
