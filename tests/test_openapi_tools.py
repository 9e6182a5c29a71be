"""The tools of the field accept the documents: openapi-python-client generates a typed client that works
against the mock over HTTP, and Redocly and Spectral report no errors (when npm is there)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver.testing import MockServer

from . import openapi_tools
from .conftest import TIMEOUT

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

PACKAGE = "creatify_generated_client"


@pytest.fixture(scope="module")
def live() -> Iterator[MockServer]:
    with MockServer(timing="instant") as mock:
        yield mock


@pytest.fixture(scope="module")
def generated(live: MockServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``openapi-python-client generate`` on the live ``/openapi.json``, imported as a package."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_bytes(requests.get(f"{live.url}/openapi.json", timeout=TIMEOUT).content)
    (folder / "config.yaml").write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.yaml",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # It warns for every schema it could not turn into a model; there must be none.
    assert "Unable to" not in done.stdout and "Could not find reference" not in done.stdout, done.stdout
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the generated client parses 'Z' times (Python 3.11+)")
def test_a_generated_client_creates_reads_and_lists_typed_jobs(live: MockServer, generated: Any) -> None:
    api = importlib.import_module(f"{PACKAGE}.api.text_generation")
    models = importlib.import_module(f"{PACKAGE}.models")
    for name in ("create_text_generation", "get_text_generation", "list_text_generations"):
        importlib.import_module(f"{api.__name__}.{name}")
    with generated.Client(base_url=live.url, headers=live.headers, raise_on_unexpected_status=True) as client:
        _use(api, models, client)


def _use(api: Any, models: Any, client: Any) -> None:
    body = models.CreateRequest(
        model_name="gemini-2.5-flash", messages=[models.Message(role=models.MessageRole.USER, content="Hi")]
    )
    created = api.create_text_generation.sync_detailed(client=client, body=body)
    assert created.status_code == 201
    job = created.parsed
    assert isinstance(job, models.Job) and job.status is models.JobStatus.PENDING
    assert job.messages[0].role is models.MessageRole.USER and job.model_name == "gemini-2.5-flash"

    read = api.get_text_generation.sync(client=client, id=job.id)
    assert isinstance(read, models.Job) and read.id == job.id and read.status is models.JobStatus.DONE
    assert isinstance(read.response_text, str) and read.response_text

    listed = api.list_text_generations.sync(client=client)
    assert isinstance(listed, list) and [j.id for j in listed] == [job.id]
    assert all(isinstance(j, models.Job) for j in listed)
    assert api.list_text_generations.sync(client=client, ids=str(job.id))[0].id == job.id

    missing = api.get_text_generation.sync(client=client, id=job.id.__class__(int=1))
    assert isinstance(missing, models.ErrorDetail) and missing.detail == "Not found."
    bad = api.create_text_generation.sync(
        client=client, body=models.CreateRequest(model_name="m", messages=[])
    )
    assert isinstance(bad, models.ErrorFields) and bad.additional_properties["messages"]


def test_redocly_and_spectral_report_no_errors(tmp_path: Path) -> None:
    reason = openapi_tools.npm_missing()
    if reason:
        pytest.skip(reason)
    results = openapi_tools.lint(openapi_tools.write_documents(tmp_path), openapi_tools.install())
    assert [r.tool for r in results] == ["redocly", "spectral"]
    for result in results:
        assert result.returncode == 0, f"{result.tool}:\n{result.output[-6000:]}"
