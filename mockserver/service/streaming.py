"""The facade's operations for the ``/sse/`` family: its validation, sync waiting and paced streams.

Holding and releasing streams by hand is ``service.stream_control``. A part of ``MockService`` (a mixin, so there is still one facade to call). Waiting never holds a lock: a thread
sleeps on its own event (``core.waiters``) until the job may have moved, the clock is due, or the wait ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from mockserver.config.settings import Settings
from mockserver.core.clock import Clock
from mockserver.core.events import EventFeed
from mockserver.core.models import Family, Job, JobStatus, Schedule
from mockserver.core.scenarios import Rule
from mockserver.core.storage.base import JobRepository
from mockserver.core.streams import ABORT, Abort, Chunk, Stream, StreamBook, StreamFaults
from mockserver.core.waiters import Steps, Wait, Waiters, finish
from mockserver.generation.stream import ChunkMaker, due_times, failed_finish_reason, response_id, split
from mockserver.generation.text import Generator, prompt_tokens
from mockserver.generation.tools import ToolError, parse_toolbox
from mockserver.replay import ReplayBook
from mockserver.replay import stream as replay_stream
from mockserver.validation.drf import RequestValidator
from mockserver.validation.sse import INVALID_BODY, invalid_body, model_not_found

TERMINAL = (JobStatus.DONE.value, JobStatus.FAILED.value)
#: A recorded stream's offsets are brought forward to this many seconds at most (as ``replay.stream.replay``).
MAX_REPLAY_WAIT = 600.0


def _status(job: Job) -> dict[str, Any]:
    """The cheapest view: a stream looks at its job on every wake, and only needs to know whether it ended."""
    return {"status": job.status.value}


def _tool_error(body: Any) -> str | None:
    """What Gemini would refuse in the body's ``tools``/``tool_config`` (None: nothing, or not their shape)."""
    if not isinstance(body, dict):
        return None
    try:
        parse_toolbox(body.get("tools"), body.get("tool_config"))
    except ToolError as exc:
        return str(exc)
    except TypeError:  # not even lists where lists belong: the schema's message says it
        return None
    return None


