"""Bad input over real HTTP: always a JSON error in the API's shape, never a 500 or HTML, server keeps serving."""

from __future__ import annotations

import socket

import pytest

from mockserver.testing import MockServer

from .conftest import API, Client, valid_body


def test_validation_errors_are_drf_shaped_and_several_at_once(client: Client) -> None:
    response = client.post(json={"messages": [{"role": "assistant"}], "config": {"top_k": "x"}})
    assert response.status_code == 400
    assert response.json() == {
        "model_name": ["This field is required."],
        "messages": {"0": {"role": ['"assistant" is not a valid choice.']}},
        "config": {"top_k": ["A valid integer is required."]},
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"model_name": "x" * 256}, {"model_name": ["Ensure this field has no more than 255 characters."]}),
        ({"model_name": None}, {"model_name": ["This field may not be null."]}),
        ({"messages": "hi"}, {"messages": ['Expected a list of items but got type "str".']}),
        ({"config": {"temperature": "hot"}}, {"config": {"temperature": ["A valid number is required."]}}),
        (
            {"config": {"max_output_tokens": 0}},
            {"config": {"max_output_tokens": ["Ensure this value is greater than or equal to 1."]}},
        ),
        ({"webhook_url": "ftp://example.invalid/x"}, {"webhook_url": ["Enter a valid URL."]}),
        ({"webhook_url": "/relative"}, {"webhook_url": ["Enter a valid URL."]}),
    ],
)
def test_field_errors(client: Client, fields: dict[str, object], expected: dict[str, object]) -> None:
    response = client.post(json=valid_body(**fields))
    assert response.status_code == 400
    assert response.json() == expected


def test_empty_body_is_required_errors(client: Client) -> None:
    response = client.post(data=b"", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {
        "model_name": ["This field is required."],
        "messages": ["This field is required."],
    }


def test_non_object_body(client: Client) -> None:
    response = client.post(json=[1, 2])
    assert response.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"model_name": "a",}',
        b"\xff\xfe{}",
        b'{"a": "\xc3\x28"}',
        b"NaN",
        b"[1e400]",
        b'{"a":"\x00"}',
        b'"\\ud800"',
        b"[" * 10_000 + b"]" * 10_000,
        b"9" * 5000,
    ],
)
def test_malformed_json_is_400_parse_error(client: Client, raw: bytes) -> None:
    response = client.post(data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


def test_deep_but_valid_json_under_a_field_is_refused_not_crashed(client: Client) -> None:
    deep = (
        b'{"model_name":"m","messages":[{"role":"user"}],"config":{"response_json_schema":'
        + b'{"a":' * 200
        + b"{}"
        + b"}" * 200
        + b"}}"
    )
    response = client.post(data=deep, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nesting" in response.json()["detail"]


def test_non_json_content_type_is_415(client: Client) -> None:
    response = client.post(data="model_name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.json() == {
        "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'
    }


def test_json_with_charset_is_accepted(client: Client) -> None:
    response = client.post(
        data=b'{"model_name":"m","messages":[{"role":"user"}]}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


def test_unknown_route_is_404_json(client: Client) -> None:
    for path in ("/nope", "/api/other/", "/api/text_generator/x/y/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_wrong_method_is_405_after_authentication(client: Client) -> None:
    response = client.request("PUT", API, json={})
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}
    assert "POST" in response.headers["Allow"]
    response = client.request(
        "DELETE", f"{API}{'0' * 8}-0000-4000-8000-{'0' * 12}/", headers={"X-API-ID": ""}
    )
    assert response.status_code == 401


def test_missing_trailing_slash_redirects_with_json(client: Client) -> None:
    response = client.post("/api/text_generator", json=valid_body())
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/api/text_generator/")
    assert "trailing slash" in response.json()["detail"]


@pytest.mark.parametrize("mock_options", [{"max_body_bytes": 1000}])
def test_body_over_the_limit_is_413_json(client: Client) -> None:
    at_limit = valid_body(system_instruction="x" * 1000)
    response = client.post(json=at_limit)
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert client.post(json=valid_body()).status_code == 201


def test_a_million_item_messages_list_is_refused_by_size(client: Client) -> None:
    body = b'{"model_name":"m","messages":[' + b",".join([b'{"role":"user"}'] * 1_000_000) + b"]}"
    response = client.post(data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_server_keeps_serving_after_a_client_hangs_up_mid_body(mock: MockServer, client: Client) -> None:
    host, port = mock.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /api/text_generator/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\nX-API-ID: a\r\nX-API-KEY: b\r\n\r\n{"model'
        )
    assert client.post(json=valid_body()).status_code == 201


def test_options_and_head_answer_json_or_nothing(client: Client) -> None:
    response = client.request("OPTIONS", API)
    assert response.status_code == 200 and "POST" in response.headers["Allow"]
    assert response.json()["parses"] == ["application/json"]
    head = client.session.head(client.mock.url + API, timeout=10)
    assert (
        head.status_code == 200 and head.headers["Content-Type"] == "application/json" and head.content == b""
    )
    assert client.request("OPTIONS", "/__admin/jobs").status_code == 405
