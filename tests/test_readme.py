"""The README's examples run: the MockServer snippet in-process, the fixture snippet in a pytest subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

README = Path(__file__).resolve().parent.parent / "README.md"


def example(name: str) -> str:
    match = re.search(rf"<!-- readme-example: {name} -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert match, f"README has no example {name!r}"
    return match.group(1)


def test_mockserver_example_runs() -> None:
    exec(compile(example("mockserver"), "README.md", "exec"), {})


def test_embedded_server_example_runs() -> None:
    exec(compile(example("embedded-server"), "README.md", "exec"), {})


def test_faults_and_limits_example_runs() -> None:
    exec(compile(example("faults-and-limits"), "README.md", "exec"), {})


def test_stubbing_example_runs() -> None:
    exec(compile(example("stubbing"), "README.md", "exec"), {})


def test_tool_calls_example_runs() -> None:
    exec(compile(example("tool-calls"), "README.md", "exec"), {})


def test_in_process_example_runs() -> None:
    exec(compile(example("in-process"), "README.md", "exec"), {})


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
    text = README.read_text()
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
            str(README.parent),
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
    exec(compile(example("cors"), "README.md", "exec"), {})


def test_security_section_quotes_the_startup_line_and_the_state_file_error() -> None:
    from mockserver.webhooks.egress import EgressPolicy

    text = README.read_text()
    assert f"webhooks: {EgressPolicy.parse('').describe()}" in text
    assert "It was left unchanged; move it away (or fix it) to start." in text


def test_fixture_example_runs_in_a_users_suite(tmp_path: Path) -> None:
    (tmp_path / "test_readme_fixture.py").write_text(example("fixture"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_readme_lists_every_cli_option() -> None:
    from mockserver.cli import build_parser

    text = README.read_text()
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr,index]
    for action in serve._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert f"`{flag}" in text, f"README does not document {flag}"


def curl_example(name: str) -> str:
    match = re.search(rf"<!-- readme-curl: {name} -->\n```sh\n(.*?)```", README.read_text(), re.S)
    assert match, f"README has no curl example {name!r}"
    return "\n".join(line for line in match.group(1).splitlines() if not line.startswith("#"))


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
    exec(compile(example("record-replay"), "README.md", "exec"), {})
    assert (tmp_path / "recording.jsonl").exists()
