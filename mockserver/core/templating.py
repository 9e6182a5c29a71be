"""Templates in scenario outcomes: ``{field}`` replaced from the request, and nothing else.

No code runs and no attribute is reached: only the few named fields below, so a rule file can never make the mock
evaluate anything a request sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TEMPLATE = re.compile(r"\{(\w+)\}")


def render(template: str, body: Mapping[str, Any], api_id: str) -> str:
    """Replace ``{field}`` from the request; unknown names stay as written (no code runs, no attribute access)."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
    fields = {
        "model_name": str(body.get("model_name", "")),
        "system_instruction": str(body.get("system_instruction", "")),
        "last_user_message": users[-1] if users else "",
        "message_count": str(len(messages)),
        "api_id": api_id,
    }
    return _TEMPLATE.sub(lambda found: fields.get(found[1], found[0]), template)


def render_value(value: Any, body: Mapping[str, Any], api_id: str) -> Any:
    """``render`` applied to every string inside a JSON value (a forced call's ``args``)."""
    if isinstance(value, dict):
        return {k: render_value(v, body, api_id) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, body, api_id) for v in value]
    return render(value, body, api_id) if isinstance(value, str) else value
