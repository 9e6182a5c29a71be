"""Settings layering (defaults <- TOML <- env <- CLI) and the real command in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mockserver.cli import settings_from_args
from mockserver.config import Settings, SettingsError, load

from .conftest import TIMEOUT, valid_body

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

ROOT = Path(__file__).resolve().parent.parent


def test_defaults() -> None:
    s = Settings()
    assert (s.host, s.port, s.timing, s.pending_seconds, s.running_seconds) == (
        "127.0.0.1",
        8000,
        "realtime",
        1.0,
        2.0,
    )
    assert s.max_body_bytes == 1048576 and s.api_keys == {} and not s.strict_ranges


def test_layers_toml_then_env_then_cli(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text('timing = "manual"\nport = 9100\npending-seconds = 5\napi_key = ["a:b"]\n')
    env = {
        "CREATIFY_MOCK_CONFIG": str(config),
        "CREATIFY_MOCK_PORT": "9200",
        "CREATIFY_MOCK_STRICT_RANGES": "true",
    }
    s = load({"pending_seconds": 0.25}, env)
    assert s.timing == "manual" and s.port == 9200 and s.pending_seconds == 0.25
    assert s.strict_ranges and s.api_keys == {"a": "b"}


def test_toml_section_is_accepted(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text('[creatify-mock]\ntiming = "instant"\n')
    assert load({"config": str(config)}, {}).timing == "instant"


def test_cli_flags_map_to_settings() -> None:
    s = settings_from_args(
        [
            "serve",
            "--port",
            "0",
            "--timing",
            "instant",
            "--api-key",
            "x:y",
            "--api-key",
            "z:w",
            "--seed",
            "3",
            "--strict-ranges",
            "--max-body-bytes",
            "2048",
            "--jitter",
            "0.5",
            "--admin-token",
            "t",
            "--quiet",
        ]
    )
    assert s.port == 0 and s.timing == "instant" and s.api_keys == {"x": "y", "z": "w"} and s.seed == 3
    assert s.strict_ranges and s.max_body_bytes == 2048 and s.jitter == 0.5 and s.admin_token == "t"
    assert not s.log_requests


def test_env_api_keys_are_space_or_comma_separated() -> None:
    assert load({}, {"CREATIFY_MOCK_API_KEY": "a:b, c:d"}).api_keys == {"a": "b", "c": "d"}


@pytest.mark.parametrize(
    ("cli", "env", "message"),
    [
        ({"timing": "slow"}, {}, "--timing must be one of"),
        (
            {},
            {"CREATIFY_MOCK_PORT": "eighty"},
            "CREATIFY_MOCK_PORT cannot take the value 'eighty': expected an integer",
        ),
        ({"api_key": ("nokey",)}, {}, "ID:KEY"),
        ({"pending_seconds": -1.0}, {}, "--pending-seconds must be >= 0"),
    ],
)
def test_bad_settings_say_which_and_why(cli: dict[str, object], env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load(cli, env)


def test_bad_toml_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("timing = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load({"config": str(bad)}, {})
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        (tmp_path / "x.toml").write_text('colour = "red"\n')
        load({"config": str(tmp_path / "x.toml")}, {})


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the server prints its URL once it listens
    if "serving on" not in line:
        proc.kill()
        raise AssertionError(f"no URL line: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, line.split("serving on ")[1].split()[0]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_command_serves_and_stops_cleanly(stop: signal.Signals) -> None:
    proc, url = _start("--timing", "instant", env={"CREATIFY_MOCK_API_KEY": "me:secret"})
    try:
        headers = {"X-API-ID": "me", "X-API-KEY": "secret"}
        created = requests.post(
            f"{url}/api/text_generator/", json=valid_body(), headers=headers, timeout=TIMEOUT
        )
        assert created.status_code == 201
        job = requests.get(
            f"{url}/api/text_generator/{created.json()['id']}/", headers=headers, timeout=TIMEOUT
        )
        assert job.json()["status"] == "done"
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert '"POST /api/text_generator/" 201' in err  # one log line per request


def test_bad_option_exits_2_with_a_message() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--timing", "instant", "--api-key", "oops"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and "ID:KEY" in proc.stderr


def test_health_answers_once_the_url_is_printed() -> None:
    proc, url = _start("--quiet")
    try:
        assert requests.get(f"{url}/__admin/health", timeout=TIMEOUT).json()["status"] == "ok"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_cli_spellings_work_in_env_and_toml(tmp_path: Path) -> None:
    env = {"CREATIFY_MOCK_WEBHOOK_REORDER": "0.5", "CREATIFY_MOCK_QUIET": "1"}
    s = load({}, env)
    assert s.webhook_reorder_rate == 0.5 and not s.log_requests
    config = tmp_path / "m.toml"
    config.write_text("webhook-reorder = 0.25\nquiet = true\n")
    s = load({"config": str(config)}, {})
    assert s.webhook_reorder_rate == 0.25 and not s.log_requests


@pytest.mark.parametrize(
    ("cli", "env", "toml", "message"),
    [
        ({"pending_seconds": -1.0}, {}, "", "--pending-seconds must be >= 0, got -1.0"),
        ({}, {"CREATIFY_MOCK_PENDING_SECONDS": "-1"}, "", "CREATIFY_MOCK_PENDING_SECONDS must be >= 0"),
        ({}, {}, "pending-seconds = -1\n", "pending-seconds in {file} must be >= 0"),
        ({}, {}, "pending_seconds = -1\n", "pending_seconds in {file} must be >= 0"),
        (
            {},
            {},
            "[creatify-mock]\nport = 'x'\n",
            "port in {file} cannot take the value 'x': expected an integer",
        ),
        ({}, {"CREATIFY_MOCK_QUIET": "maybe"}, "", "CREATIFY_MOCK_QUIET cannot take the value 'maybe'"),
        ({}, {}, "webhook-reorder = 3\n", "webhook-reorder in {file} must be between 0 and 1"),
        ({"webhook_timeout": 0.0}, {}, "", "--webhook-timeout must be > 0"),
        ({}, {"CREATIFY_MOCK_WEBHOOK_BACKOFF": "-1"}, "", "CREATIFY_MOCK_WEBHOOK_BACKOFF must be >= 0"),
        ({}, {"CREATIFY_MOCK_RATE_LIMIT": "fast"}, "", "CREATIFY_MOCK_RATE_LIMIT must look like N/s"),
        ({}, {}, "api-key = ['nope']\n", "api-key in {file} must look like ID:KEY"),
    ],
)
def test_errors_name_the_setting_as_the_user_typed_it(
    tmp_path: Path, cli: dict[str, object], env: dict[str, str], toml: str, message: str
) -> None:
    file = tmp_path / "mock.toml"
    if toml:
        file.write_text(toml)
        cli = {**cli, "config": str(file)}
    with pytest.raises(SettingsError) as raised:
        load(cli, env)
    assert message.format(file=file) in str(raised.value)


def test_unknown_environment_variables_are_errors_like_unknown_toml_keys(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        load({}, {"CREATIFY_MOCK_PENDING_SECOND": "1", "PATH": "/bin"})
    assert "unknown setting CREATIFY_MOCK_PENDING_SECOND in the environment" in str(raised.value)
    assert "did you mean CREATIFY_MOCK_PENDING_SECONDS?" in str(raised.value)
    file = tmp_path / "mock.toml"
    file.write_text("pendng-seconds = 1\n")
    with pytest.raises(SettingsError) as raised:
        load({"config": str(file)}, {})
    assert f"unknown setting 'pendng-seconds' in {file}; did you mean pending-seconds?" in str(raised.value)
    assert load(
        {}, {"CREATIFY_MOCK_LOG_REQUESTS": "false", "CREATIFY_MOCK_WEBHOOK_REORDER": "0.5"}
    ).webhook_reorder_rate


def test_toml_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("timing = \n")
    with pytest.raises(SettingsError, match=f"config file {bad} is not valid TOML"):
        load({"config": str(bad)}, {})
    with pytest.raises(SettingsError, match=f"cannot read config file {tmp_path / 'absent.toml'}"):
        load({}, {"CREATIFY_MOCK_CONFIG": str(tmp_path / "absent.toml")})
    bad.write_bytes(b"timing = '\xff'\n")
    with pytest.raises(SettingsError, match=f"config file {bad}"):
        load({"config": str(bad)}, {})


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CREATIFY_MOCK_")}
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        env={**clean, **(env or {})},
    )


def test_version() -> None:
    from mockserver.config.version import mock_version

    done = _cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"creatify-mock {mock_version()}"


def test_an_unknown_serve_option_shows_serves_usage() -> None:
    done = _cli("serve", "--bogus")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: creatify-mock serve [options]")
    assert "creatify-mock serve: error: unrecognized arguments: --bogus" in done.stderr
    assert "creatify-mock serve --help lists every option" in done.stderr


def test_a_mistyped_serve_option_names_the_closest_one() -> None:
    done = _cli("serve", "--pendng-seconds", "2")
    assert done.returncode == 2
    assert "unrecognized arguments: --pendng-seconds 2; did you mean --pending-seconds?" in done.stderr


def test_serve_help_lists_the_options_in_groups_with_examples() -> None:
    from mockserver.config.groups import GROUPS

    done = _cli("serve", "--help")
    assert done.returncode == 0
    positions = [done.stdout.index(f"\n{title} options:\n") for _, title, _ in GROUPS]
    assert positions == sorted(positions), "the groups are out of order"
    timing = done.stdout.split("\ntiming options:\n")[1].split(" options:\n")[0]
    assert "--pending-seconds" in timing and "--webhook-timeout" not in timing
    assert "examples:\n  creatify-mock serve" in done.stdout


def test_the_command_names_what_the_user_typed() -> None:
    done = _cli("serve", "--pending-seconds", "-1")
    assert done.returncode == 2 and done.stderr == "creatify-mock: --pending-seconds must be >= 0, got -1.0\n"
    done = _cli("serve", env={"CREATIFY_MOCK_RUNNING_SECONDS": "-3"})
    assert done.returncode == 2 and done.stderr.startswith(
        "creatify-mock: CREATIFY_MOCK_RUNNING_SECONDS must be"
    )
    done = _cli("serve", env={"CREATIFY_MOCK_TIMMING": "instant"})
    assert done.returncode == 2 and "did you mean CREATIFY_MOCK_TIMING?" in done.stderr


def test_serve_prints_the_dashboard_url_which_serves_the_page() -> None:
    proc, url = _start("--quiet", "--admin-token", "tok")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(f"creatify-mock dashboard: {url}/__admin/ui/") and "admin token" in line
        page = requests.get(line.split()[2], timeout=TIMEOUT)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_an_unknown_environment_variable_names_the_closest_one_only() -> None:
    with pytest.raises(SettingsError) as raised:
        load(environ={"CREATIFY_MOCK_TIMMING": "instant"})
    message = str(raised.value)
    assert "did you mean CREATIFY_MOCK_TIMING?" in message
    assert "CREATIFY_MOCK_PORT" not in message and "known:" not in message  # not every name there is


def test_an_unknown_variable_far_from_any_name_says_where_the_names_are() -> None:
    with pytest.raises(SettingsError) as raised:
        load(environ={"CREATIFY_MOCK_ZZZZZZZZ": "1"})
    assert "did you mean" not in str(raised.value) and "serve --help" in str(raised.value)


def test_a_mistyped_keyword_of_mockserver_names_the_closest_setting() -> None:
    from mockserver.testing import MockServer

    with pytest.raises(TypeError, match=r"unexpected keyword argument 'timming'; did you mean 'timing'\?"):
        MockServer(timming="instant")  # type: ignore[call-arg]


def test_the_typed_overrides_name_every_setting_with_its_type() -> None:
    import typing
    from dataclasses import fields

    from mockserver.config.overrides import SettingsOverrides
    from mockserver.config.settings import ALIASES, Settings

    hints = typing.get_type_hints(SettingsOverrides)
    settings_hints = typing.get_type_hints(Settings)
    names = {f.name for f in fields(Settings)}
    assert set(hints) == names | set(ALIASES) | {"quiet"}, "SettingsOverrides must list every setting"
    for name in names:
        assert hints[name] == settings_hints[name], f"{name}: {hints[name]} != {settings_hints[name]}"
