"""The ``/sse/text_generator/`` family: async or sync create, list, read, and the Server-Sent-Events stream.

Views parse, call the service, serialize. Every error before the first event is a plain JSON ``{"error": ...}``
answer (``families.shaped`` words the shared steps' errors so); once a stream has begun it only sends events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, MutableMapping
from typing import Any

from flask import Blueprint, Flask, Response, g, request
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

from mockserver.core import jsonio, waiters
from mockserver.core.limits import LimitExceeded
from mockserver.core.streams import Abort, Stream
from mockserver.service import MockService
from mockserver.validation.sse import invalid_body
from mockserver.web import streaming
from mockserver.web.accesslog import annotate
from mockserver.web.context import service
from mockserver.web.http import ApiError, count_limits, json_response, read_json

bp = Blueprint("sse", __name__, url_prefix="/sse/text_generator")


class JobIdConverter(BaseConverter):
    """A path segment that is not ``stream``: ``GET /sse/text_generator/stream/`` is a 405, not a job lookup."""

    regex = r"(?!stream/?\Z)[^/]+"


@bp.record_once
def _converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["sse_job_id"] = JobIdConverter


#: How Google frames ``streamGenerateContent?alt=sse``: one ``data:`` line of JSON, CRLF line ends.
EVENT_PREFIX, EVENT_END = b"data: ", b"\r\n\r\n"
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _body(svc: MockService) -> tuple[dict[str, Any], str | None, bool]:
    try:
        body = read_json(request, svc.settings.max_body_bytes, count_limits(svc.settings).check)
    except LimitExceeded as exc:  # the family's one-string error, naming the limit
        raise ApiError(400, body={"error": invalid_body({exc.field: [exc.message]})}) from None
    error = svc.sse_body_error(body)
    if error is not None:
        raise ApiError(400, body={"error": error})
    return svc.clean_sse(body)


@bp.post("/")
def create() -> Response:
    svc = service()
    cleaned, webhook_url, sync = _body(svc)
    rule = g.get("scenario_rule")
    if not sync:
        job = svc.create_sse(g.account, cleaned, webhook_url, rule)
        annotate(request.environ, job_id=job["id"])
        return json_response(job, 201)
    steps = svc.create_sse_waiting(g.account, cleaned, webhook_url, rule)  # the job exists from here on
    answer = streaming.defer(request.environ, SyncAnswer(steps))
    return Response(answer, 201, content_type="application/json")


@bp.get("/<sse_job_id:job_id>/")
def read(job_id: str) -> Response:
    job = service().get_sse(g.account, job_id)
    if job is None:
        raise ApiError(404, body={"error": "Not found."})
    return json_response(job)


@bp.get("/")
def list_jobs() -> Response:
    return json_response(service().list_sse(g.account))


@bp.post("/stream/")
def stream() -> Response:
    svc = service()
    cleaned, webhook_url, _sync = _body(svc)  # ``sync`` means nothing on a stream: it always waits
    opened = svc.open_stream(g.account, cleaned, webhook_url, g.get("scenario_rule"))
    annotate(request.environ, job_id=opened.job["id"])
    events = streaming.defer(request.environ, Events(opened, request.environ))
    return Response(events, 200, content_type="text/event-stream", headers=STREAM_HEADERS)


def encode(chunk: Mapping[str, Any]) -> bytes:
    return EVENT_PREFIX + jsonio.dumps(chunk) + EVENT_END


class SyncAnswer:
    """The body of a sync create: the job once it ends (``--sync-timeout`` bounds the wait), in one piece."""

    whole = True

    def __init__(self, steps: waiters.Steps[dict[str, Any]]) -> None:
        self._steps = steps

    def __iter__(self) -> Iterator[bytes]:
        yield jsonio.dumps(waiters.finish(self._steps))

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield jsonio.dumps(await waiters.finish_async(self._steps))

    def close(self) -> None:
        self._steps.close()  # the client left: stop waiting; the job goes on


class Events:
    """The response body of a stream: each chunk framed as it is produced; ``close`` (called by the server when
    the client leaves, or at the end) stops the stream, never the job."""

    whole = False

    def __init__(self, stream: Stream, environ: MutableMapping[str, Any]) -> None:
        self._stream = stream
        self._environ = environ

    def __iter__(self) -> Iterator[bytes]:
        for chunk in waiters.blocking(self._stream.chunks):
            data = self._frame(chunk)
            if data is None:
                return
            yield data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in waiters.nonblocking(self._stream.chunks):
            data = self._frame(chunk)
            if data is None:
                return
            yield data

    def _frame(self, chunk: Any) -> bytes | None:
        """The bytes of one chunk; None once the stream must end with a dropped connection."""
        if isinstance(chunk, str):  # a replayed recording: the bytes as the target sent them
            return chunk.encode("utf-8")
        if isinstance(chunk, Abort):
            streaming.host(self._environ).abort(self._environ)
            return None
        return encode(chunk)

    def close(self) -> None:
        self._stream.close()


def register(app: Flask) -> None:
    app.register_blueprint(bp)
