"""Pacing shared by every process and machine on one API key: :class:`RedisRateLimiter`.

One schedule per API key lives in Redis, a hash ``<prefix>:{<key id>}:schedule`` (the
key id is a one-way hash of the secret; the braces keep every key of one API key in one
Redis Cluster slot). It holds the next free slot, in microseconds on Redis's own clock,
and a spacing penalty shared by all workers. One Lua script, atomic, reads ``TIME``,
reserves the caller's slot and moves the schedule on by one step: one command per
request, evenly spaced, first come first served, and no machine's clock is
involved (a worker only sleeps the *difference* the script returns).

Each process puts a gate (an ``asyncio.Lock``) in front of the script and holds it until
its reserved slot has come: one reservation per process at a time, so the schedule is at
most one slot per process deep and Redis sees about one command per request.

The step is ``(period + jitter) / rate``: the jitter learned from every worker's round
trips (a short list in Redis, per kind of request, ranged as in ``_ratelimit``) plus
the range of how late the workers' event loops wake for their slots (a busy machine
sends late), and the shared penalty, which a 429 seen by any worker doubles (and which
decays with each grant). A worker woken later than all that allows leaves its slot
unused and takes the next. A 429 also pushes the whole schedule forward by its
``Retry-After``: every worker backs off together.

Redis unreachable: requests wait for it (fail closed), retrying every 50 ms to 1 s, with
one warning per outage; the call's own ``Timeouts.queue`` / ``Timeouts.call`` bound the
wait. A process that saw Redis fail, or reserved recently, starts a schedule it finds
missing (Redis restarted empty) one period plus its last queue depth later, past every
slot granted before the restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ._ratelimit import DEFAULT_JITTER, MAX_JITTER, IdleOnly, RateLimiter, still_idle

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["REDIS_URL_ENV_VAR", "RedisRateLimiter", "SharedSchedule"]

REDIS_URL_ENV_VAR = "SEVENTIME_REDIS_URL"
logger = logging.getLogger("seventime_async")

#: How long an idle schedule stays in Redis (ms); every grant renews it.
_TTL_MS = 60_000
#: Waits between tries while Redis is unreachable.
_RETRY_FIRST = 0.05
_RETRY_MAX = 1.0
#: The deepest queue a guard allows for (seconds): 40 processes at 4 per second.
_MAX_DEPTH = 10.0

# KEYS[1]: the schedule; KEYS[2]: the round trips every worker reports.
# ARGV: mode, a, b, ttl (ms), samples ("<kind>:<µs>" tokens, space-separated; kind
# "wake": how late a worker's event loop woke for a slot), base step (µs: period x
# (1 + margin) / rate), rate, default jitter, most jitter, the caller's own jitter (µs;
# -1: not learned yet).
#   reserve: a = guard (µs after now where a missing schedule starts; 0: now)
#   idle:    a = guard; grants only when the schedule is free now
#   release: a = slot, b = the end the caller set; gives the slot back if still last
#   push:    a = seconds (µs) to hold everyone, b = the penalty's first step (µs)
# The jitter allowed for is learned from the round trips of all workers, per kind: the
# widest range of a kind with 8 samples or more (scaled as in ``_ratelimit``).
# Returns {slot or -1, now, end, fresh, step}; every time is µs on Redis's clock.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local mode = ARGV[1]
local a = tonumber(ARGV[2])
local b = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
if ARGV[5] ~= '' then
  for token in string.gmatch(ARGV[5], '%S+') do
    redis.call('LPUSH', KEYS[2], token)
  end
  redis.call('LTRIM', KEYS[2], 0, 63)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
local lows, highs, counts = {}, {}, {}
for _, entry in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local kind, value = string.match(entry, '^(%w+):(%d+)$')
  if kind then
    value = tonumber(value)
    counts[kind] = (counts[kind] or 0) + 1
    lows[kind] = math.min(lows[kind] or value, value)
    highs[kind] = math.max(highs[kind] or value, value)
  end
end
local learned, wake = -1, 0
for kind, n in pairs(counts) do
  if n >= 8 then
    local spread = (highs[kind] - lows[kind]) * (n + 1) / (n - 1)
    if kind == 'wake' then wake = spread else learned = math.max(learned, spread) end
  end
end
local own = tonumber(ARGV[10])
local jitter = tonumber(ARGV[8])
if learned >= 0 then jitter = learned elseif own >= 0 then jitter = own end
jitter = math.min(math.max(jitter, own) + wake, tonumber(ARGV[9]))
local step = tonumber(ARGV[6]) + jitter / tonumber(ARGV[7])
local state = redis.call('HMGET', KEYS[1], 'next', 'extra')
local nxt = tonumber(state[1])
local extra = tonumber(state[2]) or 0
local fresh = 0
if not nxt then
  fresh = 1
  nxt = now + ((mode == 'reserve' or mode == 'idle') and a or 0)
end
local slot = -1
if mode == 'reserve' or (mode == 'idle' and nxt <= now) then
  slot = math.max(now, nxt)
  nxt = slot + step + extra
  extra = math.floor(extra * 0.99)
elseif mode == 'release' then
  if nxt == b then nxt = a end
elseif mode == 'push' then
  nxt = math.max(nxt, now + a)
  extra = math.min(10 * b, math.max(b, 2 * extra))
end
if mode ~= 'idle' or slot >= 0 or fresh == 1 then
  redis.call('HSET', KEYS[1], 'next', string.format('%.0f', nxt),
             'extra', string.format('%.0f', extra))
  redis.call('PEXPIRE', KEYS[1], math.floor(math.max(0, nxt - now) / 1000) + ttl)
end
return {slot, now, nxt, fresh, math.floor(step + extra)}
"""


