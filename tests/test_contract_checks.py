"""Each contract check passes a conforming response and raises ContractViolation on a deliberately broken one.

One group per bullet of the issue's checks list: status codes, bodies, echo, lifecycle, generation, list,
webhooks. The broken responses are crafted from the fixture job, so no server is needed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from contract_tests import checks, checks_job, checks_list
from contract_tests.checks import ContractViolation, Exchange
from mockserver.contract.schemas import data_dir

JOB: dict[str, Any] = json.loads((data_dir("fixtures") / "responses" / "job_done.json").read_text())
SENT: dict[str, Any] = {"model_name": JOB["model_name"], "messages": JOB["messages"]}
JSON_HEADERS = {"Content-Type": "application/json"}


def job(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(JOB)
    for key, value in changes.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def exchange(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Exchange:
    return Exchange(
        "GET", "http://127.0.0.1/api/text_generator/", status, headers or JSON_HEADERS, body, json.dumps(body)
    )


def violates(check_name: str, fn: Callable[[], object]) -> ContractViolation:
    with pytest.raises(ContractViolation) as info:
        fn()
    assert f"[{check_name}" in str(info.value), str(info.value)
    return info.value


# -- status codes ----------------------------------------------------------------------------------------------
def test_status_check() -> None:
    checks.check_status(exchange(201, JOB), 201, "create")
    checks.check_status(exchange(403, {"detail": "x"}), (401, 403), "no credentials")
    error = violates("status", lambda: checks.check_status(exchange(200, JOB), 201, "create"))
    assert "201 for create" in str(error) and "caused by: GET" in str(error)
    violates("status", lambda: checks.check_status(exchange(422, {"model_name": ["x"]}), 400, "invalid"))
    violates("status", lambda: checks.check_status(exchange(200, []), (401, 403), "wrong key"))
    violates("status", lambda: checks.check_status(exchange(410, {"detail": "Gone"}), 404, "unknown id"))


def test_error_naming_the_field_is_available_as_a_check() -> None:
    checks.check_error_names_field(exchange(400, {"model_name": ["This field is required."]}), "model_name")
    violates(
        "error names field",
        lambda: checks.check_error_names_field(exchange(400, {"detail": "Bad"}), "model_name"),
    )


def test_server_errors_are_violations() -> None:
    violates("server error", lambda: checks.check_response(exchange(500, {"detail": "boom"}), "job"))


# -- bodies ----------------------------------------------------------------------------------------------------
def test_content_type_check() -> None:
    checks.check_json_content_type(exchange(headers={"content-type": "application/json; charset=utf-8"}))
    violates(
        "content type",
        lambda: checks.check_response(exchange(200, JOB, {"Content-Type": "text/html"}), "job"),
    )


@pytest.mark.parametrize(
    ("broken", "name"),
    [
        (job(created_at=...), "schema job"),
        (job(status="finished"), "schema job"),
        (job(credits_used="0.1"), "schema job"),
        (job(id="job-1"), "schema job"),
        ({"results": [JOB]}, "schema job_list"),
    ],
)
def test_schema_check(broken: Any, name: str) -> None:
    kind = name.split()[-1]
    checks.check_response(exchange(200, [JOB] if kind == "job_list" else JOB), kind)
    violates(name, lambda: checks.check_response(exchange(200, broken), kind))


def test_error_bodies_are_observed_not_judged() -> None:
    """Their shape is an inference (DRF), not documented: check_response passes any 4xx body."""
    for body, headers in (({"error": "not found"}, JSON_HEADERS), (None, {"Content-Type": "text/html"})):
        checks.check_response(exchange(404, body, headers), None)
    assert checks.error_shape(exchange(404, {"detail": "Not found."}))["shape"] == "detail"
    shape = checks.error_shape(exchange(400, {"messages": {"0": {"role": ["bad"]}}}), "messages")
    assert shape["shape"] == "fields" and shape["names_field"] is True
    assert checks.error_shape(exchange(404, {"error": "x"}))["shape"] == "dict"
    # still available to teams that hold their own server to DRF's shapes:
    violates("error body", lambda: checks.check_error_body(exchange(404, {"error": "not found"})))


def test_a_documented_invalid_request_must_be_refused() -> None:
    for status in (400, 422):
        checks.check_refused(exchange(status, {"model_name": ["x"]}), "missing model_name")
    for status in (201, 401, 404, 429, 500):
        refused = exchange(status, {})
        violates("invalid request refused", lambda: checks.check_refused(refused, "x"))  # noqa: B023


def test_the_schema_check_uses_the_documented_view() -> None:
    lenient = job(config={"stop_sequences": ["s"] * 6, "top_k": 0, "response_json_schema": "x"})
    checks.check_response(exchange(200, [JOB, lenient]), "job_list")
    violates("schema job", lambda: checks.check_response(exchange(200, job(status="finished")), "job"))


@pytest.mark.parametrize(
    ("broken", "name"),
    [
        (job(id="not-a-uuid"), "job id"),
        (job(created_at="yesterday"), "timestamps"),
        (job(updated_at="2026-01-01T00:00:00"), "timestamps"),  # no time zone
        (job(credits_used=True), "credits_used"),
    ],
)
def test_job_field_checks(broken: dict[str, Any], name: str) -> None:
    checks.check_job_fields(JOB)
    checks.check_job_fields(job(credits_used=None))  # not always present, so null is allowed
    violates(name, lambda: checks.check_job_fields(broken))


# -- echo ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("broken", "name"),
    [
        (job(model_name="gemini-2.5-pro"), "echo model_name"),
        (job(system_instruction="Be brief."), "echo system_instruction"),
        (job(messages=[{"role": "model", "content": JOB["messages"][0]["content"]}]), "echo messages"),
        (job(messages=[]), "echo messages"),
        (job(config={"temperature": 0.5}), "echo config"),
    ],
)
def test_echo_check(broken: dict[str, Any], name: str) -> None:
    sent = {**SENT, "config": {"temperature": 0.7}}
    checks_job.check_echo(sent, job(config={"temperature": 0.7, "top_k": None}))  # extra keys are allowed
    violates(name, lambda: checks_job.check_echo(sent, broken))


def test_echo_defaults_content_and_system_instruction() -> None:
    sent = {"model_name": "m", "messages": [{"role": "user"}]}
    checks_job.check_echo(sent, job(model_name="m", messages=[{"role": "user", "content": ""}]))
    # what was not sent may come back absent or null: the documentation omits nullability
    checks_job.check_echo(sent, job(model_name="m", messages=[{"role": "user"}], system_instruction=None))
    checks_job.check_echo(sent, job(model_name="m", messages=[{"role": "user", "content": None}]))
    said = {"model_name": "m", "messages": [{"role": "user", "content": "hi"}]}
    violates(
        "echo messages",
        lambda: checks_job.check_echo(
            said, job(model_name="m", messages=[{"role": "user", "content": None}])
        ),
    )
    violates(
        "echo system_instruction",
        lambda: checks_job.check_echo({**SENT, "system_instruction": "x"}, job(system_instruction=None)),
    )


# -- lifecycle -------------------------------------------------------------------------------------------------
def test_new_job_is_pending() -> None:
    checks_job.check_created_pending(job(status="pending"))
    violates("new job status", lambda: checks_job.check_created_pending(job(status="running")))


@pytest.mark.parametrize(
    ("before", "after"), [("running", "pending"), ("done", "running"), ("failed", "done")]
)
def test_transitions_never_go_back(before: str, after: str) -> None:
    checks_job.check_transition("pending", "done")  # a poll may miss running
    violates("transition", lambda: checks_job.check_transition(before, after))


def test_terminal_job_is_stable() -> None:
    checks_job.check_terminal_stable(JOB, job())
    violates(
        "terminal stable", lambda: checks_job.check_terminal_stable(JOB, job(response_text="Other text"))
    )


@pytest.mark.parametrize(
    ("broken", "name"),
    [
        (job(response_text=None), "done job"),
        (job(failed_reason="oops"), "done job"),
        (job(status="failed", failed_reason=""), "failed job"),
        (job(status="running"), "terminal"),
    ],
)
def test_terminal_fields(broken: dict[str, Any], name: str) -> None:
    checks_job.check_terminal_fields(JOB)
    checks_job.check_terminal_fields(job(status="failed", failed_reason="Temperature out of range"))
    violates(name, lambda: checks_job.check_terminal_fields(broken))


def test_job_must_finish_within_the_timeout() -> None:
    checks_job.check_finished(["pending", "running", "done"], 1.0)
    violates("finishes", lambda: checks_job.check_finished(["pending", "running", "running"], 1.0, "job-1"))


# -- generation ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("config", "text", "name"),
    [
        ({"max_output_tokens": 3}, "one two three four", "max_output_tokens"),
        ({"stop_sequences": ["END"]}, "some text END more", "stop_sequences"),
        ({"response_mime_type": "application/json"}, "{not json", "json mode"),
        (
            {
                "response_mime_type": "application/json",
                "response_json_schema": {"type": "object", "required": ["a"]},
            },
            '{"b": 1}',
            "json schema",
        ),
    ],
)
def test_generation_checks(config: dict[str, Any], text: str, name: str) -> None:
    sent = {**SENT, "config": config}
    checks_job.check_generation(sent, job(response_text='{"a": 1}' if "json" in name else "one two"))
    checks_job.check_generation(sent, job(status="failed", response_text=text, failed_reason="x"))  # not done
    violates(name, lambda: checks_job.check_generation(sent, job(response_text=text)))


# -- list and isolation ----------------------------------------------------------------------------------------
def test_list_checks() -> None:
    other = job(id="6f1c2a52-4c7e-4f1e-9a0a-2b1d3c4e5f60")
    checks_list.check_plain_array(exchange(200, [JOB]))
    violates("list shape", lambda: checks_list.check_plain_array(exchange(200, {"results": [JOB]})))
    checks_list.check_list_holds([JOB, other], [JOB["id"]])
    violates("list holds", lambda: checks_list.check_list_holds([other], [JOB["id"]]))
    checks_list.check_list_filtered([JOB], [JOB["id"]])
    violates("ids= filter", lambda: checks_list.check_list_filtered([JOB, other], [JOB["id"]]))


def test_isolation_check() -> None:
    checks_list.check_not_visible(JOB["id"], exchange(404, {"detail": "Not found."}))
    checks_list.check_not_visible(JOB["id"], exchange(200, []))
    violates("isolation", lambda: checks_list.check_not_visible(JOB["id"], exchange(200, JOB)))
    violates("isolation", lambda: checks_list.check_not_visible(JOB["id"], exchange(200, [JOB])))


# -- webhooks --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "body", "name"),
    [
        ({"Content-Type": "text/plain"}, JOB, "webhook content type"),
        (JSON_HEADERS, ["not", "an", "object"], "webhook body"),
        (JSON_HEADERS, job(id="6f1c2a52-4c7e-4f1e-9a0a-2b1d3c4e5f60"), "webhook id"),
        (JSON_HEADERS, job(status="succeeded"), "webhook status"),
    ],
)
def test_webhook_event_check(headers: dict[str, str], body: Any, name: str) -> None:
    checks_list.check_webhook_event(JOB["id"], JSON_HEADERS, JOB)
    violates(name, lambda: checks_list.check_webhook_event(JOB["id"], headers, body))


def test_webhook_events_check() -> None:
    running = job(status="running", response_text=None)
    checks_list.check_webhook_events(JOB["id"], [running, JOB], JOB)
    checks_list.check_webhook_events(
        JOB["id"], [{"id": JOB["id"], "status": "done"}], JOB
    )  # a subset is fine
    violates("webhook delivered", lambda: checks_list.check_webhook_events(JOB["id"], [], JOB))
    violates("webhook terminal event", lambda: checks_list.check_webhook_events(JOB["id"], [running], JOB))
    disagree = job(response_text="Not what the GET says")
    violates("webhook agrees", lambda: checks_list.check_webhook_events(JOB["id"], [disagree], JOB))


def test_webhook_unicode_check() -> None:
    sent = [{"role": "user", "content": "東京 🚀 naïve"}]
    checks_list.check_webhook_unicode(sent, job(messages=sent))
    checks_list.check_webhook_unicode(
        sent, {"id": JOB["id"], "status": "done"}
    )  # no messages: nothing to compare
    mangled = [{"role": "user", "content": "?? ?? naive"}]
    violates("webhook unicode", lambda: checks_list.check_webhook_unicode(sent, job(messages=mangled)))


def test_checks_are_tallied_per_area() -> None:
    before = checks.TALLY[("lifecycle", "failed")]
    with pytest.raises(ContractViolation):
        checks_job.check_transition("done", "pending")
    assert checks.TALLY[("lifecycle", "failed")] == before + 1


def test_timestamps_in_the_wrong_order_are_a_violation_the_suite_reports() -> None:
    checks.check_timestamps_order(JOB)
    checks.check_job_fields(job(updated_at="2000-01-01T00:00:00Z"))  # not judged with the documented fields
    violates("timestamps", lambda: checks.check_timestamps_order(job(updated_at="2000-01-01T00:00:00Z")))
