"""The kit's strategies follow the schemas: valid requests are valid, each invalid one breaks exactly one rule."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from contract_tests.checks_job import STATUSES
from contract_tests.invalid import InvalidCase, invalid_requests, mutations
from contract_tests.strategies import DOCUMENTED_MODELS, create_requests, unicode_text
from mockserver.contract import schemas


def test_status_enum_matches_the_schema() -> None:
    assert list(STATUSES) == schemas.schema("job")["$defs"]["status"]["enum"]


def test_every_field_of_the_request_schema_has_a_mutation() -> None:
    fields = {m.field for m in mutations()}
    assert fields == set(schemas.schema("create_request")["properties"])


@settings(max_examples=60, deadline=None, database=None)
@given(body=create_requests(webhook_url="http://127.0.0.1:9/hooks/x"))
def test_valid_requests_are_valid_and_realistic(body: dict[str, Any]) -> None:
    schemas.validate("create_request", body)
    assert body["model_name"] in DOCUMENTED_MODELS
    assert body["webhook_url"].startswith("http://127.0.0.1:")
    config = body.get("config", {})
    if config.get("response_mime_type") == "application/json":
        assert "stop_sequences" not in config and "max_output_tokens" not in config


@settings(max_examples=100, deadline=None, database=None)
@given(case=invalid_requests())
def test_each_invalid_request_breaks_exactly_one_rule(case: InvalidCase) -> None:
    errors = list(schemas.validator("create_request").iter_errors(case.body))
    if case.mutation.by_format:
        assert errors == [] and case.body["webhook_url"] == "not a url"
    else:
        assert len(errors) == 1, [e.message for e in errors]
        path = list(errors[0].absolute_path)
        assert not path or path[0] == case.mutation.field  # a missing field is reported at the root


@settings(max_examples=20, deadline=None, database=None)
@given(text=unicode_text())
def test_unicode_text_is_not_ascii(text: str) -> None:
    assert not text.isascii()
