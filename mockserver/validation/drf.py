"""Request bodies checked against schemas/ and turned into Django REST Framework's 400 bodies.

The schema is the only statement of the field rules: this module never restates them, it only translates each
jsonschema error (by keyword and by the type of the schema that failed) into the message DRF's fields give, and
shapes the messages the way DRF nests them (objects as dicts, list items keyed by their index as a string).
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from jsonschema import FormatChecker, ValidationError

from mockserver.contract import schemas
from mockserver.contract.formats import robust
from mockserver.validation.fast import compile_schema
from mockserver.validation.ordered import OrderedValidator

if TYPE_CHECKING:
    from referencing._core import Resolver  # not re-exported at the top level

NON_FIELD = "non_field_errors"
MAX_URL_LENGTH = 2048  # Django's URLValidator.max_length
MAX_CLEAN_DEPTH = 256  # bodies are depth-limited to 64 before they get here; this only bounds our recursion
MAX_REF_HOPS = 32
MAX_FALLBACK_CHARS = 300  # jsonschema's messages quote the instance, which may be large
#: Problems counted per listed one; past that a 400 says "at least N more". Counting every problem of 2,000 bad
#: messages took ~0.4 s of the one core (jsonschema, ~0.1 ms a problem): one client could slow every other.
COUNTED_PER_LISTED = 10

# Django's URLValidator, narrowed to http(s): same host shapes (hostname, IPv4, [IPv6]) and optional port.
_URL = re.compile(
    r"(?P<scheme>[a-z0-9.+-]*)://"
    r"(?:[^\s:@/]+(?::[^\s:@/]*)?@)?"  # user:password@, as Django allows
    r"(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<host>[^\s/?#:@\[\]]+))"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"(?:[/?#]\S*)?\Z",
    re.IGNORECASE,
)
_LABEL = r"(?!-)[a-z0-9\u00a1-\uffff-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?", re.IGNORECASE)
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")  # whitespace and C0/C1 controls

_TYPE_MESSAGES = {
    "string": "Not a valid string.",
    "integer": "A valid integer is required.",
    "number": "A valid number is required.",
    "boolean": "Must be a valid boolean.",
    "array": 'Expected a list of items but got type "{type}".',
    "object": 'Expected a dictionary of items but got type "{type}".',
}
# (any bound, bound == 1): DRF's messages for the validators its fields build from these keywords.
_BOUND_MESSAGES = {
    "minLength": ("Ensure this field has at least {} characters.", "This field may not be blank."),
    "maxLength": ("Ensure this field has no more than {} characters.",) * 2,
    "minItems": ("Ensure this field has at least {} elements.", "This list may not be empty."),
    "maxItems": ("Ensure this field has no more than {} elements.",) * 2,
    "minimum": ("Ensure this value is greater than or equal to {}.",) * 2,
    "maximum": ("Ensure this value is less than or equal to {}.",) * 2,
}
# At one field DRF reports only the first failure of this kind (to_internal_value stops there), in this order.
_EXCLUSIVE = ("null", "enum", "type")

Path = tuple[str | int, ...]


def is_http_url(value: object) -> bool:
    """The ``uri`` format as Django's URLValidator(schemes=["http", "https"]) sees it (non-strings pass)."""
    if not isinstance(value, str):
        return True
    if len(value) > MAX_URL_LENGTH or _UNSAFE.search(value):
        return False
    match = _URL.match(value)
    if match is None or match["scheme"].lower() not in ("http", "https"):
        return False
    if match["port"] is not None and not 1 <= int(match["port"]) <= 65535:
        return False
    if match["ipv6"] is not None:
        try:
            ipaddress.IPv6Address(match["ipv6"])
        except ValueError:
            return False
        return True
    host: str = match["host"]
    if host.replace(".", "").isdigit():  # looks numeric: must then be a real dotted IPv4 address
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    return len(host) <= 253 and _HOSTNAME.fullmatch(host) is not None


class _Shape:
    """What clean() and key ordering need of one schema node: its properties, their defaults, its items."""

    __slots__ = ("defaults", "index", "integer", "items", "props")

    def __init__(self) -> None:
        self.integer = False
        self.props: dict[str, _Shape] | None = None
        self.index: dict[str, int] = {}
        self.defaults: dict[str, Any] = {}
        self.items: _Shape | None = None


