"""Scenario rules: first match wins, a job outcome and timing or an HTTP fault instead of a job. No Flask.

Rules come from ``--scenarios FILE`` (YAML or JSON) and the admin API, and are checked against
``schemas/scenario_rule.schema.json`` when loaded: a bad rule is refused with its position, name and field.
"""

from __future__ import annotations

import copy
import json
import random
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from mockserver.contract import schemas
from mockserver.core.models import Outcome
from mockserver.core.patterns import PatternError, compile_pattern

_REGEX_FIELDS = ("message", "last_user_message", "system_instruction")
_TOOL_FIELDS = ("function_names", "function_calling_mode")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
#: Headers that decide how the answer is framed on the wire: the server sets them, a rule may not.
FRAMING_HEADERS = frozenset(
    {"connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "te", "trailer"}
)


class ScenarioError(ValueError):
    """A scenario rule or file the mock cannot use; the message names the rule and the field."""


@dataclass
class RequestInfo:
    """What rules can match on: the operation, the account, the headers, and for a create its body."""

    operation: str
    api_id: str
    headers: Any  # a case-insensitive mapping (werkzeug Headers): .get(name)
    body: Any = None
    family: str = "api"  # the API family of the call: api or sse
    path: str = ""


@dataclass
class Rule:
    id: str
    spec: dict[str, Any]
    remaining: int | None
    applied: int = 0
    patterns: dict[str, Any] = field(default_factory=dict)  # compiled RE2 programs (linear time)
    #: An outcome decided outside the spec, as a replayed recording decides one (text used as recorded).
    forced: Outcome | None = None
    #: A recorded stream to send as it was received (``/sse/`` stream replay), and the recorded job id in it.
    recorded_stream: tuple[Any, ...] | None = None
    recorded_job_id: str | None = None

    @property
    def match(self) -> dict[str, Any]:
        return self.spec.get("match") or {}

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "remaining": self.remaining,
            "applied": self.applied,
            "rule": copy.deepcopy(self.spec),
        }

    def fits(self, info: RequestInfo) -> bool:
        m = self.match
        operation = m.get("operation", "create")
        if operation != "any" and operation != info.operation:
            return False
        if m.get("family", "any") not in ("any", info.family):
            return False
        if "api_id" in m and m["api_id"] != info.api_id:
            return False
        if any(info.headers.get(name) != value for name, value in (m.get("headers") or {}).items()):
            return False
        needs_body = any(k in m for k in ("model_name", "config", *_REGEX_FIELDS, *_TOOL_FIELDS))
        if not needs_body:
            return True
        body = info.body if isinstance(info.body, dict) else {}
        return _body_fits(m, self.patterns, body) and _tools_fit(m, body)


