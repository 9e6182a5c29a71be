"""Pages of the admin lists (``/__admin/jobs``, ``/__admin/requests``, ``/__admin/webhooks``).

The body stays a plain JSON array (what clients of these lists already read); ``?limit=`` (default
``--admin-page-size``) and ``?cursor=`` choose the page, and the next page's cursor comes in ``X-Next-Cursor`` and
a ``Link: <...>; rel="next"`` header, both absent on the last page (the dashboard reads them).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request

from mockserver.core.paging import parse_cursor
from mockserver.web.context import service
from mockserver.web.http import ApiError, json_response

#: The largest page a client may ask for (or ``--admin-page-size``, when that is larger).
MAX_LIMIT = 1000


def page_args() -> tuple[int, int | None]:
    """``limit`` and the decoded ``cursor`` of this call; a 400 naming the parameter when either is bad."""
    default = service().settings.admin_page_size
    most = max(MAX_LIMIT, default)
    errors: dict[str, list[str]] = {}
    limit = default
    raw = request.args.get("limit", "").strip()
    if raw:
        limit = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0
        if not 1 <= limit <= most:
            errors["limit"] = [f"{raw!r} is not a page size: use a whole number from 1 to {most}."]
    try:
        cursor = parse_cursor(request.args.get("cursor"))
    except ValueError as exc:
        errors["cursor"] = [str(exc)]
    if errors:
        raise ApiError(400, body=errors)
    return limit, cursor


def paged(rows: list[dict[str, object]], next_cursor: str | None) -> Response:
    """The page as a plain array, with the next page's cursor in the headers unless this is the last page."""
    if next_cursor is None:
        return json_response(rows)
    args = request.args.to_dict(flat=False)
    args["cursor"] = [next_cursor]
    link = f"{request.base_url}?{urlencode(args, doseq=True)}"
    return json_response(rows, headers={"X-Next-Cursor": next_cursor, "Link": f'<{link}>; rel="next"'})