class SseOperations:
    """``/sse/`` operations of ``MockService``."""

    settings: Settings
    clock: Clock
    store: JobRepository
    generator: Generator
    waiters: Waiters
    streams: StreamBook
    events: EventFeed
    _chunk_event: Callable[..., None]  # ``service.stream_control``
    _closing: threading.Event
    _validators: dict[str, RequestValidator]
    replay: ReplayBook | None

    def body_errors(self, schema: str, body: Any) -> dict[str, Any] | None:
        raise NotImplementedError  # MockService's

    def _new_job(
        self,
        account: str,
        request: dict[str, Any],
        webhook_url: str | None,
        rule: Rule | None,
        family: Family,
    ) -> Job:
        raise NotImplementedError  # MockService's

    def _add(self, job: Job) -> dict[str, Any]:
        raise NotImplementedError  # MockService's

    # -- requests ------------------------------------------------------------------------------------------
    def sse_body_error(self, body: Any) -> str | None:
        """None for a body the family accepts, else its 400 message (a field rule, a declaration or
        ``tool_config`` Gemini refuses, or an unsupported model)."""
        errors = self.body_errors("sse_create_request", body)
        refused = _tool_error(body)
        inside_tools = errors is not None and all(
            k in ("tools", "tool_config") and isinstance(v, dict) for k, v in errors.items()
        )
        if refused is not None and (errors is None or inside_tools):
            return f"{INVALID_BODY}: {refused}"  # the declaration's own words beat a schema pattern
        if errors is not None:
            return invalid_body(errors)
        models = self.settings.models
        if models and body["model_name"] not in models:
            return model_not_found(body["model_name"], models)
        return None

    def clean_sse(self, body: dict[str, Any]) -> tuple[dict[str, Any], str | None, bool]:
        """A valid body as stored (tools kept for later, not echoed), its webhook URL, and ``sync``."""
        cleaned = self._validators["sse_create_request"].clean(body)
        return cleaned, cleaned.pop("webhook_url", None), bool(cleaned.pop("sync", False))

    # -- jobs ----------------------------------------------------------------------------------------------
    def create_sse(
        self,
        account: str,
        request: dict[str, Any],
        webhook_url: str | None,
        rule: Rule | None = None,
        sync: bool = False,
    ) -> dict[str, Any]:
        """A new job of the family; with ``sync`` the job once terminal (or as it is after ``--sync-timeout``)."""
        if not sync:
            return self._add(self._new_job(account, request, webhook_url, rule, Family.SSE))
        return finish(self.create_sse_waiting(account, request, webhook_url, rule))

    def create_sse_waiting(
        self, account: str, request: dict[str, Any], webhook_url: str | None, rule: Rule | None = None
    ) -> Steps[dict[str, Any]]:
        """A sync create: the job is created now; the waiting logic (``core.waiters``) returned gives the job
        once terminal (or as it is after ``--sync-timeout``, or when the server stops)."""
        job = self._new_job(account, request, webhook_url, rule, Family.SSE)
        return self._sync_result(job, self._add(job))

    def _sync_result(self, job: Job, view: dict[str, Any]) -> Steps[dict[str, Any]]:
        return (yield from self._wait_terminal(job.id, job.schedule)) or view

    def get_sse(self, account: str | None, job_id: str) -> dict[str, Any] | None:
        return self.store.get(job_id, self.clock.now_us(), account, Job.to_sse)

    def _wait_terminal(self, job_id: str, schedule: Schedule) -> Steps[dict[str, Any] | None]:
        deadline = time.monotonic() + self.settings.sync_timeout
        with self.waiters.watching(job_id) as event:
            while True:
                event.clear()
                view = self.get_sse(None, job_id)
                remaining = deadline - time.monotonic()
                if view is None or view["status"] in TERMINAL or remaining <= 0 or self._closing.is_set():
                    return view
                yield Wait(event, self._nap(remaining, schedule.finish_at))

    def _nap(self, remaining: float, due_us: int | None) -> float:
        """Sleep until ``due_us`` on a real clock; a frozen clock only moves by an admin call, which wakes us."""
        if due_us is None or not self.clock.is_real:
            return remaining
        return min(remaining, max(0.0, (due_us - self.clock.now_us()) / 1_000_000))

    def stop_waiting(self) -> None:
        """Shutdown: every sync call and stream stops waiting now."""
        self._closing.set()
        self.waiters.notify_all()

    # -- streams -------------------------------------------------------------------------------------------
    def open_stream(
        self, account: str, request: dict[str, Any], webhook_url: str | None, rule: Rule | None = None
    ) -> Stream:
        """Create the job now (it lives on if the client goes away) and plan its chunks from its outcome."""
        job = self._new_job(account, request, webhook_url, rule, Family.SSE)
        if rule is not None and rule.recorded_stream is not None:
            # Replaying a recording: its bytes, its pacing, and the job ends as the recorded stream did.
            job.forced = replay_stream.outcome_of(rule.recorded_stream) or job.forced
            self.streams.open(job.id, len(rule.recorded_stream), gated=False)
            view = self._add(job)
            ids = {rule.recorded_job_id: job.id} if rule.recorded_job_id else {}
            speed = self.replay.speed if self.replay is not None else 1.0
            return Stream(view, _paced(rule.recorded_stream, speed, ids), self.streams)
        planned_by_rule = job.forced is not None
        if job.forced is None:  # the stream needs its text now: under the same budget as any generation
            job.forced = self.generator.bounded(request, self.settings.generation_budget)
        outcome = job.forced
        text = outcome.response_text or ""
        word_limit = (
            not planned_by_rule and not outcome.function_calls and self.generator.hit_word_limit(request)
        )
        stop = "MAX_TOKENS" if word_limit else "STOP"
        spec = (rule.spec.get("stream") if rule is not None else None) or {}
        faults = StreamFaults(
            spec.get("drop_after"), float(spec.get("chunk_delay", 0)), spec.get("finish_reason")
        )
        pieces = split(text) if outcome.status is JobStatus.DONE else [""]
        self.streams.open(job.id, len(pieces), gated=job.schedule.running_at is None)
        view = self._add(job)
        self.events.publish(
            "stream.opened", {"chunks": len(pieces), "gated": job.schedule.running_at is None}, job.id
        )
        maker = ChunkMaker(request["model_name"], response_id(job.id), prompt_tokens(request))
        chunks = self._chunks(job.id, job.schedule, pieces, text, stop, faults, maker)
        return Stream(view, chunks, self.streams)

    def _chunks(
        self,
        job_id: str,
        schedule: Schedule,
        pieces: list[str],
        planned_text: str,
        stop_reason: str,
        faults: StreamFaults,
        maker: ChunkMaker,
    ) -> Iterator[Chunk | Abort | Wait]:
        """Text chunks when due (by the clock, or by releases when gated), then the rest and the final chunk
        once the job is terminal. Bounded by ``--sync-timeout``: past it the stream ends without a last chunk."""
        deadline = time.monotonic() + self.settings.sync_timeout
        times = due_times(schedule, len(pieces))
        sent = ""
        count = 0
        try:
            with self.waiters.watching(job_id) as event:
                while True:
                    event.clear()
                    status = self.store.get(job_id, self.clock.now_us(), None, _status)
                    if status is None or self._closing.is_set():
                        return
                    if status["status"] in TERMINAL:
                        view = self.get_sse(None, job_id)
                        if view is None:
                            return
                        break
                    if count < len(pieces) - 1 and self._chunk_due(job_id, count, times):
                        if faults.drop_after is not None and count >= faults.drop_after:
                            yield ABORT
                            return
                        yield from self._delay(faults.chunk_delay)
                        sent += pieces[count]
                        self.streams.sent(job_id, pieces[count])
                        self._chunk_event(job_id, count, pieces[count])
                        yield maker.text(pieces[count], sent)
                        count += 1
                        continue
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return
                    nxt = (
                        times[count] if times is not None and count < len(pieces) - 1 else schedule.finish_at
                    )
                    yield Wait(event, self._nap(remaining, nxt))
            done = view["status"] == JobStatus.DONE.value
            text = (view["response_text"] or "") if done else None
            calls = view["response_function_calls"] if done else []
            rest = split(text[len(sent) :]) if text is not None and text.startswith(sent) else [None]
            for piece in rest[:-1]:
                if faults.drop_after is not None and count >= faults.drop_after:
                    yield ABORT
                    return
                yield from self._delay(faults.chunk_delay)
                sent += piece or ""
                self._chunk_event(job_id, count, piece or "")
                yield maker.text(piece or "", sent)
                count += 1
            if faults.drop_after is not None and count >= faults.drop_after:
                yield ABORT
                return
            last = rest[-1]
            sent += last or ""
            if text is None:
                reason = faults.finish_reason or failed_finish_reason(view["failed_reason"])
            else:
                planned = text == planned_text and not calls
                reason = faults.finish_reason or (stop_reason if planned else "STOP")
            creatify = {"id": job_id, "credits_used": view["credits_used"], "status": view["status"]}
            yield from self._delay(faults.chunk_delay)
            self._chunk_event(job_id, count, last or "", reason)
            yield maker.last(last, sent, reason, creatify, calls)
        finally:
            self.streams.close(job_id)
            self.events.publish("stream.closed", {"sent": count}, job_id)

    def _chunk_due(self, job_id: str, index: int, times: list[int] | None) -> bool:
        if times is None:
            return self.streams.released(job_id) > index
        return self.clock.now_us() >= times[index]

    def _delay(self, seconds: float) -> Iterator[Wait]:
        if seconds > 0 and not self._closing.is_set():
            yield Wait(None, seconds)


def _paced(chunks: Any, speed: float, ids: dict[str, str]) -> Iterator[str | Wait]:
    """A recorded stream's texts, each when due (``replay.stream.schedule``), its waits left to the driver."""
    start = time.monotonic()
    for offset, text in replay_stream.schedule(chunks, speed):
        wait = start + min(offset, MAX_REPLAY_WAIT) - time.monotonic()
        if wait > 0:
            yield Wait(None, wait)
        yield replay_stream.swap_ids(text, ids)
