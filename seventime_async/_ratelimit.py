"""Client-side pacing: one limiter per client, shared by every task that uses the client.

The API allows 4 requests per second per key, counted where the requests *arrive*. A
request sent at ``t`` arrives at ``t + d``, and the one-way delay ``d`` varies (jitter,
``J``: the spread of ``d``). With sends spaced ``s`` apart, five arrivals span at least
``4s - J``, so a strict one-second window sees five of them unless ``4s - J >= 1 s``:
the spacing must be ``s = (period + J) / rate``, not ``period / rate``. A fixed margin
is either too small on a jittery link (a 0.5 % margin is 1.3 ms; real jitter is 10-30
ms) or a waste on a quiet one.

So the limiter widens its spacing from what this client observes: the range of its
last 32 round trips, per kind of request (a list page and a single record differ in
server time, not in jitter), which bounds the one-way jitter from above. The range is
scaled by (n + 1) / (n - 1): n samples of a uniform spread cover only that much of it
on average. Until eight round trips are seen, 50 ms is assumed. A 429 adds a penalty
that doubles with every further 429 and decays slowly with each answer that is not one.
Grants are reserved slots on one time line, in call order, at least ``period / rate``
apart, and never sooner than ``rate`` intervals (a period, the jitter and the margin)
after the grant ``rate`` places back actually went: no ``rate + 1`` grants ever fall in
one window, whatever woke late, and a grant the event loop woke late pushes back only
the one that could meet it in a window, not every later one. (The first ``rate`` grants
of a burst meet no earlier grant in a window, so they go ``period / rate`` apart.) A
waiter that is cancelled
gives its slot back when it was the last one reserved (otherwise it leaves a gap: later
grants are never pulled forward). ``pause`` holds every request of the client for a
429's ``Retry-After``.

A grant is not a departure: a request on a new connection (a TLS handshake) leaves, and
so arrives, later than granted. The client's own transport says when each request left
(``departed``, as it leaves): the window is then kept from the departure of the request
``rate`` places back, and round trips are timed from departures, so a connection's
set-up is neither jitter nor a risk. Where the transport cannot say, a round trip longer
than the fastest of its kind bounds how much later it left; beyond the jitter already
allowed for, that pushes back the grant ``rate`` places after it (``_window_floor``).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any, Protocol, TypeAlias

__all__ = ["IdleOnly", "KeyLimiter", "Limiter", "RateLimiter"]

#: ``acquire(idle_only=...)``: True takes only a slot nobody else wants; a callable is
#: asked again each time the waiter wakes, and once it answers False the request waits
#: for a turn like any other (a speculative page that turned out to be needed).
IdleOnly: TypeAlias = bool | Callable[[], bool]

#: The jitter assumed before enough round trips are seen, and the most ever assumed.
DEFAULT_JITTER = 0.050
MAX_JITTER = 0.500
#: Round trips kept per kind of request, and how many are needed for an estimate.
_WINDOW = 32
_MIN_SAMPLES = 8
_KINDS = 16
#: The first 429's penalty (seconds of assumed extra jitter), its cap and its decay.
_PENALTY_FIRST = 0.050
_PENALTY_MAX = 0.500
_PENALTY_DECAY = 0.99


class KeyLimiter(Protocol):
    """What paces the requests of one API key: a client calls ``acquire`` before every
    request, ``observe`` after every answer but a 429, and ``backoff`` after a 429."""

    rate: float
    period: float
    #: Whether a walk should guess its first pages on idle slots (``acquire(idle_only=
    #: True)``): cheap for a local limiter, a poll of a busy shared schedule otherwise.
    idle_slots: bool

    async def acquire(self, *, idle_only: IdleOnly = False) -> None:
        """Wait for this request's turn (``idle_only``: only a turn nobody else wants,
        while it says so; see :data:`IdleOnly`)."""
        ...

    def departed(self, granted_at: float, departed_at: float) -> None:
        """The request granted at ``granted_at`` left at ``departed_at`` (the event loop's
        clock): later than granted when it waited for a connection or set one up."""
        ...

    def observe(
        self,
        round_trip: float,
        kind: str = "",
        sent_at: float | None = None,
        departed_at: float | None = None,
    ) -> None:
        """Record one round trip (seconds, from the grant at ``sent_at`` to the answer's
        headers) of a request of ``kind`` that left at ``departed_at`` (when known)."""
        ...

    async def backoff(self, retry_after: float) -> None:
        """The server answered 429: hold requests ``retry_after`` seconds, widen the spacing."""
        ...


class Limiter(Protocol):
    """What a client's ``rate_limit`` may be: :class:`RateLimiter` (one process) or
    :class:`RedisRateLimiter` (every process and machine). A client asks it once for the
    pacing of its key, with a hash of its secret, never the secret."""

    rate: float
    period: float

    def for_key(self, key_id: str) -> KeyLimiter:
        """The pacing of one API key."""
        ...

    async def aclose(self) -> None:
        """Release what the limiter holds (connections)."""
        ...


class RateLimiter:
    """Grant at most ``rate`` requests per ``period`` seconds, evenly spaced, with the
    spacing widened by the jitter the client observes (see the module docstring).

    ``margin`` (a fraction of the spacing) covers timer error; ``observe`` and
    ``on_rate_limited`` are fed by the client after each answer.

    ``jitter`` (seconds) fixes the one-way jitter allowed for instead of learning it.
    The learned figure bounds it by the spread of whole round trips, so it also counts how
    much the server's own time per request varies, which does not move arrivals: against
    a server whose pages take 1.06-1.17 s it spaces requests ~270 ms apart where ~253 ms
    would do. Give it only when you know how much arrivals can move on your path
    (measured, with room to spare); a 429 still widens the spacing on top of it.
    """

    idle_slots = True

    def __init__(
        self,
        rate: float = 4.0,
        period: float = 1.0,
        *,
        margin: float = 0.004,
        jitter: float | None = None,
    ) -> None:
        if not rate > 0 or not period > 0:
            raise ValueError("rate and period must be positive")
        if not 0 <= margin < 1:
            raise ValueError("margin must be in [0, 1)")
        if jitter is not None and not 0 <= jitter <= MAX_JITTER:
            raise ValueError(f"jitter must be None (learned) or in [0, {MAX_JITTER:g}] seconds")
        self.rate = rate
        self.period = period
        self.margin = margin
        self.fixed_jitter = jitter
        self._round_trips: OrderedDict[str, deque[float]] = OrderedDict()
        # The last ``rate`` grants: [granted at, departed at, round trip, kind] (None
        # where not yet known; see ``_window_floor``).
        self._recent: deque[list[Any]] = deque(maxlen=max(1, int(rate)))
        self._penalty = 0.0
        self._next_slot = float("-inf")
        self._last_grant = float("-inf")
        self._paused_until = float("-inf")

    def __repr__(self) -> str:
        return (
            f"RateLimiter(rate={self.rate:g}, period={self.period:g}, "
            f"interval={self.interval * 1000:.1f} ms)"
        )

    # -- what the client observed -------------------------------------------------------

    def departed(self, granted_at: float, departed_at: float) -> None:
        """The request granted at ``granted_at`` left at ``departed_at``: the grant
        ``rate`` places after it keeps a whole window after that."""
        entry = self._grant_at(granted_at)
        if entry is not None:
            entry[1] = max(entry[0], departed_at)

    def observe(
        self,
        round_trip: float,
        kind: str = "",
        sent_at: float | None = None,
        departed_at: float | None = None,
    ) -> None:
        """Record one round trip (seconds, from the grant at ``sent_at`` to the answer's
        headers; the event loop's clock) of a request of ``kind`` (its path). Known, the
        departure ``departed_at`` starts the round trip instead: the time before it was
        the client's own (a wait for a connection, its set-up), not the network's."""
        if sent_at is not None and departed_at is not None:
            round_trip -= max(0.0, departed_at - sent_at)
        if sent_at is not None:
            entry = self._grant_at(sent_at)
            if entry is not None:
                if departed_at is not None:
                    entry[1] = max(entry[0], departed_at)
                entry[2], entry[3] = max(0.0, round_trip), kind
        samples = self._round_trips.pop(kind, None)
        if samples is None:
            samples = deque(maxlen=_WINDOW)
            if len(self._round_trips) >= _KINDS:
                self._round_trips.popitem(last=False)
        samples.append(max(0.0, round_trip))
        self._round_trips[kind] = samples
        self._penalty *= _PENALTY_DECAY

    def on_rate_limited(self) -> None:
        """The server answered 429 although the client paced itself: widen the spacing."""
        self._penalty = min(_PENALTY_MAX, max(_PENALTY_FIRST, 2 * self._penalty))

    @property
    def observed_jitter(self) -> float | None:
        """The widest spread of any kind's round trips, once a kind has enough samples."""
        spreads = [_spread(samples) for samples in self._round_trips.values()]
        known = [spread for spread in spreads if spread is not None]
        return max(known) if known else None

    @property
    def jitter(self) -> float:
        """The one-way jitter assumed now: the widest spread of any kind's round trips (or
        the ``jitter`` given), plus what 429s added."""
        if self.fixed_jitter is not None:
            estimate = self.fixed_jitter
        else:
            observed = self.observed_jitter
            estimate = DEFAULT_JITTER if observed is None else observed
        return min(MAX_JITTER, estimate + self._penalty)

    @property
    def interval(self) -> float:
        """Seconds between two grants now, on average: ``(period + jitter) / rate`` plus
        the margin (``rate`` grants per window; within one, ``period / rate`` apart)."""
        return (self.period * (1.0 + self.margin) + self.jitter) / self.rate

    def for_key(self, key_id: str) -> RateLimiter:
        """This limiter: a local one paces whatever clients share it, whatever their key."""
        return self

    async def backoff(self, retry_after: float) -> None:
        """A 429: widen the spacing and hold every request for ``retry_after`` seconds."""
        self.on_rate_limited()
        self.pause(retry_after)

    async def aclose(self) -> None:
        """Nothing to release."""

    # -- granting -----------------------------------------------------------------------

    async def acquire(self, *, idle_only: IdleOnly = False) -> None:
        """Wait until this request may be sent (its reserved slot).

        ``idle_only``: reserve nothing; take a slot only when it is free and nobody has
        reserved it, so that every other request goes first (a speculative page). Such a
        waiter cancelled before its turn costs nothing. A callable is asked each time the
        waiter wakes: once it answers False, the request reserves a slot as usual.
        """
        loop = asyncio.get_running_loop()
        if idle_only and await self._acquire_idle(loop, idle_only):
            return
        while True:
            now = loop.time()
            slot = max(now, self._next_slot, self._paused_until, self._window_floor())
            reserved_until = self._next_slot = slot + self.period / self.rate
            try:
                if slot > now:
                    await asyncio.sleep(slot - now)
                # The grant ``rate`` places back may have gone (or left) late, woken by a
                # busy event loop: keep a whole window after it. Only this grant waits;
                # the later slots stand, so one late wake-up is not paid for again.
                while (late := self._window_floor() - loop.time()) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(late)
            except asyncio.CancelledError:
                if self._next_slot == reserved_until:  # nobody reserved after us
                    self._next_slot = slot
                raise
            if loop.time() >= self._paused_until:
                self._granted(loop.time())
                return
            # A 429 paused the client while this request waited: wait out the pause too.

    async def _acquire_idle(self, loop: asyncio.AbstractEventLoop, idle_only: IdleOnly) -> bool:
        """Take an idle slot (True), or stop when ``idle_only`` says no more (False)."""
        while still_idle(idle_only):
            now = loop.time()
            free_at = max(
                self._next_slot,
                self._last_grant + self.period / self.rate,
                self._paused_until,
                self._window_floor(),
            )
            if free_at <= now:
                self._next_slot = now + self.period / self.rate
                self._granted(now)
                return True
            # Wake when the slot frees; a reserved request may take it first.
            await asyncio.sleep(free_at - now)
        return False

    async def wait_out_pause(self) -> None:
        """Wait until a pause (``pause``) is over; at once when there is none."""
        loop = asyncio.get_running_loop()
        # A loop, not one sleep: another 429 may extend the pause meanwhile.
        while (left := self._paused_until - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)

    def _granted(self, at: float) -> None:
        self._last_grant = at
        self._recent.append([at, None, None, ""])

    def _grant_at(self, granted_at: float) -> list[Any] | None:
        """The recent grant a request granted at ``granted_at`` (the event loop's clock,
        read just after its grant) had: the last one at or before that time."""
        entry: list[Any]
        for entry in reversed(self._recent):
            if entry[0] <= granted_at:
                return entry
        return None

    def _window_floor(self) -> float:
        """The earliest the next grant may go so that it and the ``rate`` grants before
        it never meet in one window at the server: ``rate`` intervals (a period and the
        jitter) after the request ``rate`` places back actually left. Slots are spaced
        for that already; this holds when a grant went late (a busy event loop woke it
        late) or its request left late (a new connection's handshake). When the
        transport did not say when it left, its round trip, longer than the fastest of
        its kind by more than the jitter allowed for, shows by how much."""
        recent = self._recent
        if len(recent) < (recent.maxlen or 1):
            return float("-inf")
        granted_at, departed_at, round_trip, kind = recent[0]
        if departed_at is not None:
            return float(departed_at) + len(recent) * self.interval
        floor: float = granted_at + len(recent) * self.interval
        samples = self._round_trips.get(kind)
        if round_trip is not None and samples:
            floor += max(0.0, round_trip - min(samples) - self.jitter)
        return floor

    def pause(self, seconds: float) -> None:
        """Hold every request of this client for ``seconds`` (the server's Retry-After)."""
        until = asyncio.get_running_loop().time() + max(0.0, seconds)
        self._paused_until = max(self._paused_until, until)


def still_idle(idle_only: IdleOnly) -> bool:
    """Whether a waiter with ``idle_only`` still takes only idle slots."""
    return idle_only() if callable(idle_only) else idle_only


def _spread(samples: deque[float]) -> float | None:
    """The range (slowest minus fastest) of the recent round trips, or None with too
    few samples. A percentile spread would undershoot: uniform 0..J ms of jitter has a
    10-90 % spread of 0.8 J, and it is the extremes that meet in a one-second window."""
    count = len(samples)
    if count < _MIN_SAMPLES:
        return None
    # n draws cover (n - 1) / (n + 1) of a uniform spread on average: scale back up.
    return (max(samples) - min(samples)) * (count + 1) / (count - 1)