def _redacted(url: str) -> str:
    """``url`` without its password (for reprs and log lines)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else "***@"
    return urlunsplit(parts._replace(netloc=user + host))


class RedisRateLimiter:
    """A rate limit shared by every process and machine on one API key, through Redis.

    ``SevenTime(secret, rate_limit=RedisRateLimiter("redis://host:6379/0"))`` in every
    worker; or set ``SEVENTIME_REDIS_URL`` and every client without an explicit
    ``rate_limit`` uses one. All clients of one key, wherever they run, then share one
    evenly spaced schedule of ``rate`` requests per ``period`` seconds, timed by Redis's
    clock (see the module docstring for how, and for what happens when Redis is down:
    requests wait for it). ``redis`` is a URL or a ``redis.asyncio.Redis`` of your own
    (which the limiter uses but does not close). Needs ``pip install
    'seventime-async[redis]'``. Use it in one event loop; close it with ``aclose()`` (a
    client that made it from ``SEVENTIME_REDIS_URL`` closes it itself).
    """

    def __init__(
        self,
        redis: str | Redis,
        *,
        rate: float = 4.0,
        period: float = 1.0,
        margin: float = 0.004,
        prefix: str = "seventime",
        redis_timeout: float = 1.0,
    ) -> None:
        try:
            import redis.asyncio as redis_asyncio
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError(
                "RedisRateLimiter needs redis-py: pip install 'seventime-async[redis]'"
            ) from None
        RateLimiter(rate, period, margin=margin)  # the same checks, the same errors
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError("prefix must be non-empty and free of braces")
        if not redis_timeout > 0:
            raise ValueError("redis_timeout must be positive")
        self.rate = rate
        self.period = period
        self.margin = margin
        self.prefix = prefix
        if isinstance(redis, str):
            if urlsplit(redis).scheme not in ("redis", "rediss", "unix"):
                raise ValueError(
                    f"not a Redis URL (redis://, rediss:// or unix://): {_redacted(redis)!r}"
                )
            self._where = _redacted(redis)
            self._owns_client = True
            # No retries inside redis-py: the limiter itself waits for Redis, with one
            # warning per outage, under the caller's deadline.
            self.redis: Redis = redis_asyncio.Redis.from_url(
                redis,
                socket_timeout=redis_timeout,
                socket_connect_timeout=redis_timeout,
                retry=Retry(NoBackoff(), 0),
            )
        else:
            self._where = type(redis).__name__
            self._owns_client = False
            self.redis = redis
        self._script = self.redis.register_script(_SCRIPT)
        self._schedules: dict[str, SharedSchedule] = {}

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self._where}, rate={self.rate:g}, period={self.period:g})"

    def for_key(self, key_id: str) -> SharedSchedule:
        """The shared schedule of one API key (``key_id``: a hash of its secret)."""
        schedule = self._schedules.get(key_id)
        if schedule is None:
            schedule = self._schedules[key_id] = SharedSchedule(self, key_id)
        return schedule

    async def aclose(self) -> None:
        """Close the Redis connections (unless the Redis client was passed in)."""
        if self._owns_client:
            await self.redis.aclose()

    async def __aenter__(self) -> RedisRateLimiter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class SharedSchedule:
    """One API key's schedule in Redis, as seen from this process (``for_key``'s answer).

    A walk does not guess its first pages on idle slots here: other workers keep a
    shared schedule busy, and an idle guess would poll Redis until page 1 came back
    (measured: up to 9 Redis calls per request with 8 workers). ``acquire(idle_only=
    True)`` still works when asked for.
    """

    idle_slots = False

    def __init__(self, owner: RedisRateLimiter, key_id: str) -> None:
        self.rate = owner.rate
        self.period = owner.period
        self.key = f"{owner.prefix}:{{{key_id}}}:schedule"
        self.round_trips_key = f"{owner.prefix}:{{{key_id}}}:round_trips"
        self._owner = owner
        # The spacing this process observes (jitter of its round trips), and its pauses
        # while Redis cannot take them.
        self._local = RateLimiter(owner.rate, owner.period, margin=owner.margin)
        self._gate = asyncio.Lock()
        self._outage_since: float | None = None
        self._saw_outage = False
        self._last_reserved = float("-inf")
        self._depth = 0.0
        self._background: set[asyncio.Task[Any]] = set()
        # The latest round trip observed, for the next script call to share.
        self._sample = ""
        # The step the schedule last moved by (seconds), as the script reported it.
        self._step: float | None = None
        #: Script calls sent (each one Redis command), for the benchmarks.
        self.commands = 0
        #: Slots left unused because the event loop woke too late for them.
        self.late_slots = 0
        # How late the event loop woke for the last slot, for the next call to share.
        self._wake_sample = ""
        self._kinds_seen: set[str] = set()
        self._called_at = 0.0

    def __repr__(self) -> str:
        return f"SharedSchedule({self._owner!r}, interval={self.interval * 1000:.1f} ms)"

    @property
    def interval(self) -> float:
        """The spacing: ``(period + jitter) / rate`` and the margin, the jitter learned
        from every worker's round trips (see ``_SCRIPT``), plus the shared penalty."""
        return self._step if self._step is not None else self._local.interval

    def departed(self, granted_at: float, departed_at: float) -> None:
        """Not used: the shared schedule allows for late departures in its jitter (the
        round trips it pools are timed from the grants)."""

    def observe(
        self,
        round_trip: float,
        kind: str = "",
        sent_at: float | None = None,
        departed_at: float | None = None,
    ) -> None:
        """Record one round trip (from the grant): kept locally, and shared with the next
        script call (but for a worker's first of each kind: it carries the new
        connection's set-up, which is a late departure, not jitter)."""
        self._local.observe(round_trip, kind)
        if kind not in self._kinds_seen:
            self._kinds_seen.add(kind)
            return
        kind_id = hashlib.sha1(kind.encode(), usedforsecurity=False).hexdigest()[:8]
        self._sample = f"{kind_id}:{_micros(round_trip)}"

    async def acquire(self, *, idle_only: IdleOnly = False) -> None:
        """Wait for this request's slot in the shared schedule (``idle_only``: see
        :data:`~seventime_async.IdleOnly`)."""
        if idle_only and await self._acquire_idle(idle_only):
            return
        async with self._gate:
            slot, now, end, _ = await self._run("reserve", self._guard())
            self._reserved(slot, now)
            allowed = self._lateness_allowed()
            woke_late = await self._sleep_until(slot, now, end)
            self._wake_sample = f"wake:{_micros(woke_late)}"
            # A busy machine woke this worker late. Four steps hold a period plus the
            # margin and the jitter allowed for (which includes how much the workers'
            # wake-ups vary); later than that, sent now, the request would meet the next
            # workers' requests (their slots stand) in one server second. Leave the slot
            # unused and take the next: the gap it leaves makes that one safe however
            # late it goes, so once is enough.
            if woke_late > allowed:
                self.late_slots += 1
                slot, now, end, _ = await self._run("reserve", self._guard())
                self._reserved(slot, now)
                await self._sleep_until(slot, now, end)

    async def _acquire_idle(self, idle_only: IdleOnly) -> bool:
        while still_idle(idle_only):
            async with self._gate:
                slot, now, end, _ = await self._run("idle", self._guard())
                if slot >= 0:
                    self._reserved(slot, now)
                    return True
            # Busy: wake when the booked slots end (someone may book further meanwhile).
            await asyncio.sleep(min(self.period, max(0.0, (end - now) / 1e6)))
        return False

    async def backoff(self, retry_after: float) -> None:
        """A 429: push the shared schedule ``retry_after`` seconds on, for every worker,
        and widen everyone's spacing (the shared penalty doubles)."""
        first = DEFAULT_JITTER / self.rate
        try:
            await self._call("push", _micros(retry_after), _micros(first))
        except _unavailable() as exc:
            logger.warning("rate limit: could not share a 429 through Redis (%s)", exc)
            self._local.on_rate_limited()
            self._local.pause(retry_after)

    # -- the script ----------------------------------------------------------------------

    def _guard(self) -> float:
        """Where a missing schedule starts (seconds after now): past every slot granted
        before Redis lost it, when this process has reason to think there were some."""
        recent = time.monotonic() - self._last_reserved < self.period + self._depth + 1.0
        if not (recent or self._saw_outage):
            return 0.0
        return self.period + self._depth + self.interval

    def _reserved(self, slot: int, now: int) -> None:
        self._saw_outage = False
        self._last_reserved = time.monotonic()
        self._depth = min(_MAX_DEPTH, (slot - now) / 1e6)

    def _lateness_allowed(self) -> float:
        """How late a grant may go out (seconds): the margin and the jitter that four
        steps of the current spacing hold beyond one period."""
        local = self._local
        base = local.period * (1.0 + local.margin) / local.rate
        return local.period * local.margin + max(0.0, self.interval - base) * local.rate

    async def _sleep_until(self, slot: int, now: int, end: int) -> float:
        """Sleep until the slot; how late (seconds) the event loop woke."""
        loop = asyncio.get_running_loop()
        # The slot is due that long after the script ran (at the latest: when the call
        # was sent, give or take the Redis round trip), however late this process read
        # the answer (a held event loop reads it late too).
        due = self._called_at + max(0, slot - now) / 1e6
        try:
            if slot > now:
                await asyncio.sleep((slot - now) / 1e6)
            woke_late = loop.time() - due
            await self._local.wait_out_pause()
            return woke_late
        except asyncio.CancelledError:
            if slot > now:  # give the slot back if nobody booked after it
                task = asyncio.ensure_future(self._call("release", slot, end))
                self._background.add(task)
                task.add_done_callback(_forget(self._background))
            raise

    async def _run(self, mode: str, guard: float) -> tuple[int, int, int, int]:
        """The script, retried while Redis is unreachable (fail closed)."""
        wait = _RETRY_FIRST
        while True:
            try:
                reply = await self._call(mode, _micros(guard), 0)
            except _unavailable() as exc:
                if self._outage_since is None:
                    self._outage_since = time.monotonic()
                    logger.warning(
                        "rate limit: Redis (%s) unreachable (%s); requests wait for it",
                        self._owner._where,
                        exc,
                    )
                self._saw_outage = True
                await asyncio.sleep(wait)
                wait = min(_RETRY_MAX, wait * 2)
                guard = self._guard()
                continue
            if self._outage_since is not None:
                logger.warning(
                    "rate limit: Redis (%s) reachable again after %.1f s",
                    self._owner._where,
                    time.monotonic() - self._outage_since,
                )
                self._outage_since = None
            return reply

    async def _call(self, mode: str, a: int, b: int) -> tuple[int, int, int, int]:
        self.commands += 1
        self._called_at = asyncio.get_running_loop().time()
        sample = f"{self._sample} {self._wake_sample}".strip()
        self._sample = self._wake_sample = ""
        local = self._local
        own = local.observed_jitter
        reply = await self._owner._script(
            keys=[self.key, self.round_trips_key],
            args=[
                mode,
                a,
                b,
                _TTL_MS,
                sample,
                _micros(local.period * (1.0 + local.margin) / local.rate),
                local.rate,
                _micros(DEFAULT_JITTER),
                _micros(MAX_JITTER),
                -1 if own is None else _micros(own),
            ],
        )
        slot, now, end, fresh, step = (int(value) for value in reply)
        self._step = step / 1e6
        return slot, now, end, fresh


def _micros(seconds: float) -> int:
    return max(0, round(seconds * 1_000_000))


def _unavailable() -> tuple[type[BaseException], ...]:
    """What "Redis is unreachable" looks like (redis-py's connection and timeout errors)."""
    from redis.exceptions import BusyLoadingError, ConnectionError, TimeoutError

    return (ConnectionError, TimeoutError, BusyLoadingError, OSError)


def _forget(tasks: set[asyncio.Task[Any]]) -> Any:
    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled():
            task.exception()  # a failed give-back only leaves a gap: nothing to report

    return done