def _shape(schema: Any, resolver: Resolver[Any], memo: dict[int, _Shape]) -> _Shape:
    """Follow ``$ref``s once, at compile time; recursive schemas become a cyclic graph via ``memo``."""
    for _ in range(MAX_REF_HOPS):
        if not isinstance(schema, dict) or "$ref" not in schema or "properties" in schema:
            break
        resolved = resolver.lookup(schema["$ref"])
        schema, resolver = resolved.contents, resolved.resolver
    if not isinstance(schema, dict):
        return _Shape()
    if id(schema) in memo:
        return memo[id(schema)]
    shape = memo[id(schema)] = _Shape()
    shape.integer = schema.get("type") == "integer"
    props = schema.get("properties")
    if isinstance(props, dict):
        shape.props = {name: _shape(sub, resolver, memo) for name, sub in props.items()}
        shape.index = {name: i for i, name in enumerate(props)}
        shape.defaults = {n: s["default"] for n, s in props.items() if isinstance(s, dict) and "default" in s}
    if isinstance(schema.get("items"), dict):
        shape.items = _shape(schema["items"], resolver, memo)
    return shape


def _required_first(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with ``required`` checked before ``properties`` (jsonschema checks keywords in the schema's
    order): when counting stops early, a missing top-level field (listed first) has been seen already."""
    if "required" not in schema:
        return schema
    return {"required": schema["required"], **{k: v for k, v in schema.items() if k != "required"}}


def _entries(error: ValidationError) -> list[tuple[Path, Any, str, str]]:
    """(path, instance, kind, message) of each problem an error reports: ``required`` one per missing field."""
    path: Path = tuple(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        return [((*path, name), None, "required", "This field is required.") for name in missing]
    kind, text, non_field = _message(error)
    return [((*path, NON_FIELD) if non_field or not path else path, error.instance, kind, text)]


def _message(error: ValidationError) -> tuple[str, str, bool]:
    """(kind, DRF message, whether it belongs in the object's ``non_field_errors``) for one jsonschema error."""
    kw, bound, instance = error.validator, error.validator_value, error.instance
    type_name = type(instance).__name__  # DRF names the Python type of the parsed JSON value
    if kw in ("type", "enum") and instance is None:
        return "null", "This field may not be null.", False
    if kw == "type":
        types = [bound] if isinstance(bound, str) else list(bound)
        first = next((t for t in types if t != "null"), "null")
        if first == "object" and isinstance(error.schema, dict) and "properties" in error.schema:
            return "type", f"Invalid data. Expected a dictionary, but got {type_name}.", True
        if first in _TYPE_MESSAGES:
            return "type", _TYPE_MESSAGES[first].format(type=type_name), False
    elif kw == "enum":
        return "enum", f'"{instance}" is not a valid choice.', False  # str(), as DRF's ChoiceField does
    elif kw in _BOUND_MESSAGES:
        return kw, _BOUND_MESSAGES[kw][bound == 1].format(bound), False
    elif kw == "format" and bound == "uri":
        return kw, "Enter a valid URL.", False
    text = error.message[:MAX_FALLBACK_CHARS] or f"Invalid value ({kw})."
    return kw, text, isinstance(instance, dict)


class RequestValidator:
    """Compiled once per app: validates a parsed JSON body against a named schema and builds DRF error bodies."""

    def __init__(self, schema_name: str = "create_request") -> None:
        schema = schemas.schema(schema_name)
        checker = robust(FormatChecker())
        checker.checks("uri")(is_http_url)
        self._validator = OrderedValidator(
            _required_first(schema), registry=schemas.registry(), format_checker=checker
        )
        resolver = schemas.registry().resolver(base_uri=schema.get("$id", ""))
        self._shape = _shape(schema, resolver, {})
        # The happy path: a compiled predicate; jsonschema only when it refuses (to build the error body).
        self._fast = compile_schema(schema, resolver, checker)

    def errors(self, body: Any, max_listed: int | None = None) -> dict[str, Any] | None:
        """None when valid, else the DRF-shaped error body (a dict) to send with status 400: the first
        ``max_listed`` problems (in schema order), and a ``non_field_errors`` line saying how many more."""
        try:
            if (self._fast is not None and self._fast(body)) or self._validator.is_valid(body):
                return None
            cap = None if max_listed is None else COUNTED_PER_LISTED * max(max_listed, 1)
            found, stopped = self._collect(self._validator.iter_errors(body), cap)
            return self._build(found, max_listed, stopped)
        except ValueError:  # jsonschema's messages repr() the instance: ints past the str() digit limit
            return {NON_FIELD: ["Invalid data: a number has too many digits."]}

    def clean(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new dict of the schema's declared keys only, with absent ``default``s filled, as DRF's
        validated_data; untouched values (e.g. a DictField's content) are shared with ``body``, never changed."""
        cleaned = _clean(body, self._shape, 0)
        assert isinstance(cleaned, dict)  # a valid body is an object, and cleaning keeps its type
        return cleaned

    def _collect(
        self, errors: Iterable[ValidationError], cap: int | None = None
    ) -> tuple[dict[Path, tuple[Any, list[tuple[str, str]]]], bool]:
        """Messages by the instance path they are reported at (``required`` at the missing child's path), and
        whether collecting stopped at ``cap`` paths with a problem at one more path seen (not counted)."""
        found: dict[Path, tuple[Any, list[tuple[str, str]]]] = {}
        for error in errors:
            for path, instance, kind, text in _entries(error):
                if path not in found and cap is not None and len(found) >= cap:
                    return found, True
                found.setdefault(path, (instance, []))[1].append((kind, text))
        return found, False

    def _build(
        self, found: dict[Path, Any], max_listed: int | None = None, stopped: bool = False
    ) -> dict[str, Any]:
        """Nest the messages in schema property order; a list's own errors yield to its items' (DRF's order)."""
        parents = {path[:i] for path in found for i in range(len(path))}
        shown = [
            path
            for path in sorted(found, key=self._sort_key)
            if not (isinstance(found[path][0], list) and path in parents)
        ]
        hidden = len(shown) - max_listed if max_listed is not None and len(shown) > max_listed else 0
        body: dict[str, Any] = {}
        if hidden:
            shown = shown[:max_listed]
            # Stopped: the uncounted problem seen past the cap is one more, so "at least hidden + 1".
            more = f"At least {hidden + 1} more" if stopped else f"{hidden} more"
            counting = f" (counting stopped at {len(found)})" if stopped else ""
            body[NON_FIELD] = [f"{more} problems are not listed{counting}; the first {max_listed} are."]
        for path in shown:
            entries = found[path][1]
            kinds = {kind for kind, _ in entries}
            exclusive = next((k for k in _EXCLUSIVE if k in kinds), None)
            texts = [text for kind, text in entries if exclusive is None or kind == exclusive]
            _insert(body, [str(segment) for segment in path], list(dict.fromkeys(texts)))
        return body or {NON_FIELD: ["Invalid data."]}

    def _sort_key(self, path: Path) -> list[tuple[int, str]]:
        """Each step's position: schema property order, list index; non_field_errors first, unknown keys last."""
        shape: _Shape | None = self._shape
        key: list[tuple[int, str]] = []
        for segment in path:
            if isinstance(segment, int):
                key.append((segment, ""))
                shape = shape.items if shape is not None else None
            elif segment == NON_FIELD:
                key.append((-1, ""))
            elif shape is not None and shape.props is not None and segment in shape.props:
                key.append((shape.index[segment], ""))
                shape = shape.props[segment]
            else:
                key.append((1 << 30, segment))
                shape = None
        return key


def _insert(body: dict[str, Any], keys: list[str], texts: list[str]) -> None:
    """Place ``texts`` at ``keys``; where a field holds both messages and nested errors the messages go in its
    ``non_field_errors``, so the result is always valid against error_fields.schema.json."""
    node = body
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {NON_FIELD: child} if isinstance(child, list) else {}
        node = child
    existing = node.get(keys[-1])
    if isinstance(existing, dict):
        node, existing = existing, existing.get(NON_FIELD)
        keys = [NON_FIELD]
    merged = (existing or []) + [t for t in texts if t not in (existing or [])]
    node[keys[-1]] = merged


def _clean(value: Any, shape: _Shape, depth: int) -> Any:
    if depth > MAX_CLEAN_DEPTH:
        return value
    if shape.integer and isinstance(value, float):  # 5.0 is a valid integer: store 5, as DRF's IntegerField
        return int(value)
    if shape.props is not None and isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, sub in shape.props.items():
            if name in value:
                out[name] = _clean(value[name], sub, depth + 1)
            elif name in shape.defaults:
                out[name] = copy.deepcopy(shape.defaults[name])
        return out
    if shape.items is not None and isinstance(value, list):
        return [_clean(item, shape.items, depth + 1) for item in value]
    return value
