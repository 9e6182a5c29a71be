"""Generation semantics on done jobs: word limit, stop sequences, JSON mode and its schema.

These are Gemini's documented semantics, which Creatify passes through (API_NOTES.md) but does not promise itself:
a deviation is reported, not failed (``--contract-judge-upstream`` fails it). A failed job is allowed (ranges
Creatify enforces are unknown) and has nothing to check here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given

from .checks_job import check_generation
from .client import ContractClient
from .polling import PollResult
from .profiles import contract_settings
from .report import Report
from .rules import covers
from .strategies import JSON_SCHEMAS, create_requests

pytestmark = [pytest.mark.contract("generation"), covers("api.generation")]
PROMPT = [{"role": "user", "content": "Write three taglines for a running shoe"}]
EXAMPLES = {
    "word limit": {"max_output_tokens": 5},
    "stop sequence": {"stop_sequences": ["e", "the"]},
    "json mode": {"response_mime_type": "application/json"},
    "json schema": {"response_mime_type": "application/json", "response_json_schema": JSON_SCHEMAS[1]},
}


@pytest.mark.contract_variety
@contract_settings(max_examples=8)
@given(body=create_requests())
def test_done_text_honours_the_config(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_report: Report,
    body: dict[str, Any],
) -> None:
    result = contract_wait(contract_client.create(body), body)
    with contract_report.reported("api.generation"):
        check_generation(body, result.job)


@pytest.mark.parametrize("config", EXAMPLES.values(), ids=list(EXAMPLES))
def test_each_generation_rule_once(
    contract_client: ContractClient,
    contract_wait: Callable[..., PollResult],
    contract_report: Report,
    config: dict[str, Any],
) -> None:
    body = {"model_name": "gemini-2.5-flash", "messages": PROMPT, "config": config}
    result = contract_wait(contract_client.create(body), body)
    with contract_report.reported("api.generation"):
        check_generation(body, result.job)
