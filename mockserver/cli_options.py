"""``serve`` option groups kept apart from ``cli.py``: what the mock lets others reach and how much one request
or account may cost (``docs/security.md``); recorded behaviour (replay, what ``calibrate`` writes).

Kept apart from ``cli.py`` so that module stays one screenful per concern; every option here is a setting
(``CREATIFY_MOCK_<NAME>``, the config file) documented in ``docs/security.md``.
"""

from __future__ import annotations

import argparse

from mockserver.cli_groups import grouped


def add_safety_options(serve: argparse.ArgumentParser) -> None:
    """The admin API's exposure, request count limits, admin pages and fair generation."""
    add = grouped(serve)
    add(
        "--admin-cors-origins",
        help="origins allowed to call /__admin/ from a browser, comma-separated (default: none)",
    )
    add(
        "--allow-open-admin",
        action="store_const",
        const=True,
        help="serve on a non-loopback --host without --admin-token (anyone who can reach it controls the mock)",
    )
    add("--max-messages", type=int, help="messages one request may hold (default 2000)")
    add("--max-tools", type=int, help="entries of tools one request may hold (default 128)")
    add(
        "--max-function-declarations",
        type=int,
        help="function declarations across all tools of one request (default 512)",
    )
    add(
        "--max-container-items",
        type=int,
        help="members of any one JSON object or array in a request body (default 10000)",
    )
    add("--max-errors-listed", type=int, help="problems a 400 body lists before 'and N more' (default 20)")
    add("--admin-page-size", type=int, help="items per page of the admin lists without ?limit= (default 100)")
    add(
        "--max-list-jobs",
        type=int,
        help="newest jobs GET /api/text_generator/ answers at most; ?ids= reaches any (default 1000)",
    )
    add(
        "--generation-queue",
        type=int,
        help="slow generations one account may have queued; over it a job fails at once (default 16)",
    )


def add_replay_options(serve: argparse.ArgumentParser) -> None:
    """``serve`` options for recorded behaviour: replaying a recording, and what ``calibrate`` writes."""
    add = grouped(serve)
    add(
        "--replay",
        metavar="FILE",
        help="answer creates that match a recording (creatify-mock record) as recorded",
    )
    add("--replay-speed", type=float, help="replayed timelines run this many times faster (default 1)")
    add("--replay-strict", action="store_const", const=True, help="a create no recording matches is a 404")
    add(
        "--credentials-error-status",
        type=int,
        help="status of missing/wrong credentials answers (default 401)",
    )
    add("--missing-credentials-body", help="JSON body of the missing-credentials answer (DRF's by default)")
    add("--wrong-credentials-body", help="JSON body of the wrong-credentials answer (DRF's by default)")
    add(
        "--credit-rates",
        action="append",
        metavar="MODEL=RATE",
        help="credits per 1,000 tokens for model names containing MODEL, repeatable (before the built-in rates)",
    )
