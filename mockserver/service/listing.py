"""The facade's lists: the API's job lists (bounded) and the admin API's pages of jobs, calls and deliveries.

A part of ``MockService`` (a mixin, so there is still one facade to call). The API's lists keep their documented
plain array, bounded to the account's newest ``max_list_jobs`` (``?ids=`` still reaches any job). The admin lists
are pages: ``limit`` items after an opaque cursor, and the cursor of the next page (None on the last).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockserver.config.settings import Settings
from mockserver.core.clock import Clock
from mockserver.core.journal import Journal
from mockserver.core.models import Job
from mockserver.core.storage.base import JobRepository
from mockserver.webhooks.dispatcher import Dispatcher

Rows = list[dict[str, Any]]
#: A page of an admin list, and the cursor of the next one (None on the last page).
Page = tuple[Rows, str | None]


class ListOperations:
    """Lists and pages of ``MockService``."""

    settings: Settings
    store: JobRepository
    clock: Clock
    journal: Journal
    webhooks: Dispatcher

    def list(self, account: str | None, ids: Sequence[str] | None = None) -> Rows:
        """An account's jobs, newest first: its newest ``max_list_jobs`` unless ``ids`` names them; every job
        of every account when ``account`` is None (``MockServer.jobs``)."""
        bound = self.settings.max_list_jobs if account is not None and ids is None else None
        return self.store.snapshot(self.clock.now_us(), account, ids, limit=bound)

    def list_sse(self, account: str | None) -> Rows:
        """The /sse/ family's list: the same bound, each job as that family shows it."""
        bound = self.settings.max_list_jobs if account is not None else None
        return self.store.snapshot(self.clock.now_us(), account, None, Job.to_sse, limit=bound)

    def jobs_page(self, account: str | None, limit: int, cursor: int | None) -> Page:
        """Jobs newest first (of one account, or all), a page at a time; the cursor is a job's ``seq``."""
        rows = self.store.snapshot(
            self.clock.now_us(), account, None, _with_seq, limit=limit + 1, before_seq=cursor
        )
        seqs = [row.pop("__seq") for row in rows]
        more = len(rows) > limit
        return rows[:limit], str(seqs[limit - 1]) if more else None

    def requests_page(self, limit: int, cursor: int | None, **filters: Any) -> Page:
        """Journaled calls newest first (the filters of ``Journal.entries``); the cursor is an entry's id."""
        rows = self.journal.entries(**filters, before_id=cursor, limit=limit + 1)
        more = len(rows) > limit
        return rows[:limit], str(rows[limit - 1]["id"]) if more else None

    def deliveries_page(self, job_id: str | None, limit: int, cursor: int | None) -> Page:
        """The delivery log oldest first, a page at a time."""
        rows, after = self.webhooks.log.page(job_id, cursor, limit)
        return rows, None if after is None else str(after)


def _with_seq(job: Job) -> dict[str, Any]:
    """The admin view of a job with its ``seq`` on the side (taken off before it is shown)."""
    return {**job.to_api(), "__seq": job.seq}
