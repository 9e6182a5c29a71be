"""Tool calls (function calling) on the ``/sse/`` family: Gemini's function declarations and calling modes,
turned into deterministic, schema-valid calls."""

from mockserver.generation.tools.calls import FunctionCall, answer_after_response, decide
from mockserver.generation.tools.declarations import MODES, Toolbox, ToolError, parse_toolbox, to_json_schema

__all__ = [
    "MODES",
    "FunctionCall",
    "ToolError",
    "Toolbox",
    "answer_after_response",
    "decide",
    "parse_toolbox",
    "to_json_schema",
]
