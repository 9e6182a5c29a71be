"""The recording format: JSON Lines written by ``creatify-mock record``, read by replay and calibrate.

The first line is a header (``{"type": "recording", "format": 1, "target": ...}``), every further line one
exchange: the request as the client sent it minus its credentials, the target's answer, when it happened, and
for a streamed answer its chunks with their offsets. ``schemas/recording_line.schema.json`` is its contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from mockserver.contract import schemas

FORMAT = 1


class RecordingError(ValueError):
    """A recording the mock cannot use; the message names the file, the line and the field."""


@dataclass
class Chunk:
    """One piece of a streamed answer as it arrived: ``offset_ms`` after the request was sent upstream."""

    offset_ms: float
    text: str


@dataclass
class Exchange:
    """One call through the recording proxy and the target's answer."""

    seq: int
    at: float  # seconds after the recording started (monotonic), when the request arrived
    method: str
    path: str
    query: str
    origin: str  # "client": a caller's call; "follow": the proxy's own poll (--follow-jobs)
    account: str | None  # "account-1", … per distinct X-API-ID; never the id itself
    auth: str  # "missing" (no X-API-ID or X-API-KEY) or "present"
    request_headers: dict[str, str]
    request_body: Any
    status: int
    response_headers: dict[str, str]
    response_body: Any
    duration_ms: float
    first_byte_ms: float | None = None
    chunks: list[Chunk] | None = None
    error: str | None = None  # the proxy could not reach the target (status is then 502)
    type: str = field(default="exchange")

    @property
    def family(self) -> str:
        """``api`` or ``sse``: the first path segment."""
        return self.path.strip("/").split("/", 1)[0]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.chunks is None:
            data.pop("chunks")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exchange:
        raw = dict(data)
        chunks = raw.pop("chunks", None)
        return cls(**raw, chunks=None if chunks is None else [Chunk(**c) for c in chunks])


@dataclass
class Recording:
    """A parsed recording: where it came from and its exchanges in the order they were written."""

    path: str
    header: dict[str, Any]
    exchanges: list[Exchange]


def header(target: str, started_at: str, follow_jobs: bool) -> dict[str, Any]:
    return {
        "type": "recording",
        "format": FORMAT,
        "target": target,
        "started_at": started_at,
        "follow_jobs": follow_jobs,
    }


def dumps_line(data: dict[str, Any]) -> bytes:
    """One JSON line (no NaN, UTF-8, ending in a newline)."""
    return orjson.dumps(data) + b"\n"


def read(path: str | Path) -> Recording:
    """Every line of a recording, each checked against the schema; RecordingError names the bad line."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RecordingError(f"cannot read recording {path}: {exc.strerror}") from None
    lines = list(_lines(raw, str(path)))
    if not lines or lines[0][1].get("type") != "recording":
        raise RecordingError(f"{path}: line 1 must be the recording header written by creatify-mock record")
    head = lines[0][1]
    if head.get("format") != FORMAT:
        raise RecordingError(
            f"{path}: recording format {head.get('format')!r}; this mock reads format {FORMAT}"
        )
    return Recording(str(path), head, [Exchange.from_json(data) for _, data in lines[1:]])


def _lines(raw: bytes, where: str) -> Iterator[tuple[int, dict[str, Any]]]:
    validator: Draft202012Validator = schemas.validator("recording_line")
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise RecordingError(f"{where}: line {number} is not JSON: {exc}") from None
        error = best_match(validator.iter_errors(data))
        if error is not None:
            at = "/".join(str(p) for p in error.absolute_path) or "(the line itself)"
            raise RecordingError(f"{where}: line {number}: field {at}: {error.message}")
        yield number, data
