"""Schemathesis hooks (``SCHEMATHESIS_HOOKS``): the one /sse/ request rule JSON Schema cannot say.

``allowed_function_names`` must each be declared in ``tools`` (a 400 otherwise, as Gemini refuses it); a schema
cannot compare two parts of one body, so generated bodies that break it (and the 400s they get) are left out rather than the check
(ST202, schema-valid requests accepted) being weakened for every operation.
"""

from __future__ import annotations

from typing import Any

import schemathesis


def allowed_names_declared(body: Any) -> bool:
    """False only for the rule's own case: a string name in ``allowed_function_names`` that no declaration has.

    Any other JSON (negative cases: lists where names go, numbers, missing parts) is kept, without raising: it
    breaks the schema, not this rule, and the mock's 400 for it is what the negative checks expect.
    """
    if not isinstance(body, dict):
        return True
    config = body.get("tool_config")
    calling = config.get("function_calling_config") if isinstance(config, dict) else None
    allowed = calling.get("allowed_function_names") if isinstance(calling, dict) else None
    if not isinstance(allowed, list) or not all(isinstance(name, str) for name in allowed):
        return True
    tools = body.get("tools")
    declared: set[str] = set()
    for tool in tools if isinstance(tools, list) else []:
        decls = tool.get("function_declarations") if isinstance(tool, dict) else None
        for decl in decls if isinstance(decls, list) else []:
            name = decl.get("name") if isinstance(decl, dict) else None
            if not isinstance(name, str):
                return True  # a declaration without a string name: the schema's 400, not this rule's
            declared.add(name)
    return all(name in declared for name in allowed)


@schemathesis.hook
def filter_body(context: schemathesis.HookContext, body: Any) -> bool:
    return allowed_names_declared(body)


@schemathesis.hook
def filter_failure(context: schemathesis.HookContext, failure: Any, case: Any, response: Any) -> bool:
    """The coverage phase builds its cases without ``filter_body``: its 400 for this very rule is kept out."""
    return not (response.status_code == 400 and not allowed_names_declared(case.body))
