"""The fast path (mockserver.web.fastpath) answers exactly as Flask does, and only where it means to.

Two apps with the same settings, seed and frozen clock, one with the fast path and one without, get the same
generated calls; every answer (status, headers, body bytes), the journal and the stored jobs must be equal.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.config.settings import Settings
from mockserver.config.values import parse_rate
from mockserver.core.clock import FrozenClock
from mockserver.core.ratelimit import RateLimiter
from mockserver.service import MockService
from mockserver.web.app import create_app
from mockserver.web.context import service
from mockserver.web.fastpath import FastPath

from .conftest import API, valid_body

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

LIMIT = 2048
BASE: dict[str, Any] = {"log_requests": False, "seed": 7, "max_body_bytes": LIMIT}
SETTINGS = {
    "any-credentials": {},
    "known-keys": {"api_key": ("a:k", "b:k2")},
    "rate-limited": {"rate_limit": "3/m"},
    "credits": {"credits": ("a=0.000001",)},
    "journal-off": {"journal_size": 0},
    "strict-ranges": {"strict_ranges": True},
}
Answer = tuple[int, list[tuple[str, str]], bytes]


def build(options: dict[str, Any], fast_path: bool) -> Flask:
    app = create_app(Settings(**BASE, **options), FrozenClock(), fast_path=fast_path)
    freeze_rate_limit(service(app))
    return app


def freeze_rate_limit(svc: MockService) -> None:
    """Rate buckets run on real monotonic time; a frozen one makes both apps decide alike, always."""
    old = svc.limiter
    svc.limiter = RateLimiter(parse_rate(svc.settings.rate_limit), monotonic=lambda: 1000.0)
    svc.reset_hooks = [svc.limiter.reset if hook == old.reset else hook for hook in svc.reset_hooks]


def call(app: Flask, method: str, path: str, headers: dict[str, str], body: bytes | None) -> Answer:
    response = app.test_client().open(path, method=method, headers=headers, data=body)
    kept = [(k, v) for k, v in response.headers.items()]
    return response.status_code, kept, response.get_data()


SSE = "/sse/text_generator/"
ids = st.sampled_from(["{id}", "{ID}", "00000000-0000-4000-8000-000000000000", "nope", "{id}/x"])
paths = st.one_of(  # mostly the fast path's own routes, some near misses, a few others
    st.just(API),
    ids.map(lambda i: f"{API}{i}/"),
    st.just(API),
    ids.map(lambda i: f"{API}{i}/"),
    ids.map(lambda i: f"{API}{i}"),
    st.sampled_from(
        ["/api/text_generator", f"{API}/", "//api/text_generator/", "/__admin/health", "/api/x/"]
    ),
    st.just(SSE),  # the /sse/ family's twins (streams: tests/test_server.py and test_sse_stream.py)
    ids.map(lambda i: f"{SSE}{i}/"),
    st.sampled_from([f"{SSE}stream/x/", "/sse/text_generator", f"{SSE}/"]),
)
queries = st.sampled_from(
    ["", "ids={id}", "ids=", "ids=bad", "ids={id},{ID}", "ids=%zz", "x=1&ids={id}", "ids=é"]
)
bodies = st.one_of(
    st.none(),
    st.just(b""),
    st.just(json.dumps(valid_body()).encode()),
    st.just(json.dumps(valid_body(config={"temperature": 9})).encode()),
    st.just(json.dumps(valid_body(webhook_url="not a url")).encode()),
    st.just(json.dumps({"messages": [{"role": "assistant"}]}).encode()),
    st.sampled_from([b"{", b"[]", b"\xff\xfe", b"NaN", b'{"model_name": 1e999}', b" " * (LIMIT + 1)]),
)
credentials = st.sampled_from(
    [
        {},
        {"X-API-ID": "a"},
        {"X-API-KEY": "k"},
        {"X-API-ID": "a", "X-API-KEY": "k"},
        {"X-API-ID": "b", "X-API-KEY": "k2"},
        {"X-API-ID": "a", "X-API-KEY": "wrong"},
    ]
)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x+json",
        "APPLICATION/JSON",
    ]
)
calls = st.tuples(
    st.sampled_from(["GET", "POST"] * 4 + ["HEAD", "PUT", "OPTIONS"]),
    paths,
    queries,
    credentials,
    content_types,
    st.sampled_from([False] * 4 + [True]),  # an Origin header
    bodies,
)


def render(template: str, job_id: str) -> str:
    return template.replace("{id}", job_id).replace("{ID}", job_id.upper())


def send(app: Flask, job_id: str, spec: tuple[Any, ...]) -> Answer:
    method, path, query, creds, content_type, origin, body = spec
    headers = dict(creds)
    if content_type is not None:
        headers["Content-Type"] = content_type
    if origin:
        headers["Origin"] = "http://127.0.0.1:3000"
    target = render(path, job_id) + (f"?{render(query, job_id)}" if query else "")
    return call(app, method, target, headers, body)


def journal(app: Flask) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "duration_ms"} for e in service(app).requests()]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("options", SETTINGS.values(), ids=SETTINGS.keys())
def test_fast_path_and_flask_answer_alike(options: dict[str, Any]) -> None:
    fast, slow = build(options, fast_path=True), build(options, fast_path=False)

    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(calls, min_size=1, max_size=6))
    def same_answers(sequence: list[tuple[Any, ...]]) -> None:
        for app in (fast, slow):
            service(app).reset()
        seed = {"X-API-ID": "a", "X-API-KEY": "k", "Content-Type": "application/json"}
        body = json.dumps(valid_body()).encode()
        first = [call(app, "POST", API, seed, body) for app in (fast, slow)]
        assert first[0] == first[1]
        job_id = json.loads(first[0][2]).get("id", "none")
        for spec in sequence:
            assert send(fast, job_id, spec) == send(slow, job_id, spec), spec
        assert journal(fast) == journal(slow)
        assert service(fast).list(None) == service(slow).list(None)

    same_answers()


class Counting:
    """Stands in for Flask behind the fast path: counts the calls that reach it."""

    def __init__(self, inner: Callable[..., Iterable[bytes]]) -> None:
        self.inner, self.calls = inner, 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        return self.inner(environ, start_response)


def fast_path_of(app: Flask) -> FastPath:
    layer: Any = app.wsgi_app
    while not isinstance(layer, FastPath):
        layer = layer.app  # the journal middleware wraps it
    return layer


@pytest.fixture
def counted() -> tuple[Flask, Counting]:
    app = build({}, fast_path=True)
    fast = fast_path_of(app)
    counter = Counting(fast.app)
    fast.app = counter
    return app, counter


CREDS = {"X-API-ID": "a", "X-API-KEY": "k"}
JSON = {**CREDS, "Content-Type": "application/json"}


def test_the_three_hot_calls_and_their_errors_never_reach_flask(counted: tuple[Flask, Counting]) -> None:
    app, flask = counted
    status, _, body = call(app, "POST", API, JSON, json.dumps(valid_body()).encode())
    job_id = json.loads(body)["id"]
    assert status == 201
    assert call(app, "GET", f"{API}{job_id}/", CREDS, None)[0] == 200
    assert call(app, "GET", f"{API}?ids={job_id}", CREDS, None)[0] == 200
    assert call(app, "GET", f"{API}nope/", CREDS, None)[0] == 404
    assert call(app, "GET", API, {}, None)[0] == 401
    assert call(app, "POST", API, JSON, b"{")[0] == 400
    assert call(app, "POST", API, JSON, b'{"model_name": 1}')[0] == 400
    assert call(app, "POST", API, {**CREDS, "Content-Type": "text/plain"}, b"x")[0] == 415
    assert flask.calls == 0


@pytest.mark.parametrize(
    ("method", "path", "headers", "body"),
    [
        ("GET", f"{API}x", CREDS, None),  # the trailing-slash redirect
        ("HEAD", API, CREDS, None),
        ("OPTIONS", API, CREDS, None),
        ("PUT", API, CREDS, None),
        ("GET", API, {**CREDS, "Origin": "http://127.0.0.1:3000"}, None),  # CORS is Flask's
        ("POST", API, JSON, b" " * (LIMIT + 1)),  # over the limit: Flask's 413
        ("GET", "/api/text_generator//", CREDS, None),
        ("GET", "/sse/text_generator/stream/", CREDS, None),  # the 405 is Flask's
        ("GET", "/__admin/health", {}, None),
    ],
)
def test_everything_else_goes_to_flask(
    counted: tuple[Flask, Counting], method: str, path: str, headers: dict[str, str], body: bytes | None
) -> None:
    app, flask = counted
    call(app, method, path, headers, body)
    assert flask.calls == 1


def test_a_scenario_rule_in_force_sends_every_call_to_flask(counted: tuple[Flask, Counting]) -> None:
    app, flask = counted
    service(app).add_rules([{"match": {"operation": "any"}, "outcome": {"status": "failed"}}])
    assert call(app, "GET", API, CREDS, None)[0] == 200
    assert flask.calls == 1


def test_a_body_without_content_length_goes_to_flask(counted: tuple[Flask, Counting]) -> None:
    app, flask = counted
    stream = io.BytesIO(json.dumps(valid_body()).encode())  # no Content-Length: read to the end, as chunked
    terminated = {"wsgi.input_terminated": True, "CONTENT_LENGTH": ""}
    response = app.test_client().post(API, headers=JSON, input_stream=stream, environ_overrides=terminated)
    assert response.status_code == 201 and flask.calls == 1


def test_an_unexpected_error_on_the_fast_path_is_a_500_in_the_familys_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast path answered an unexpected error with ``{"detail": ...}`` on both families; Flask (and the
    documented /sse/ shape) says ``{"error": ...}`` there."""
    for fast_path in (True, False):
        app = build({}, fast_path=fast_path)

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("a bug")

        monkeypatch.setattr(service(app), "get", broken)
        monkeypatch.setattr(service(app), "get_sse", broken)
        for path, key in (
            (f"{API}{'0' * 8}-0000-4000-8000-{'0' * 12}/", "detail"),
            (f"{SSE}{'0' * 8}-0000-4000-8000-{'0' * 12}/", "error"),
        ):
            status, _, body = call(app, "GET", path, CREDS, None)
            assert status == 500 and list(json.loads(body)) == [key], (fast_path, path, body)
