"""Arbitrary bodies over real HTTP never get a 500 or a non-JSON answer, and the server keeps serving."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.testing import MockServer

from .conftest import Client, valid_body

pytestmark = pytest.mark.slow  # real servers, subprocesses or seconds of load: `make test` runs it

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = ["model_name", "messages", "system_instruction", "config", "webhook_url"]
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={f: json_values for f in FIELDS}),
    st.builds(
        lambda extra: {**valid_body(), **extra},
        st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=2),
    ),
)


@pytest.fixture(scope="module")
def live() -> Iterator[MockServer]:
    with MockServer(timing="instant") as mock:
        yield mock


@given(body=bodies)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_json_body_gets_201_or_a_drf_400(live: MockServer, body: object) -> None:
    client = Client(live)
    response = client.post(data=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.status_code in (201, 400), response.text
    if response.status_code == 201:
        assert client.job(response.json()["id"])["status"] in ("done", "failed")


@given(raw=st.binary(max_size=300))
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_bytes_get_a_json_answer(live: MockServer, raw: bytes) -> None:
    response = Client(live).post(data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code in (201, 400), response.text
