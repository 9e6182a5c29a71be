"""Schemathesis hooks (``SCHEMATHESIS_HOOKS``): the one /sse/ request rule JSON Schema cannot say.

``allowed_function_names`` must each be declared in ``tools`` (a 400 otherwise, as Gemini refuses it); a schema
cannot compare two parts of one body, so generated bodies that break it (and the 400s they get) are left out rather than the check
(ST202, schema-valid requests accepted) being weakened for every operation.
"""

from __future__ import annotations

from typing import Any

import schemathesis


def allowed_names_declared(body: Any) -> bool:
    if not isinstance(body, dict):
        return True
    config = body.get("tool_config")
    calling = config.get("function_calling_config") if isinstance(config, dict) else None
    allowed = calling.get("allowed_function_names") if isinstance(calling, dict) else None
    if not isinstance(allowed, list) or not allowed:
        return True
    tools = body.get("tools")
    declared = set()
    for tool in tools if isinstance(tools, list) else []:
        decls = tool.get("function_declarations") if isinstance(tool, dict) else None
        declared |= (
            {d.get("name") for d in decls or [] if isinstance(d, dict)} if isinstance(decls, list) else set()
        )
    return all(name in declared for name in allowed)


@schemathesis.hook
def filter_body(context: schemathesis.HookContext, body: Any) -> bool:
    return allowed_names_declared(body)


@schemathesis.hook
def filter_failure(context: schemathesis.HookContext, failure: Any, case: Any, response: Any) -> bool:
    """The coverage phase builds its cases without ``filter_body``: its 400 for this very rule is kept out."""
    return not (response.status_code == 400 and not allowed_names_declared(case.body))
