"""The plugin's options: from flags or the environment, typed once, with target-dependent defaults."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests.config import EMBEDDED_FAILING_REQUEST, OPTIONS, is_loopback
from mockserver.testing import MockServer

pytest_plugins = ["pytester"]


def test_every_option_has_an_environment_variable() -> None:
    envs = [env for _, env, _ in OPTIONS]
    assert len(set(envs)) == len(envs) == len(OPTIONS)
    assert all(flag.startswith("--contract-") for flag, _, _ in OPTIONS)


@pytest.fixture(autouse=True)
def no_contract_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own CONTRACT_* / CREATIFY_* variables must not leak into these runs."""
    for _, env, _ in OPTIONS:
        monkeypatch.delenv(env, raising=False)


def _config(pytester: pytest.Pytester, *args: str) -> dict[str, Any]:
    """The resolved ContractConfig of a run, printed by a throwaway test."""
    pytester.makepyfile(
        test_show="""
        import dataclasses, json, pathlib
        def test_show(contract_config):
            pathlib.Path("config.json").write_text(json.dumps(dataclasses.asdict(contract_config)))
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=1)
    return dict(json.loads((pytester.path / "config.json").read_text()))


def test_embedded_defaults(pytester: pytest.Pytester) -> None:
    config = _config(pytester)
    assert config["base_url"] is None and config["max_jobs"] is None and config["profile"] == "mock"
    assert config["failing_request"] == EMBEDDED_FAILING_REQUEST
    assert config["api_id_2"] and config["webhook_host"] == "127.0.0.1"


def test_remote_defaults_are_cautious(pytester: pytest.Pytester) -> None:
    """Parsing only: the throwaway test is not a contract test, so nothing contacts the (never resolvable) host."""
    config = _config(
        pytester, "--contract-base-url", "https://api.creatify.invalid/", "--contract-api-id", "a"
    )
    assert (
        config["base_url"] == "https://api.creatify.invalid"
        and config["max_jobs"] == 30
        and config["profile"] == "live"
    )
    assert config["poll_interval"] == 0.5 and config["poll_timeout"] == 120
    assert config["failing_request"] is None and config["api_id_2"] is None


def test_a_target_on_this_machine_gets_every_job_it_needs(pytester: pytest.Pytester) -> None:
    """A CLI mock or a team's own fake costs nothing: no paid budget cuts its tests (the profile stays live)."""
    config = _config(pytester, "--contract-base-url", "http://127.0.0.1:9/")
    assert config["max_jobs"] is None and config["profile"] == "live"
    assert (
        _config(pytester, "--contract-base-url", "http://[::1]:9", "--contract-max-jobs", "7")["max_jobs"]
        == 7
    )
    assert is_loopback("http://localhost:8000") and is_loopback("http://[::1]:8000")
    assert not is_loopback("https://api.creatify.ai") and not is_loopback("http://127.0.0.1.nip.invalid")


def test_options_come_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    report = tmp_path / "env-report.json"
    with MockServer(api_key=("env-id:env-key",), log_requests=False) as upstream:
        _run_from_env(pytester, monkeypatch, upstream, report)


def _run_from_env(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, upstream: MockServer, report: Any
) -> None:
    for name, value in {
        "CONTRACT_BASE_URL": upstream.url,
        "CREATIFY_API_ID": "env-id",
        "CREATIFY_API_KEY": "env-key",
        "CONTRACT_REPORT": str(report),
    }.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest_inprocess("--pyargs", "contract_tests.test_auth", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=7)
    assert json.loads(report.read_text())["target"] == upstream.url


def test_bad_option_values_are_usage_errors(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs", "contract_tests.test_auth", "--contract-poll-interval", "soon"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--contract-poll-interval must be a number, got 'soon'" in result.stderr.str()
