"""Admin API for the request journal: ``GET /__admin/requests`` (filtered, newest first) and ``DELETE``."""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from mockserver.core.clock import parse_time
from mockserver.web.admin.auth import check_token
from mockserver.web.admin.paging import page_args, paged
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response

bp = Blueprint("admin_journal", __name__, url_prefix="/__admin/requests")
bp.before_request(check_token)

_STATUS = re.compile(r"[1-5](?:[0-9]{2}|xx)", re.IGNORECASE)
#: An unencoded ``+02:00`` offset arrives as `` 02:00`` in a query string; take it back.
_LOST_PLUS = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")


@bp.get("")
def requests() -> Response:
    """``?path=`` (exact, or a prefix ending in ``*``), ``?method=``, ``?status=`` (``201`` or ``4xx``),
    ``?since=`` (ISO time, inclusive), ``?api_id=``; a page at a time (``limit``, ``cursor``)."""
    args = request.args
    errors: dict[str, list[str]] = {}
    status = args.get("status") or None
    if status is not None and not _STATUS.fullmatch(status):
        errors["status"] = [f"{status!r} is not a status: use a code such as 201, or a class such as 4xx."]
    since_us = None
    if args.get("since"):
        try:
            since_us = parse_time(_LOST_PLUS.sub(r"\1+\2", args["since"].strip()))
        except ValueError:
            errors["since"] = [f"{args['since']!r} is not an ISO 8601 time such as 2026-01-01T00:00:00Z."]
    if errors:
        raise ApiError(400, body=errors)
    limit, cursor = page_args()
    rows, next_cursor = service().requests_page(
        limit,
        cursor,
        path=args.get("path") or None,
        method=args.get("method") or None,
        status=status,
        since_us=since_us,
        api_id=args.get("api_id") or None,
    )
    return paged(rows, next_cursor)


@bp.delete("")
def clear() -> Response:
    return json_response({"deleted": service().clear_requests()})
