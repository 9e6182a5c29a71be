"""Every schema rule says where it comes from, and the documented view relaxes exactly the non-documented rules.

The mock's request validation keeps every rule; the kit's response checks use the derived documented view.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from contract_tests.invalid import mutations
from mockserver.contract import schemas
from mockserver.contract.provenance import RULE_KEYWORDS, SOURCES, ProvenanceError, relax, rules, view
from mockserver.testing import MockServer

JOB: dict[str, Any] = json.loads((schemas.data_dir("fixtures") / "responses" / "job_done.json").read_text())
#: What a lenient server may echo; the mock's rules refuse each, the documented view accepts them all.
LENIENT_CONFIG = {
    "stop_sequences": ["", "s", "s", "s", "s", "s"],
    "top_k": 0,
    "max_output_tokens": 0,
    "response_json_schema": "a tagline",
    "response_mime_type": "text/html",
}


@pytest.mark.parametrize("name", sorted(schemas.all_schemas()))
def test_every_schema_file_declares_the_source_of_its_rules(name: str) -> None:
    assert "x-source" in schemas.schema(name), f"{name}.schema.json has no root x-source"
    assert all(rule.source in SOURCES for rule in rules(name, schemas.schema(name)))


def _pointers(node: Any, pointer: str = "") -> set[tuple[str, str]]:
    """(pointer, keyword) of every rule keyword anywhere in a schema tree."""
    found: set[tuple[str, str]] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in RULE_KEYWORDS:
                found.add((pointer, key))
            if key in ("properties", "$defs", "patternProperties") and isinstance(value, dict):
                for child_name, child in value.items():
                    found |= _pointers(child, f"{pointer}/{key}/{child_name}")
            elif key in ("anyOf", "allOf", "oneOf", "prefixItems") and isinstance(value, list):
                for i, child in enumerate(value):
                    found |= _pointers(child, f"{pointer}/{key}/{i}")
            elif isinstance(value, dict) and key not in ("x-source", "x-gemini-range"):
                found |= _pointers(value, f"{pointer}/{key}")
    return found


@pytest.mark.parametrize("name", sorted(schemas.all_schemas()))
def test_the_documented_view_drops_exactly_the_non_documented_rules(name: str) -> None:
    full, documented = schemas.schema(name), view(schemas.schema(name), frozenset({"doc"}))
    dropped = _pointers(full) - _pointers(documented)
    annotated = {
        (r.pointer, r.keyword) for r in schemas.all_rules() if r.schema == name and r.source != "doc"
    }
    assert dropped == annotated
    assert _pointers(documented) <= _pointers(full)


def test_the_documented_view_accepts_a_lenient_echo_and_still_rejects_documented_breaks() -> None:
    lenient = {**JOB, "config": LENIENT_CONFIG, "model_name": "m" * 300, "messages": [{"content": "no role"}]}
    assert not schemas.validator("job").is_valid(lenient)
    assert schemas.documented_validator("job").is_valid(lenient)
    assert schemas.documented_validator("job_list").is_valid([JOB, lenient])
    for broken in (
        {**JOB, "status": "finished"},
        {**JOB, "id": "job-1"},
        {k: v for k, v in JOB.items() if k != "config"},
        {**JOB, "messages": [{"role": "assistant"}]},
        {**JOB, "config": {"top_k": "many"}},
    ):
        assert not schemas.documented_validator("job").is_valid(broken), broken


def test_annotations_that_cannot_be_read_are_errors() -> None:
    with pytest.raises(ProvenanceError, match="known sources"):
        rules("x", {"x-source": "folklore", "type": "object"})
    with pytest.raises(ProvenanceError, match="lacks"):
        rules("x", {"x-source": {"*": "doc", "maxItems": "mock"}, "type": "array"})
    with pytest.raises(ProvenanceError, match="no x-source"):
        rules("x", {"type": "object"})
    assert view(
        {"x-source": {"*": "doc", "minimum": "mock"}, "type": "integer", "minimum": 1}, frozenset({"doc"})
    ) == {"x-source": {"*": "doc", "minimum": "mock"}, "type": "integer"}


def test_every_non_documented_request_rule_is_tried_by_an_undocumented_mutation() -> None:
    """The kit observes what a target does with each rule only the mock or Gemini states."""
    wanted = {
        (r.schema, r.pointer, r.keyword)
        for r in schemas.all_rules()
        if r.source != "doc" and r.schema in ("create_request", "config", "message")
    }
    broken: set[tuple[str, str, str]] = set()
    for mutation in mutations():
        if mutation.documented:
            continue
        for error in schemas.validator("create_request").iter_errors(mutation.deterministic()):
            path = [str(p) for p in error.absolute_schema_path]  # $ref hops are not in the path
            if path[:2] == ["properties", "config"]:
                schema, local = "config", path[2:]
            elif path[:3] == ["properties", "messages", "items"]:
                schema, local = "message", path[3:]
            else:
                schema, local = "create_request", path
            broken.add((schema, "".join(f"/{p}" for p in local[:-1]), local[-1]))
    assert wanted <= broken, sorted(wanted - broken)


def test_the_mock_still_refuses_what_only_its_own_rules_forbid() -> None:
    with MockServer(timing="instant") as mock:
        body = {
            "model_name": "gemini-2.5-flash",
            "messages": [{"role": "user"}],
            "config": {"stop_sequences": ["s"] * 6},
        }
        answer = requests.post(f"{mock.url}/api/text_generator/", json=body, headers=mock.headers, timeout=10)
    assert answer.status_code == 400 and "config" in answer.json()


def test_the_documented_view_admits_null_where_a_value_is_not_always_present() -> None:
    """Creatify's reference omits nullability: a field it does not mark required may be null, at any depth."""
    nulls = {
        **JOB,
        "config": {"temperature": 0.7, "frequency_penalty": None, "stop_sequences": None},
        "system_instruction": None,
        "status": None,
        "credits_used": None,
        "messages": [{"role": "user", "content": None}],
    }
    assert schemas.documented_validator("job").is_valid(nulls)
    sse_job = {**JOB, "response_function_calls": [], "messages": [{"role": "model", "function_call": None}]}
    assert schemas.documented_validator("text_gen_response").is_valid(sse_job)
    for required in ("id", "model_name", "messages", "config", "created_at", "updated_at"):
        assert not schemas.documented_validator("job").is_valid({**JOB, required: None}), required
    assert not schemas.documented_validator("text_gen_response").is_valid(
        {**sse_job, "response_function_calls": None}
    )


def test_the_documented_view_never_closes_an_object() -> None:
    extra = {
        **JOB,
        "workspace": {"id": 1},
        "config": {"temperature": 0.7, "thinking_config": {"budget": 0}},
        "messages": [{"role": "user", "content": "x", "parts": [{"text": "x"}]}],
    }
    assert schemas.documented_validator("job").is_valid(extra)
    sse_job = {
        **JOB,
        "response_function_calls": [{"name": "f", "args": {}, "id": "call-1"}],
        "messages": [
            {"role": "model", "function_call": {"name": "f", "args": {}, "id": "call-1", "x": None}}
        ],
    }
    assert schemas.documented_validator("text_gen_response").is_valid(sse_job)
    closed: dict[str, Any] = {"x-source": "doc", "type": "object", "properties": {"a": {"type": "string"}}}
    closed["additionalProperties"] = False
    assert relax(view(closed, frozenset({"doc"}))) == {
        "x-source": "doc",
        "type": "object",
        "properties": {"a": {"type": ["string", "null"]}},
    }
    assert not schemas.documented_validator("text_gen_response").is_valid(
        {**sse_job, "messages": [{"role": "model", "function_call": {"args": {}}}]}
    ), "a function_call without its documented name still fails"