def _tools_fit(m: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """``function_names`` all declared in the body's tools; ``function_calling_mode`` its mode (AUTO by default)."""
    tools = body.get("tools")
    declared = set()
    for tool in tools if isinstance(tools, list) else []:
        decls = tool.get("function_declarations") if isinstance(tool, dict) else None
        declared |= (
            {d.get("name") for d in decls if isinstance(d, dict)} if isinstance(decls, list) else set()
        )
    if any(name not in declared for name in m.get("function_names") or []):
        return False
    if "function_calling_mode" not in m:
        return True
    config = body.get("tool_config")
    calling = config.get("function_calling_config") if isinstance(config, dict) else None
    mode = calling.get("mode", "AUTO") if isinstance(calling, dict) else "AUTO"
    return str(mode).upper() == str(m["function_calling_mode"])


def _body_fits(m: Mapping[str, Any], patterns: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    if "model_name" in m and body.get("model_name") != m["model_name"]:
        return False
    raw_config = body.get("config")
    config: Mapping[str, Any] = raw_config if isinstance(raw_config, dict) else {}
    if any(k not in config or config[k] != v for k, v in (m.get("config") or {}).items()):
        return False
    messages = [msg for msg in body.get("messages") or [] if isinstance(msg, dict)]
    contents = [str(msg.get("content", "")) for msg in messages]
    if "message" in m and not any(_found(patterns["message"], c) for c in contents):
        return False
    if "last_user_message" in m:
        users = [str(msg.get("content", "")) for msg in messages if msg.get("role") == "user"]
        if not users or not _found(patterns["last_user_message"], users[-1]):
            return False
    return not (
        "system_instruction" in m
        and not _found(patterns["system_instruction"], str(body.get("system_instruction", "")))
    )


def _found(program: Any, text: str) -> bool:
    """RE2 search; text it cannot encode (a lone surrogate) matches nothing."""
    try:
        return program.search(text) is not None
    except (TypeError, ValueError):
        return False


class ScenarioBook:
    """The rules in force, in order; ``take`` finds the first that fits and counts it against ``times``."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._next = 0
        self._seed = seed
        self._validator = Draft202012Validator(
            schemas.schema("scenario_rule"),
            registry=schemas.registry(),
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def compile(self, spec: Any, where: str) -> Rule:
        """Check one rule against the schema and compile its regexes; ScenarioError names ``where`` and the field."""
        error = best_match(self._validator.iter_errors(spec))
        if error is not None:
            path = "/".join(str(p) for p in error.absolute_path) or "(the rule itself)"
            raise ScenarioError(f"{where}: field {path}: {error.message}")
        patterns = {}
        for name in _REGEX_FIELDS:
            if name in spec.get("match", {}):
                try:  # RE2: matching runs on every API call, so it must be linear in the input
                    re.compile(spec["match"][name])
                    patterns[name] = compile_pattern(spec["match"][name])
                except re.error as exc:
                    raise ScenarioError(f"{where}: field match/{name}: not a valid regex: {exc}") from None
                except PatternError as exc:
                    raise ScenarioError(
                        f"{where}: field match/{name}: not a valid regex here: {exc}"
                    ) from None
        latency = spec.get("latency")
        if isinstance(latency, dict) and latency["min"] > latency["max"]:
            raise ScenarioError(f"{where}: field latency: min must not exceed max")
        for name, value in (spec.get("http", {}).get("headers") or {}).items():
            if not _TOKEN.fullmatch(name) or name.lower() in FRAMING_HEADERS or _BAD_VALUE.search(value):
                raise ScenarioError(
                    f"{where}: field http/headers/{name}: not a header the mock can send "
                    f"(framing headers {sorted(FRAMING_HEADERS)} and line breaks are not allowed)"
                )
        if "http" in spec and ("outcome" in spec or "timing" in spec or "stream" in spec):
            raise ScenarioError(
                f"{where}: a rule with http answers instead of creating a job: drop outcome/timing/stream"
            )
        with self._lock:
            self._next += 1
            rule_id = spec.get("name") or f"rule-{self._next}"
        return Rule(rule_id, copy.deepcopy(spec), spec.get("match", {}).get("times"), patterns=patterns)

    def replace(self, specs: Sequence[Any], source: str = "scenarios") -> list[Rule]:
        with self._lock:
            self._next = 0  # unnamed rules are numbered by position, the same after every reset
        rules = [self.compile(spec, f"{source}: rule {i} ({_name(spec)})") for i, spec in enumerate(specs)]
        _check_unique(rules, source)
        with self._lock:
            self._rules = rules
        return rules

    def started(self) -> None:
        """Startup (the ``--scenarios`` load) is over; a shared book stops deferring to the team's rules."""

    def add(self, spec: Any, position: int | None = None) -> Rule:
        rule = self.compile(spec, f"rule ({_name(spec)})")
        with self._lock:
            if any(r.id == rule.id for r in self._rules):
                raise ScenarioError(f"a rule named {rule.id!r} exists already")
            self._rules.insert(len(self._rules) if position is None else position, rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            kept = [r for r in self._rules if r.id != rule_id]
            found = len(kept) != len(self._rules)
            self._rules = kept
        return found

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    @property
    def active(self) -> bool:
        """Any rule at all (read without the lock: a cheap check on every request)."""
        return bool(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def views(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.view() for r in self._rules]

    def export(self) -> list[dict[str, Any]]:
        """Rules as they stand now (``times`` lowered to what remains): importable with ``replace``."""
        out = []
        with self._lock:
            for r in self._rules:
                spec = copy.deepcopy(r.spec)
                if r.remaining is not None:
                    spec["match"]["times"] = r.remaining
                out.append(spec)
        return out

    def take(self, info: RequestInfo) -> tuple[Rule, random.Random] | None:
        """The first fitting rule (retiring it when its ``times`` run out) and a seeded random for its choices."""
        with self._lock:
            for rule in self._rules:
                if rule.fits(info):
                    rule.applied += 1
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining == 0:
                            self._rules.remove(rule)
                    seed = f"{self._seed}:{rule.id}:{rule.applied}" if self._seed is not None else None
                    return rule, random.Random(seed)
        return None

    def latency(self, rule: Rule, rng: random.Random) -> float:
        spec = rule.spec.get("latency", 0)
        return float(rng.uniform(spec["min"], spec["max"])) if isinstance(spec, dict) else float(spec)


def load_file(path: str | Path) -> list[Any]:
    """The rules of a YAML or JSON scenario file, checked against scenario_file.schema.json's outer shape."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file {path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ScenarioError(f"scenario file {path} is not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list):
        raise ScenarioError(f"scenario file {path}: expected a mapping with a 'scenarios' list of rules")
    extra = sorted(set(data) - {"scenarios"})
    if extra:
        raise ScenarioError(f"scenario file {path}: unknown top-level keys {extra}")
    return list(data["scenarios"])


def _name(spec: Any) -> str:
    return str(spec.get("name", "unnamed")) if isinstance(spec, dict) else "not a mapping"


def _check_unique(rules: list[Rule], source: str) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ScenarioError(f"{source}: two rules are named {rule.id!r}")
        seen.add(rule.id)
