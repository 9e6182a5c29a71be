"""The OpenAPI linters people run (Redocly, Spectral), installed from npm at pinned versions, run on both documents.

``make lint-openapi`` runs ``python -m tests.openapi_tools``; ``tests/test_openapi_tools.py`` runs the same, and
skips with the reason when npm is missing. Tools go into ``.venv/openapi-lint`` (installed once, then reused).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mockserver.contract.openapi import build
from mockserver.contract.openapi_admin import build_admin

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).resolve().parent / "openapi_lint"
TOOLS = ROOT / ".venv" / "openapi-lint"
#: Pinned: both move their recommended rules between releases. Redocly 2.x still runs on Node 20.
PACKAGES = ("@redocly/cli@2.77.0", "@stoplight/spectral-cli@6.16.3")
INSTALL_TIMEOUT = 600
LINT_TIMEOUT = 180


@dataclass
class Result:
    tool: str
    returncode: int
    output: str


def npm_missing() -> str | None:
    """Why the linters cannot run here, or None."""
    for program in ("npm", "node"):
        if shutil.which(program) is None:
            return f"{program} is not installed: the OpenAPI linters (Redocly, Spectral) come from npm"
    return None


def install(tools: Path = TOOLS) -> Path:
    """The folder of the tools' executables, installing them the first time."""
    bin_dir = tools / "node_modules" / ".bin"
    if not all((bin_dir / name).exists() for name in ("redocly", "spectral")):
        tools.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
                str(tools),
                *PACKAGES,
            ],
            check=True,
            timeout=INSTALL_TIMEOUT,
            capture_output=True,
        )
    return bin_dir


def write_documents(folder: Path) -> list[Path]:
    """Both documents as JSON files, the way ``/openapi.json`` and ``/__admin/openapi.json`` serve them."""
    paths = []
    for name, doc in (("openapi.json", build()), ("admin-openapi.json", build_admin())):
        path = folder / name
        path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        paths.append(path)
    return paths


def lint(documents: list[Path], bin_dir: Path) -> list[Result]:
    """Run each linter on every document; non-zero means at least one error (warnings do not count)."""
    files = [str(p) for p in documents]
    commands = {
        "redocly": [str(bin_dir / "redocly"), "lint", "--config", str(CONFIG / "redocly.yaml"), *files],
        "spectral": [
            str(bin_dir / "spectral"),
            "lint",
            "--ruleset",
            str(CONFIG / "spectral.yaml"),
            "--fail-severity",
            "error",
            *files,
        ],
    }
    results = []
    for tool, command in commands.items():
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=LINT_TIMEOUT, cwd=documents[0].parent
        )
        results.append(Result(tool, done.returncode, done.stdout + done.stderr))
    return results


def main() -> int:
    reason = npm_missing()
    if reason:
        print(f"lint-openapi: skipped: {reason}")
        return 0
    folder = TOOLS / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    results = lint(write_documents(folder), install())
    for result in results:
        print(f"== {result.tool}: {'ok' if result.returncode == 0 else 'ERRORS'}\n{result.output}")
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
