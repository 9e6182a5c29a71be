"""The schemas are the single source of truth: enums match, fixtures validate, the OpenAPI document is valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from mockserver.contract import schemas
from mockserver.contract.openapi import build
from mockserver.core.models import JobStatus

from .conftest import Client

FIXTURES = schemas.data_dir("fixtures")
KIND = {"requests": "create_request", "webhooks": "webhook_payload"}


def test_status_enum_equals_the_schema() -> None:
    assert [s.value for s in JobStatus] == schemas.schema("job")["$defs"]["status"]["enum"]


@pytest.mark.parametrize("name", sorted(schemas.all_schemas()))
def test_every_schema_is_valid_2020_12_with_an_id(name: str) -> None:
    schema = schemas.schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"{schemas.BASE_URI}{name}.schema.json"


def _fixture_files() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*.json") if p.parent.name in ("requests", "responses", "webhooks")
    )


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fixture_validates(path: Path) -> None:
    data = json.loads(path.read_text())
    if path.parent.name == "responses":
        name = "job" if "id" in data else ("error_detail" if "detail" in data else "error_fields")
    else:
        name = KIND[path.parent.name]
    schemas.validate(name, data)


@pytest.mark.parametrize("path", sorted((FIXTURES / "requests").glob("*.json")), ids=lambda p: p.name)
def test_every_request_fixture_is_accepted_by_the_mock(client: Client, path: Path) -> None:
    body = json.loads(path.read_text())
    assert client.post(json=body).status_code == 201


def test_openapi_document_is_valid_and_built_from_the_schemas(client: Client) -> None:
    doc = client.get("/openapi.json").json()
    validate_openapi(doc)
    assert doc == json.loads(json.dumps(build(client.mock.url)))
    components = doc["components"]["schemas"]
    # Every schema the API's operations use is a component (its $defs too; aliases point at their target).
    assert {
        "Job",
        "JobList",
        "JobStatus",
        "CreateRequest",
        "Message",
        "Config",
        "ErrorDetail",
        "ErrorFields",
    } <= set(components)
    assert components["Job"]["properties"]["status"] == {"$ref": "#/components/schemas/JobStatus"}
    assert "$id" not in json.dumps(doc)


def test_loader_reads_the_checkout_schemas() -> None:
    assert schemas.data_dir("schemas").name == "schemas"
    assert (schemas.data_dir("schemas") / "job.schema.json").is_file()
