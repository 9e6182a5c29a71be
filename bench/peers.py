"""The mock servers people would use instead, installed from npm into a temporary folder and started there.

Prism mocks the mock's own OpenAPI document (static examples, request validation on); WireMock serves static
stubs equivalent to the mock's answers (credentials headers required, as the mock requires them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .procs import LOOPBACK

NPM_PACKAGES = ("@stoplight/prism-cli", "wiremock")
NPM_TIMEOUT = 600
JOB_PATH = "/api/text_generator/[0-9a-fA-F-]{36}/"


@dataclass
class Peer:
    """How to start one peer on a port, and where to ask whether it is up."""

    name: str
    argv: list[str]
    health_path: str
    cwd: Path


def available() -> str | None:
    """None when npm, node and java are all there; else what is missing."""
    missing = [tool for tool in ("npm", "node", "java") if shutil.which(tool) is None]
    return ", ".join(missing) + " not found" if missing else None


def install(folder: Path) -> None:
    """``npm install`` both peers into ``folder`` (the npm registry is the only remote the benchmark uses)."""
    (folder / "package.json").write_text('{"name": "creatify-mock-bench-peers", "private": true}')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", *NPM_PACKAGES],
        cwd=folder,
        check=True,
        timeout=NPM_TIMEOUT,
        capture_output=True,
    )


def prism(folder: Path, openapi: dict[str, object], port: int) -> Peer:
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(openapi))
    cli = folder / "node_modules/@stoplight/prism-cli/dist/index.js"
    argv = ["node", str(cli), "mock", "-h", LOOPBACK, "-p", str(port), str(spec)]
    return Peer("prism", argv, "/api/text_generator/", folder)


def wiremock(folder: Path, created: dict[str, object], done: dict[str, object], port: int) -> Peer:
    """WireMock with two stubs: POST create answers ``created`` (201), GET by id answers ``done`` (200)."""
    root = folder / "wiremock"
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(exist_ok=True)
    creds = {"X-API-ID": {"matches": ".+"}, "X-API-KEY": {"matches": ".+"}}
    stubs = {
        "create": {
            "request": {"method": "POST", "urlPath": "/api/text_generator/", "headers": creds},
            "response": {"status": 201, "jsonBody": created, "headers": {"Content-Type": "application/json"}},
        },
        "read": {
            "request": {"method": "GET", "urlPathPattern": JOB_PATH, "headers": creds},
            "response": {"status": 200, "jsonBody": done, "headers": {"Content-Type": "application/json"}},
        },
    }
    for name, stub in stubs.items():
        (root / "mappings" / f"{name}.json").write_text(json.dumps(stub))
    jar = next((folder / "node_modules/wiremock/build").glob("wiremock-standalone-*.jar"))
    argv = ["java", "-jar", str(jar), "--port", str(port), "--bind-address", LOOPBACK]
    argv += ["--root-dir", str(root), "--disable-banner"]
    return Peer("wiremock", argv, "/__admin/mappings", folder)
