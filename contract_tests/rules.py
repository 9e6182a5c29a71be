"""The rules the shipped suite holds a target to: each with where it is written down and how much it weighs.

A test says which rules it checks with ``@covers("api.create.201", ...)`` (a ``pytest.mark.rule`` marker); the
table in ``docs/contract-rules.md`` is generated from those markers (``python -m contract_tests.rules_table``) and
a test keeps it from drifting. Only rules whose source is judged (``doc``: Creatify's reference or guide;
``http``: what HTTP itself says about a documented endpoint) decide the verdict. Upstream Gemini behaviour and our
own inferences are checked the same way but *reported*, never failed (``--contract-judge-upstream`` judges the
Gemini ones too), because Creatify does not promise them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

#: Sources whose rules decide the verdict; the others are reported (see the module docstring).
JUDGED = frozenset({"doc", "http"})
SOURCES = {
    "doc": "Creatify's reference or guide",
    "http": "HTTP's meaning of a documented endpoint",
    "gemini": "upstream Gemini behaviour (reported; judged with --contract-judge-upstream)",
    "inferred": "our reading, not written anywhere (reported)",
}
SEED = "reference page POST /api/text_generator/"
NOTES = "API_NOTES"


@dataclass(frozen=True)
class Rule:
    """One rule: ``id`` (``family.topic``), what it says, its source and where that source says it."""

    id: str
    text: str
    source: str
    where: str

    @property
    def judged(self) -> bool:
        return self.source in JUDGED


RULES: tuple[Rule, ...] = (
    Rule("api.auth", "/api/ calls without or with wrong X-API-ID / X-API-KEY are refused (401 or 403)", "doc", f"{SEED}: Authorizations (both headers required)"),
    Rule("api.create.201", "a valid create answers 201 application/json with a job valid against the documented schema", "doc", f"{SEED}: Response 201"),
    Rule("api.create.pending", "a created job is pending", "doc", f"{SEED}: example; guide: async mode answers at once with pending"),
    Rule("api.create.echo", "the job echoes model_name, messages, config and system_instruction as sent", "doc", f"{SEED}: the response repeats the body's fields"),
    Rule("api.create.invalid", "a body breaking a documented request rule is refused with a 4xx (model_name required and <= 255 chars, messages required with role user/model and string content, types, webhook_url a URI)", "doc", f"{SEED}: Body"),
    Rule("api.read", "GET /api/text_generator/{id}/ answers 200 with the job", "doc", f"{NOTES} Endpoints: poll one job"),
    Rule("api.read.404", "an id never created answers 404", "http", f"{NOTES} Endpoints: GET /api/text_generator/{{id}}/"),
    Rule("api.timestamps", "updated_at is not before created_at", "inferred", "not written: what the names suggest"),
    Rule("api.no5xx", "no answer is a 5xx", "http", "HTTP: a client's request is never the server's error"),
    Rule("api.lifecycle", "status moves only forward, pending -> running -> done | failed, and a job finishes", "doc", f"{SEED}: status enum; guide: poll until done or failed"),
    Rule("api.terminal", "a done job has a string response_text and no failed_reason; a failed job a failed_reason; a finished job stays as it is", "doc", f"{SEED}: response_text, failed_reason (if status is failed)"),
    Rule("api.list", "the list (when there is one) is a plain JSON array holding the caller's jobs, filtered by ids=", "doc", f"{NOTES} Endpoints: list endpoints of this API (other resources)"),
    Rule("api.isolation", "another account neither reads nor lists a job", "doc", f"{NOTES} /sse/ list: for the authenticated workspace"),
    Rule("api.webhook", "a job with webhook_url gets POSTs with its status, the last one terminal", "doc", f"{SEED}: webhook_url; {NOTES} Webhooks"),
    Rule("api.generation", "a done job's text honours max_output_tokens, stop_sequences and JSON mode", "gemini", f"{NOTES} Job object: [upstream Gemini]"),
    Rule("sse.auth", "/sse/ calls without or with wrong credentials are refused (401 on the list, 401 or 403 elsewhere)", "doc", f"{NOTES} /sse/: 401 Missing or invalid API credentials"),
    Rule("sse.create", "an async create answers 201 with a pending TextGenResponse that echoes the body; GET {id}/ reads it", "doc", f"{NOTES} /sse/: POST /sse/text_generator/, GET /sse/text_generator/{{id}}/"),
    Rule("sse.sync", "a sync create answers 201 with the finished job", "doc", f"{NOTES} /sse/: sync mode returns the result"),
    Rule("sse.list", "GET /sse/text_generator/ is a plain array of TextGenResponse", "doc", f"{NOTES} /sse/: GET /sse/text_generator/"),
    Rule("sse.invalid", "a missing model_name or messages, an unknown model or a bad role is 400 {\"error\": \"...\"}", "doc", f"{NOTES} /sse/: 400 Invalid request body or model not found"),
    Rule("sse.no5xx", "no /sse/ answer is a 5xx", "http", "HTTP: a client's request is never the server's error"),
    Rule("sse.stream", "a stream is a 2xx text/event-stream of Gemini chunks with a creatify object holding the job id and credits_used", "doc", f"{NOTES} /sse/: POST /sse/text_generator/stream/"),
    Rule("sse.stream.finish", "the last Gemini chunk carries a finishReason", "gemini", f"{NOTES} upstream Gemini: finishReason only on the last chunk"),
    Rule("sse.stream.invalid", "a stream request with an invalid body is 400 {\"error\": \"...\"}", "doc", f"{NOTES} /sse/: the stream validates the request"),
    Rule("sse.stream.job", "the streamed job can be read on /sse/ and on /api/", "doc", f"{NOTES} /sse/: jobs of both families live in one store"),
    Rule("sse.stream.same", "the job's response_text and response_function_calls are what the stream sent", "inferred", "not written: the stream and the job come from one generation"),
    Rule("sse.tools.calls", "response_function_calls is a list of {name, args}", "doc", f"{NOTES} /sse/: TextGenResponse"),
    Rule("sse.tools.echo", "messages' function_call / function_response parts are echoed as sent", "doc", f"{NOTES} /sse/: message items {{role, content, function_call, function_response}}"),
    Rule("sse.tools.mode", "NONE never calls; ANY calls, only allowed names; calls name declared functions with args valid against their parameters", "gemini", f"{NOTES} upstream Gemini: function_calling_config.mode"),
)  # fmt: skip
BY_ID = {rule.id: rule for rule in RULES}
#: Documented rules no public call can check, with the reason (listed in the table, never silently dropped).
NOT_CHECKABLE = {
    "GET and list calls cost no credits": "no public endpoint shows an account's balance",
    "POST /api/text_generator/ accepts form-encoded and multipart bodies": "an inference (DRF), not documented",
}


def covers(*ids: str) -> pytest.MarkDecorator:
    """Mark a test as checking the rules ``ids`` (each must be in ``RULES``: a typo is an error at import)."""
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        raise KeyError(f"unknown contract rule(s) {unknown}; known: {sorted(BY_ID)}")
    return pytest.mark.rule(*ids)
