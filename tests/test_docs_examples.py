"""The documentation's examples run (the pages under docs/ and the README): the MockServer snippets in-process,
the fixture snippets in a pytest subprocess; and every marked example is executed by some test."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .docs_examples import ROOT, curl_example, example, examples, page_of

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

README = ROOT / "README.md"
TESTS = Path(__file__).resolve().parent


def run(name: str) -> None:
    exec(compile(example(name), page_of(name), "exec"), {})


def test_every_marked_example_is_executed_by_a_test() -> None:
    """A marked example no test names would be documentation nobody runs."""
    sources = "\n".join(p.read_text() for p in TESTS.rglob("test_*.py"))
    for kind, name in examples():
        call = f'example("{name}")' if kind == "example" else f'run("{name}")'
        assert f'"{name}"' in sources, f"the {kind} example {name!r} is run by no test (expected {call})"


def test_mockserver_example_runs() -> None:
    run("mockserver")


def test_embedded_server_example_runs() -> None:
    run("embedded-server")


def test_faults_and_limits_example_runs() -> None:
    run("faults-and-limits")


def test_stubbing_example_runs() -> None:
    run("stubbing")


def test_tool_calls_example_runs() -> None:
    run("tool-calls")


def test_in_process_example_runs() -> None:
    run("in-process")


def test_fixture_override_example_applies_to_its_directory_only(tmp_path: Path) -> None:
    """The conftest override and the factory, as a user's suite: tests/slow/ manual, the rest the default."""
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "conftest.py").write_text(example("fixture-conftest"))
    (tmp_path / "slow" / "test_slow.py").write_text(example("fixture-options"))
    (tmp_path / "test_default.py").write_text(example("fixture"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout


def test_install_lines_name_no_registry_package_and_a_wheel_pip_accepts(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "getting-started.md").read_text()
    assert (
        "pip install 'creatify-mock[contract]'" not in text
    )  # the name is on no registry: anyone could claim it
    lines = re.findall(r"^pip install '(.*?)'", text, re.M)
    assert lines and all("git+" in line or line.startswith("dist/") for line in lines), lines
    wheel_line = next(line for line in lines if line.startswith("dist/"))
    build = re.search(r"^(pip wheel [^#\n]*?)\s*#", text, re.M)
    assert build, "README shows no wheel build"
    subprocess.run(
        [
            sys.executable,
            "-m",
            *build.group(1).replace("-w dist", f"-w {tmp_path / 'dist'}").split()[:-1],
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = tmp_path / wheel_line.split("[")[0]
    assert wheel.is_file(), (
        f"the README's wheel name is not what the build made: {list((tmp_path / 'dist').iterdir())}"
    )
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-deps",
            "--no-index",
            f"{wheel}[contract]",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0 and "Would install creatify-mock" in check.stdout, (
        check.stdout + check.stderr
    )


def test_cors_example_runs() -> None:
    run("cors")


def test_security_section_quotes_the_startup_line_and_the_state_file_error() -> None:
    from mockserver.webhooks.egress import EgressPolicy

    text = (ROOT / "docs" / "operations.md").read_text()
    assert f"webhooks: {EgressPolicy.parse('').describe()}" in text
    assert "It was left unchanged; move it away (or fix it) to start." in text


@pytest.mark.parametrize("name", ["fixture", "readme-fixture"])
def test_fixture_example_runs_in_a_users_suite(tmp_path: Path, name: str) -> None:
    (tmp_path / "test_docs_fixture.py").write_text(example(name))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_sse_curl_examples_run_against_a_live_mock() -> None:
    import json

    from mockserver.testing import MockServer

    with MockServer(timing="instant") as mock:

        def run(name: str) -> str:
            command = curl_example(name).replace("http://127.0.0.1:8000", mock.url)
            proc = subprocess.run(["bash", "-c", command], capture_output=True, timeout=30)
            assert proc.returncode == 0, proc.stderr
            return proc.stdout.decode()  # bytes: the stream's CRLF line ends must survive

        pending = json.loads(run("sse-async"))
        assert pending["status"] == "pending" and pending["response_function_calls"] == []
        done = json.loads(run("sse-sync"))
        assert done["status"] == "done" and done["response_text"]
        events = [e for e in run("sse-stream").split("\r\n\r\n") if e]
        assert all(e.startswith("data: {") for e in events)
        last = json.loads(events[-1].removeprefix("data: "))
        assert last["candidates"][0]["finishReason"] == "STOP" and last["creatify"]["status"] == "done"


def test_record_replay_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the example writes recording.jsonl where it runs
    run("record-replay")
    assert (tmp_path / "recording.jsonl").exists()
