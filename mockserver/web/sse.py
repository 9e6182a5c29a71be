"""The ``/sse/text_generator/`` family: async or sync create, list, read, and the Server-Sent-Events stream.

Views parse, call the service, serialize. Every error before the first event is a plain JSON ``{"error": ...}``
answer (``families.shaped`` words the shared steps' errors so); once a stream has begun it only sends events.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import Blueprint, Flask, Response, g, request
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

from mockserver.core import jsonio
from mockserver.core.streams import Abort, Stream
from mockserver.service import MockService
from mockserver.web import streaming
from mockserver.web.accesslog import annotate
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response, read_json

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
    body = read_json(request, svc.settings.max_body_bytes)
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
    else:
        with streaming.host(request.environ).hold():  # this worker waits: the pool gets one more meanwhile
            job = svc.create_sse(g.account, cleaned, webhook_url, rule, sync=True)
    annotate(request.environ, job_id=job["id"])
    return json_response(job, 201)


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
    events = Events(opened, streaming.host(request.environ), request.environ)
    return Response(events, 200, content_type="text/event-stream", headers=STREAM_HEADERS)


def encode(chunk: Mapping[str, Any]) -> bytes:
    return EVENT_PREFIX + jsonio.dumps(chunk) + EVENT_END


class Events:
    """The response body of a stream: each chunk framed and flushed as it is produced; ``close`` (called by
    the server when the client leaves, or at the end) stops the stream, never the job."""

    def __init__(self, stream: Stream, host: streaming.StreamHost, environ: Mapping[str, Any]) -> None:
        self._stream = stream
        self._host = host
        self._environ = environ

    def __iter__(self) -> Iterator[bytes]:
        with self._host.hold():
            self._host.begin(self._environ)  # status and headers now, not with the first chunk
            for chunk in self._stream.chunks:
                if isinstance(chunk, str):  # a replayed recording: the bytes as the target sent them
                    yield chunk.encode("utf-8")
                    self._host.flush(self._environ)
                    continue
                if isinstance(chunk, Abort):
                    self._host.abort(self._environ)
                    return
                yield encode(chunk)
                self._host.flush(self._environ)

    def close(self) -> None:
        self._stream.close()


def register(app: Flask) -> None:
    app.register_blueprint(bp)
