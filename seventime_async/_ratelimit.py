"""Client-side pacing: one limiter per client, shared by every task that uses the client.

The API allows 4 requests per second per key. Requests are granted on a fixed grid of
``period / rate`` seconds (plus a small safety margin): a late wake-up of one request does
not push back the ones after it, and no burst ever goes out, so a server that counts
requests in any sliding one-second window never sees more than ``rate``.

Slots are reserved synchronously, in call order, so the limiter is fair (FIFO) and needs
no lock. A 429 from the server pauses the whole limiter (``pause``), not one request.
"""

from __future__ import annotations

import asyncio

__all__ = ["RateLimiter"]


class RateLimiter:
    """Grant at most ``rate`` requests per ``period`` seconds, evenly spaced."""

    def __init__(self, rate: float = 4.0, period: float = 1.0, *, margin: float = 0.01) -> None:
        if not rate > 0 or not period > 0:
            raise ValueError("rate and period must be positive")
        if not 0 <= margin < 1:
            raise ValueError("margin must be in [0, 1)")
        self.rate = rate
        self.period = period
        #: Seconds between two grants: the grid step, widened by ``margin`` (a fraction)
        #: so that timer and network jitter cannot squeeze ``rate + 1`` requests into one
        #: window at the server.
        self.interval = period / rate * (1.0 + margin)
        self._next_slot = float("-inf")
        self._paused_until = float("-inf")

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self.rate:g}, period={self.period:g})"

    def _reserve(self, now: float) -> float:
        slot = max(now, self._next_slot, self._paused_until)
        self._next_slot = slot + self.interval
        return slot

    async def acquire(self) -> None:
        """Wait for this request's slot on the grid."""
        loop = asyncio.get_running_loop()
        slot = self._reserve(loop.time())
        while True:
            delay = slot - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if loop.time() >= self._paused_until:
                return
            # A 429 paused the client after this slot was reserved: queue again behind it.
            slot = self._reserve(loop.time())

    def pause(self, seconds: float) -> None:
        """Hold every request of this client for ``seconds`` (the server's Retry-After)."""
        until = asyncio.get_running_loop().time() + max(0.0, seconds)
        self._paused_until = max(self._paused_until, until)
        self._next_slot = max(self._next_slot, self._paused_until)
