"""The shipped contract suite, run by pytester against a proxy in front of the mock that breaks one thing.

A faithful proxy passes; each broken proxy makes the suite fail with the check that names the breakage. The
proxy is a real server on 127.0.0.1, so the suite runs exactly as it would against a remote target.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import pytest
import requests

from mockserver.testing import MockServer

pytest_plugins = ["pytester"]

ACCOUNTS = ("proxy-id:proxy-key", "proxy-id-2:proxy-key-2")
Mutate = Callable[[str, str, int, Any], tuple[int, dict[str, str], Any]]
Rewrite = Callable[[dict[str, str], Any], tuple[dict[str, str], Any]]


def _same(method: str, path: str, status: int, body: Any) -> tuple[int, dict[str, str], Any]:
    return status, {}, body


class BrokenProxy:
    """Forwards to ``upstream``; ``rewrite`` may change a request (headers, body), ``mutate`` the answer."""

    def __init__(self, upstream: str, mutate: Mutate = _same, rewrite: Rewrite | None = None) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                body: Any = json.loads(raw) if raw and "json" in headers.get("Content-Type", "") else raw
                if rewrite is not None:
                    headers, body = rewrite(headers, body)
                data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                answer = requests.request(
                    self.command,
                    upstream + self.path,
                    data=data,
                    headers=headers,
                    timeout=10,
                    allow_redirects=False,
                )
                status, extra, out = mutate(
                    self.command, self.path.split("?")[0], answer.status_code, answer.json()
                )
                payload = json.dumps(out).encode()
                self.send_response(status)
                self.send_header("Content-Type", extra.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        proxy.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def upstream() -> Iterator[MockServer]:
    with MockServer(
        timing="realtime", pending_seconds=0.05, running_seconds=0.1, api_key=ACCOUNTS, log_requests=False
    ) as mock:
        yield mock


@pytest.fixture
def run_suite(pytester: pytest.Pytester, upstream: MockServer) -> Iterator[Callable[..., pytest.RunResult]]:
    proxies: list[BrokenProxy] = []

    def run(
        module: str,
        *extra: str,
        mutate: Mutate = _same,
        rewrite: Rewrite | None = None,
        profile: str = "live",
    ) -> pytest.RunResult:
        proxy = BrokenProxy(upstream.url, mutate, rewrite)
        proxies.append(proxy)
        args = [
            "--pyargs",
            f"contract_tests.{module}",
            "-p",
            "contract_tests.plugin",
            "-p",
            "no:cacheprovider",
        ]
        args += [
            "--contract-base-url",
            proxy.url,
            "--contract-poll-interval",
            "0.02",
            "--contract-poll-timeout",
            "2",
        ]
        args += [
            "--contract-api-id",
            "proxy-id",
            "--contract-api-key",
            "proxy-key",
            "--contract-max-jobs",
            "200",
        ]
        args += [
            "--contract-api-id-2",
            "proxy-id-2",
            "--contract-api-key-2",
            "proxy-key-2",
            "--contract-profile",
            profile,
        ]
        return pytester.runpytest_inprocess(*args, *extra)

    yield run
    for proxy in proxies:
        proxy.close()


def on(method: str, path_part: str, change: Callable[[int, Any], tuple[int, Any]]) -> Mutate:
    """A mutation applied only to ``method`` calls whose path contains ``path_part``."""

    def mutate(m: str, path: str, status: int, body: Any) -> tuple[int, dict[str, str], Any]:
        if m == method and path_part in path:
            status, body = change(status, body)
        return status, {}, body

    return mutate


def _job_read(path: str) -> bool:
    return path.count("/") == 4 and path.startswith("/api/text_generator/")


def test_faithful_proxy_passes_and_writes_the_report(
    run_suite: Callable[..., pytest.RunResult], tmp_path: Any
) -> None:
    report = tmp_path / "report.json"
    result = run_suite("test_auth", "--contract-report", str(report))
    result.assert_outcomes(passed=7)
    assert "contract conformance" in result.stdout.str()
    data = json.loads(report.read_text())
    assert data["areas"]["status"]["tests"]["passed"] == 7
    assert data["observations"]["wrong_credentials"][0]["status"] == 401
    assert "mock-only" not in result.stdout.str()


def test_mock_only_and_account_tests_skip_on_other_targets(
    run_suite: Callable[..., pytest.RunResult],
) -> None:
    run_suite("test_mock_only").assert_outcomes(skipped=2)


@pytest.mark.parametrize(
    ("module", "select", "mutate", "expected"),
    [
        (
            "test_create",
            "pending_job",
            on("POST", "/", lambda s, b: (200 if s == 201 else s, b)),
            "expected 201 for create",
        ),
        (
            "test_create",
            "documented_invalid",
            on("POST", "/", lambda s, b: (201 if s == 400 else s, b)),
            "[invalid request refused]",
        ),
        (
            "test_auth",
            "missing",
            on("GET", "/", lambda s, b: (200 if s == 401 else s, [])),
            "expected 401 or 403",
        ),
        ("test_auth", "unknown_id", on("GET", "/", lambda s, b: (410 if s == 404 else s, b)), "expected 404"),
        (
            "test_create",
            "pending_job",
            on("POST", "/", lambda s, b: (s, {**b, "id": "job-1"})),
            "[schema job]",
        ),
        (
            "test_create",
            "pending_job",
            on("GET", "/", lambda s, b: (s, {**b, "system_instruction": "x"})),
            "[echo",
        ),
        (
            "test_lifecycle",
            "forward",
            on("GET", "/", lambda s, b: (s, {**b, "status": "pending"})),
            "[finishes]",
        ),
        (
            "test_generation",
            "word",
            on(
                "GET",
                "/",
                lambda s, b: (s, {**b, "response_text": "word " * 50} if b.get("status") == "done" else b),
            ),
            "[max_output_tokens]",
        ),
        (
            "test_list",
            "plain_array",
            on("GET", "/", lambda s, b: (s, {"results": b} if isinstance(b, list) else b)),
            "job_list",
        ),
    ],
    ids=[
        "create-status",
        "invalid-accepted",
        "401-status",
        "404-status",
        "schema",
        "echo",
        "lifecycle",
        "generation",
        "list",
    ],
)
def test_broken_target_fails_the_suite(
    run_suite: Callable[..., pytest.RunResult], module: str, select: str, mutate: Mutate, expected: str
) -> None:
    result = run_suite(module, "-k", select, "--contract-poll-timeout", "1", mutate=mutate)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    assert expected in result.stdout.str()


def test_status_going_backwards_is_caught(run_suite: Callable[..., pytest.RunResult]) -> None:
    seen: set[str] = set()

    def backwards(method: str, path: str, status: int, body: Any) -> tuple[int, dict[str, str], Any]:
        if method == "GET" and _job_read(path) and body.get("status") == "done":
            if body["id"] in seen:
                body = {**body, "status": "running"}
            seen.add(body["id"])
        return status, {}, body

    result = run_suite("test_lifecycle", "-k", "forward", mutate=backwards)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "[terminal stable]" in result.stdout.str() or "[transition]" in result.stdout.str()


def test_account_leak_is_caught(run_suite: Callable[..., pytest.RunResult]) -> None:
    def one_account(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        return {**headers, "X-API-ID": "proxy-id", "X-API-KEY": "proxy-key"}, body

    result = run_suite("test_list", "-k", "another_account", rewrite=one_account)
    result.assert_outcomes(failed=2)
    assert "[isolation]" in result.stdout.str()


def _accepting(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Rewrite:
    """A request rewrite that repairs one documented violation before the mock sees it: the target accepts it."""

    def rewrite(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        return headers, change(body) if isinstance(body, dict) else body

    return rewrite


def _role_to_user(body: dict[str, Any]) -> dict[str, Any]:
    messages = body.get("messages")
    if isinstance(messages, list):
        body["messages"] = [
            {**m, "role": "user"} if isinstance(m, dict) and m.get("role") == "assistant" else m
            for m in messages
        ]
    return body


def _truncate_name(body: dict[str, Any]) -> dict[str, Any]:
    if isinstance(body.get("model_name"), str):
        body["model_name"] = body["model_name"][:255]
    return body


@pytest.mark.parametrize(
    ("select", "rewrite"),
    [("role_not_user", _accepting(_role_to_user)), ("over_maxLength", _accepting(_truncate_name))],
    ids=["accepts-role-assistant", "accepts-256-char-model-name"],
)
def test_a_target_accepting_a_documented_invalid_request_fails(
    run_suite: Callable[..., pytest.RunResult], select: str, rewrite: Rewrite
) -> None:
    result = run_suite(
        "test_create", "-k", f"documented_invalid_request_is_refused and {select}", rewrite=rewrite
    )
    result.assert_outcomes(failed=1)
    assert "[invalid request refused]" in result.stdout.str()


def test_a_422_for_invalid_bodies_is_an_allowed_variation(run_suite: Callable[..., pytest.RunResult]) -> None:
    result = run_suite(
        "test_create", "-k", "refused", mutate=on("POST", "/", lambda s, b: (422 if s == 400 else s, b))
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()


def test_missing_webhooks_fail_when_the_receiver_is_reachable(
    run_suite: Callable[..., pytest.RunResult],
) -> None:
    def no_webhooks(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        if isinstance(body, dict) and "webhook_url" in body:
            body = {k: v for k, v in body.items() if k != "webhook_url"}
        return headers, body

    fast = ("--contract-poll-timeout", "1")
    result = run_suite("test_webhooks", "-k", "a_job_gets", *fast, rewrite=no_webhooks)
    result.assert_outcomes(failed=1)
    assert "[webhook delivered]" in result.stdout.str()
