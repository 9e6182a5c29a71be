"""Generated outcomes: deterministic text, word limits, stop sequences, JSON mode, credits."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from mockserver.core.models import JobStatus
from mockserver.generation.text import CREDIT_RATES, Generator, credits_for

from .conftest import Client, valid_body

GEN = Generator()


def request(**config: object) -> dict[str, object]:
    return {
        "model_name": "gemini-2.5-flash",
        "messages": [{"role": "user", "content": "Tell me a story"}],
        "system_instruction": "",
        "config": dict(config),
    }


def test_same_request_same_text_and_different_requests_differ() -> None:
    a, b = GEN.outcome(request()), GEN.outcome(request())
    assert a == b and a.status is JobStatus.DONE and a.response_text
    other = GEN.outcome({**request(), "messages": [{"role": "user", "content": "Something else"}]})
    assert other.response_text != a.response_text


def test_same_config_seed_same_text_whatever_the_prompt() -> None:
    one = GEN.outcome({**request(seed=5), "messages": [{"role": "user", "content": "one"}]})
    two = GEN.outcome({**request(seed=5), "messages": [{"role": "user", "content": "two"}]})
    assert one.response_text == two.response_text
    assert GEN.outcome(request(seed=6)).response_text != one.response_text


@given(limit=st.integers(1, 60), seed=st.integers(0, 2**31))
@settings(max_examples=60, deadline=None)
def test_never_more_words_than_max_output_tokens(limit: int, seed: int) -> None:
    text = GEN.outcome(request(max_output_tokens=limit, seed=seed)).response_text
    assert text is not None and len(text.split()) <= limit


@given(stops=st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=5), seed=st.integers(0, 2**31))
@settings(max_examples=80, deadline=None)
def test_text_never_contains_a_stop_sequence(stops: list[str], seed: int) -> None:
    outcome = GEN.outcome(request(stop_sequences=stops, seed=seed))
    assert outcome.status is JobStatus.DONE
    assert not any(s in (outcome.response_text or "") for s in stops)


def test_stop_sequence_cuts_where_gemini_would() -> None:
    full = GEN.outcome(request(seed=1)).response_text or ""
    word = full.split()[5]
    cut = GEN.outcome(request(seed=1, stop_sequences=[word])).response_text or ""
    assert full.startswith(cut) and word not in cut and len(cut) < len(full)


def test_json_mode_without_schema_is_json() -> None:
    text = GEN.outcome(request(response_mime_type="application/json")).response_text
    assert isinstance(json.loads(text or ""), (dict, list))


def test_json_mode_follows_the_callers_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        },
        "required": ["title", "score", "tags"],
    }
    outcome = GEN.outcome(request(response_mime_type="application/json", response_json_schema=schema))
    value = json.loads(outcome.response_text or "")
    Draft202012Validator(schema).validate(value)
    assert len(value["tags"]) >= 2


@pytest.mark.parametrize("schema", [{"type": "nonsense"}, {"type": "string", "minLength": 5, "maxLength": 1}])
def test_json_mode_with_an_unusable_schema_fails_the_job(schema: dict[str, object]) -> None:
    outcome = GEN.outcome(request(response_mime_type="application/json", response_json_schema=schema))
    assert outcome.status is JobStatus.FAILED and outcome.failed_reason
    assert outcome.response_text is None and outcome.credits_used == 0


def test_credits_formula() -> None:
    assert credits_for("gemini-2.5-flash", 10, 90) == pytest.approx(0.1 * 100 / 1000)
    assert credits_for("gemini-3.1-flash-lite-preview", 0, 1000) == pytest.approx(0.05)
    assert credits_for("gemini-2.5-pro", 500, 500) == pytest.approx(0.5)
    assert credits_for("my-model", 0, 0) == pytest.approx(0.2 / 1000)
    assert [r for _, r in CREDIT_RATES][-1] == 0.2


@pytest.mark.parametrize("mock_options", [{"timing": "instant"}])
def test_json_mode_over_http(client: Client) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    job = client.create(
        valid_body(config={"response_mime_type": "application/json", "response_json_schema": schema})
    )
    done = client.job(job["id"])
    assert done["status"] == "done"
    assert isinstance(json.loads(done["response_text"])["name"], str)
    assert done["config"]["response_json_schema"] == schema
