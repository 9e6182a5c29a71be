"""Admin API for the event feed (``GET /__admin/events``, Server-Sent Events) and a job's whole timeline.

The view is a plain streaming WSGI response: the framing, filtering and bounded waits are the service's
(``MockService.event_frames``), so another HTTP server can serve the same feed natively.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from mockserver.service.events import EventFilter
from mockserver.web import streaming
from mockserver.web.admin.auth import check_token
from mockserver.web.admin.feedbody import FeedBody
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response

bp = Blueprint("admin_events", __name__, url_prefix="/__admin")
bp.before_request(check_token)
FEED_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
MAX_KINDS = 32


def _filter() -> EventFilter:
    kinds = tuple(k.strip() for k in ",".join(request.args.getlist("kind")).split(",") if k.strip())
    if len(kinds) > MAX_KINDS:
        raise ApiError(400, body={"kind": [f"At most {MAX_KINDS} kinds; got {len(kinds)}."]})
    return EventFilter(request.args.get("job_id") or None, kinds)


def _since() -> int | None:
    """``Last-Event-ID`` (what a reconnecting EventSource sends), or ``?since=SEQ``; None: from now on."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("since")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(400, body={"since": [f"An event id (a whole number >= 0) is required; got {raw!r}."]})
    return int(raw)


@bp.get("/events")
def events() -> Response:
    """The feed as Server-Sent Events: ``?job_id=`` and ``?kind=`` (repeatable or comma-separated) filter it."""
    wanted, since = _filter(), _since()
    body = FeedBody(lambda gone: service().event_frames(since, wanted, gone))
    return Response(
        streaming.defer(request.environ, body), 200, content_type="text/event-stream", headers=FEED_HEADERS
    )


@bp.get("/events/recent")
def recent() -> Response:
    """The newest events still kept, oldest first, as JSON (``?limit=``, default 200, and the same filters)."""
    raw = request.args.get("limit", "200")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise ApiError(400, body={"limit": [f"A whole number from 1 to 10000 is required; got {raw!r}."]})
    return json_response(service().recent_events(_filter(), int(raw)))


@bp.get("/overview/jobs")
def overview() -> Response:
    """The dashboard's job list: ``?account= &status= &family= &q= &limit=`` (default 200), counts per status."""
    args = request.args
    raw = args.get("limit", "200")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise ApiError(400, body={"limit": [f"A whole number from 1 to 10000 is required; got {raw!r}."]})
    found = service().job_overview(
        args.get("account") or None,
        args.get("status") or None,
        args.get("family") or None,
        args.get("q") or None,
        int(raw),
    )
    return json_response(found)


@bp.get("/jobs/<job_id>/timeline")
def timeline(job_id: str) -> Response:
    """One job with its states, stream, webhook deliveries, the calls about it and the rule that shaped it."""
    found = service().job_timeline(job_id)
    if found is None:
        raise ApiError(404, "Not found.")
    return json_response(found)
