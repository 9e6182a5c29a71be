"""Jobs as Redis keeps them (compact JSON, times as integer microseconds), and the Lua scripts that change them.

Every change of a stored job is a compare-and-set on its version: the script refuses when another process moved
the job first, and the loser re-reads. The script that applies a transition also deducts the credits and queues
the webhook events in the same atomic step, so a finish happens once whichever process sees it first.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from mockserver.core import jsonio
from mockserver.core.models import Family, Job, JobStatus, Outcome, Schedule
from mockserver.core.storage.base import StoreUnavailable


def encode(job: Job) -> bytes:
    forced = job.forced
    return jsonio.dumps(
        {
            "id": job.id,
            "a": job.account,
            "s": job.seq,
            "f": job.family.value,
            "r": job.request,
            "w": job.webhook_url,
            "c": job.created_at,
            "u": job.updated_at,
            "sr": job.schedule.running_at,
            "sf": job.schedule.finish_at,
            "st": job.status.value,
            "t": job.response_text,
            "fr": job.failed_reason,
            "cu": job.credits_used,
            "fc": job.response_function_calls,
            "o": None if forced is None else {**dataclasses.asdict(forced), "status": forced.status.value},
        }
    )


def decode(raw: bytes) -> Job:
    d: dict[str, Any] = jsonio.loads(raw)
    forced = d["o"]
    return Job(
        id=d["id"],
        account=d["a"],
        seq=d["s"],
        request=d["r"],
        webhook_url=d["w"],
        created_at=d["c"],
        schedule=Schedule(d["sr"], d["sf"]),
        status=JobStatus(d["st"]),
        updated_at=d["u"],
        response_text=d["t"],
        failed_reason=d["fr"],
        credits_used=d["cu"],
        forced=None if forced is None else Outcome(**{**forced, "status": JobStatus(forced["status"])}),
        family=Family(d["f"]),
        response_function_calls=d["fc"],
    )


#: KEYS: job hash, balances hash, webhook stream, watch zset, bus channel.
#: ARGV: expected version, job data, account, credits to deduct, next due ('' for none), job id, events...
#: Returns the new version, or 0 when the job changed (or vanished) since it was read.
TRANSITION = """
local v = redis.call('HGET', KEYS[1], 'v')
if v ~= ARGV[1] then return 0 end
local nv = tonumber(v) + 1
redis.call('HSET', KEYS[1], 'v', nv, 'd', ARGV[2])
local credits = tonumber(ARGV[4])
if credits ~= 0 and redis.call('HEXISTS', KEYS[2], ARGV[3]) == 1 then
  local left = tonumber(redis.call('HGET', KEYS[2], ARGV[3])) - credits
  redis.call('HSET', KEYS[2], ARGV[3], string.format('%.6f', left))
end
if ARGV[5] == '' then redis.call('ZREM', KEYS[4], ARGV[6])
else redis.call('ZADD', KEYS[4], ARGV[5], ARGV[6]) end
for i = 7, #ARGV do redis.call('XADD', KEYS[3], 'MAXLEN', '~', 100000, '*', 'e', ARGV[i]) end
redis.call('PUBLISH', KEYS[5], 'job:' .. ARGV[6])
return nv
"""

#: A token bucket (``limits``' shape): KEYS: the bucket; ARGV: capacity, per second. Redis's clock, so every
#: process agrees. Returns the seconds to wait as a string (0 when a token was taken).
TAKE_TOKEN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or cap
local at = tonumber(b[2]) or now
tokens = math.min(cap, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(cap / rate) + 60)
return tostring(wait)
"""


class Keys:
    """Every key the mock uses, under one prefix (``--store-prefix``), so a reset deletes exactly its own."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.jobs = f"{prefix}jobs"  # zset: every job id by seq (for listing all, counting, exporting)
        self.seq = f"{prefix}seq"
        self.watch = f"{prefix}watch"  # zset: job id by when its next transition is due (us)
        self.balances = f"{prefix}balances"
        self.configured = f"{prefix}configured"  # marks that the configured balances were written once
        self.webhooks = f"{prefix}webhooks"  # stream of webhook events; consumer group GROUP
        self.attempts = f"{prefix}webhook-attempts"  # hash: delivery id -> attempts made so far
        self.clock = f"{prefix}clock-offset"
        self.bus = f"{prefix}bus"
        self.evicting = f"{prefix}evicting"  # the lease of the process dropping old jobs (``redis_evict``)

    def job(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    def account(self, account: str) -> str:
        return f"{self.prefix}account:{account}"

    def bucket(self, account: str) -> str:
        return f"{self.prefix}bucket:{account}"


GROUP = "mock"


C = TypeVar("C", bound=type)


def unavailable_as_store_error(cls: C) -> C:
    """Turn redis-py's errors raised by ``cls``'s public methods into ``StoreUnavailable``, so the layers above
    answer a lost Redis as the store being unavailable without knowing which store it is."""
    for name, member in list(vars(cls).items()):
        if callable(member) and (not name.startswith("_") or name == "__len__"):
            setattr(cls, name, _translated(member))
    return cls


def _translated(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except redis.RedisError as exc:
            raise StoreUnavailable(f"the Redis store is unavailable ({exc})") from exc

    return call
