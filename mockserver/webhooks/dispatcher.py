"""The webhook dispatcher: a bounded queue per job, worker threads, retries with backoff, faults, a log.

Events of one job go out in order: a job's next event waits until the previous one is delivered or given up
(unless reordering was asked for). Different jobs never wait on each other beyond the worker pool's size.
``on_transition`` runs under the store's lock, so it only enqueues.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from mockserver.config.settings import Settings
from mockserver.core import jsonio
from mockserver.core.clock import Clock, isoformat
from mockserver.core.models import Job
from mockserver.core.secrets import MASKED_TARGET, is_masked
from mockserver.webhooks.delivery import AttemptResult, post
from mockserver.webhooks.delivery import headers as attempt_headers
from mockserver.webhooks.egress import EgressPolicy
from mockserver.webhooks.events import Delivery, log_entry
from mockserver.webhooks.faults import Decision, FaultPlan
from mockserver.webhooks.log import DeliveryLog

log = logging.getLogger("creatify_mock.webhooks")
HOLD_LIMIT = 60.0  # a running event held back for reordering is sent anyway after this many seconds
MAX_GAP = 3600.0  # no retry waits longer than an hour, whatever the backoff and attempt count
NO_FAULTS = Decision(drop=False, duplicate=False, delay=0.0, reorder=False)


class Dispatcher:
    """Queues events per job, sends them from a worker pool, retries with capped backoff, logs every attempt."""

    def __init__(self, settings: Settings, clock: Clock, user_agent: str) -> None:
        self.settings, self._clock, self._user_agent = settings, clock, user_agent
        self.faults = FaultPlan(settings)
        self.egress = EgressPolicy.parse(settings.webhook_allow_hosts)
        self.log = DeliveryLog(settings.webhook_log_size)
        self._cv = threading.Condition()
        self._queues: dict[str, deque[Delivery]] = {}
        self._ready: list[tuple[float, int, str]] = []
        self._busy: set[str] = set()
        self._held: dict[str, tuple[float, Delivery]] = {}
        self._queued = self._seq = self._epoch = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.error: BaseException | None = None
        self.before_send: Callable[[], object] = lambda: None  # persistence: the event is saved first

    # -- intake (under the store lock: no I/O, no waiting) -------------------------------------------------
    def on_transition(self, view: dict[str, Any], job: Job) -> None:
        if job.webhook_url is None or (
            self.settings.webhook_events == "terminal" and not job.status.terminal
        ):
            return
        self.enqueue(job.webhook_url, view)

    def enqueue(
        self,
        url: str,
        view: dict[str, Any],
        delivery_id: str | None = None,
        prior_attempts: int = 0,
        faults: bool | None = None,
    ) -> str:
        """Queue one event; a redelivery passes its id and attempts so far (numbering goes on) and gets no
        faults unless ``faults`` says so (an event from the shared store's stream comes with its id)."""
        job_id, event = view["id"], view["status"]
        rng = self.faults.rng(job_id, event)
        new = delivery_id is None if faults is None else faults
        decision = self.faults.decide(rng) if new else NO_FAULTS
        delivery_id = delivery_id or str(uuid.UUID(int=rng.getrandbits(128), version=4))
        delivery = Delivery(
            delivery_id,
            job_id,
            event,
            url,
            jsonio.dumps(view),
            time.monotonic() + decision.delay,
            decision.duplicate,
        )
        delivery.attempts = delivery.prior = prior_attempts
        delivery.rng_jitter = [
            rng.uniform(0, 0.25) for _ in range(prior_attempts + self.settings.webhook_max_attempts)
        ]
        entry = log_entry(delivery, view, decision, isoformat(self._clock.now_us()))
        if self.log.get(delivery_id) is None:
            self.log.add(entry)
        else:
            self.log.update(delivery_id, state="pending")
        if decision.drop:
            self.log.update(delivery_id, state="dropped", error="dropped on purpose (--webhook-drop-rate)")
            return delivery_id
        with self._cv:
            delivery.epoch = self._epoch
            if self._queued >= self.settings.webhook_queue_size:
                self.log.update(
                    delivery_id, state="abandoned", error="webhook queue full (--webhook-queue-size)"
                )
                return delivery_id
            if event == "running" and decision.reorder:
                self._held[job_id] = (time.monotonic(), delivery)
                self.log.update(delivery_id, faults={**entry["faults"], "reordered": True})
            else:
                self._append(delivery)
                held = self._held.pop(job_id, None) if event != "running" else None
                if held is not None:
                    self._append(held[1])
            self._cv.notify()
        self._start()
        return delivery_id

    def _append(self, delivery: Delivery) -> None:
        queue = self._queues.setdefault(delivery.job_id, deque())
        queue.append(delivery)
        self._queued += 1
        if len(queue) == 1 and delivery.job_id not in self._busy:
            self._push(delivery)

    def _push(self, delivery: Delivery) -> None:
        self._seq += 1
        heapq.heappush(self._ready, (delivery.not_before, self._seq, delivery.job_id))

    # -- the loop and the workers --------------------------------------------------------------------------
    def _start(self) -> None:
        with self._cv:
            if self._thread is not None or self._stopping:
                return
            self._pool = ThreadPoolExecutor(
                self.settings.webhook_workers, thread_name_prefix="creatify-mock-webhook"
            )
            self._thread = threading.Thread(target=self._run, name="creatify-mock-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                with self._cv:
                    while not self._stopping:
                        now = time.monotonic()
                        self._release_stale_holds(now)
                        if self._ready and self._ready[0][0] <= now:
                            break
                        wait = min(self._ready[0][0] - now, 0.5) if self._ready else 0.5
                        self._cv.wait(wait)
                    if self._stopping:
                        return
                    _, _, job_id = heapq.heappop(self._ready)
                    queue = self._queues.get(job_id)
                    if not queue or job_id in self._busy:
                        continue
                    self._busy.add(job_id)
                    delivery = queue[0]
                assert self._pool is not None
                self._pool.submit(self._attempt, delivery)
        except BaseException as exc:  # surfaced through .error and the log
            self.error = exc
            log.exception("webhook dispatcher failed")

    def _release_stale_holds(self, now: float) -> None:
        for job_id, (since, delivery) in list(self._held.items()):
            if now - since > HOLD_LIMIT:
                del self._held[job_id]
                self._append(delivery)

    def _attempt(self, delivery: Delivery) -> None:
        try:
            self._send_and_settle(delivery)
        except BaseException as exc:
            self.error = exc
            log.exception("webhook attempt failed unexpectedly")
            with self._cv:  # never leave the job marked busy: its later events must still go out
                self._busy.discard(delivery.job_id)
                self._cv.notify()

    def _send_and_settle(self, d: Delivery) -> None:
        d.attempts += 1
        result = self._send(d, d.attempts)
        retry_at: float | None = None
        if not result.ok and not result.final and d.attempts - d.prior < self.settings.webhook_max_attempts:
            exponent = min(d.attempts - 1, 30)
            gap = self.settings.webhook_backoff * 2**exponent * (1 + d.rng_jitter[d.attempts - 1])
            retry_at = time.monotonic() + min(gap, MAX_GAP)
        with self._cv:
            if d.orphaned:  # reset while this attempt was out: its log entry is gone, and may be reused
                self._busy.discard(d.job_id)
                self._cv.notify()
                return
            closed = d.epoch != self._epoch
        self._record(d, d.attempts, result, None if closed else retry_at)
        if result.ok and d.duplicate and not closed:
            self._record(d, d.attempts, self._send(d, d.attempts), None, duplicate=True)
        if closed:  # shut down while this attempt was out: it is final either way
            error = None if result.ok else "mock shut down before delivery"
            self.log.update(d.id, state="delivered" if result.ok else "abandoned", error=error)
            return
        state = "delivered" if result.ok else ("retrying" if retry_at is not None else "abandoned")
        with self._cv:
            self._busy.discard(d.job_id)
            if result.final:
                self.log.update(d.id, error=result.error)
            self.log.update(d.id, state=state)
            queue = self._queues.get(d.job_id)
            if retry_at is not None:
                d.not_before = retry_at
            elif queue and queue[0] is d:
                queue.popleft()
                self._queued -= 1
                if not queue:
                    del self._queues[d.job_id]
            if queue:
                head = queue[0]
                head.not_before = max(head.not_before, time.monotonic()) if head is not d else d.not_before
                self._push(head)
            self._cv.notify()

    def _send(self, d: Delivery, attempt: int) -> AttemptResult:
        self.before_send()
        refused = self.egress.refuse_host(urlsplit(d.url).hostname or "")
        if refused is not None:  # decided on the name: nothing is resolved or contacted
            return AttemptResult(None, refused, 0.0, final=True)
        if is_masked(d.url):  # restored from a snapshot, which never holds the URL's secrets
            return AttemptResult(None, MASKED_TARGET, 0.0, final=True)
        timestamp = str(self._clock.now_us() // 1_000_000)
        secret = self.settings.webhook_secret
        headers = attempt_headers(self._user_agent, d.id, d.event, attempt, timestamp, secret, d.body)
        return post(d.url, d.body, headers, self.settings.webhook_timeout, self.egress)

    def _record(
        self, d: Delivery, attempt: int, r: AttemptResult, retry_at: float | None, duplicate: bool = False
    ) -> None:
        record: dict[str, Any] = {
            "attempt": attempt,
            "at": isoformat(self._clock.now_us()),
            "duration_ms": r.duration_ms,
            "status_code": r.status,
            "error": r.error,
            "duplicate": duplicate,
            "next_retry_at": None
            if retry_at is None
            else isoformat(self._clock.now_us() + round((retry_at - time.monotonic()) * 1e6)),
        }
        self.log.update(d.id, attempt=record)

    # -- control -------------------------------------------------------------------------------------------
    def redeliver(self, delivery_id: str) -> dict[str, Any] | None:
        entry = self.log.get(delivery_id)
        if entry is None:
            return None
        target = self.log.target(delivery_id) or entry["target"]
        self.enqueue(target, entry["payload"], delivery_id, prior_attempts=len(entry["attempts"]))
        return self.log.get(delivery_id)

    def reset(self) -> None:
        """Forget queued events and the log; attempts already out finish without writing anything."""
        with self._cv:
            for d in [d for q in self._queues.values() for d in q] + [d for _, d in self._held.values()]:
                d.orphaned = True
            self._busy.clear()
            self._queues.clear()
            self._ready.clear()
            self._held.clear()
            self._queued = 0
        self.log.clear()

    def close(self, timeout: float = 5.0) -> None:
        """Stop; what was still queued or held is logged as abandoned, never silently lost."""
        with self._cv:
            self._stopping = True
            self._epoch += 1
            queued = [
                d for job, q in self._queues.items() for i, d in enumerate(q) if i or job not in self._busy
            ]
            out = [q[0] for job, q in self._queues.items() if q and job in self._busy]
            left = queued + [d for _, d in self._held.values()]
            self._queues.clear()
            self._held.clear()
            self._cv.notify_all()
        for d in left:
            self.log.update(d.id, state="abandoned", error="mock shut down before delivery")
            log.warning("webhook %s (%s of job %s) abandoned at shutdown", d.id, d.event, d.job_id)
        for d in out:  # its attempt settles the log entry; the process log must name it either way
            log.warning("webhook %s (%s of job %s) in flight at shutdown", d.id, d.event, d.job_id)
        if self._thread is not None:
            self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        with self._cv:  # a closed dispatcher may be started again (MockServer.start after stop)
            self._thread, self._pool, self._stopping = None, None, False
            self._busy.clear()
