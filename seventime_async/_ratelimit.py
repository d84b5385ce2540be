"""Client-side pacing: one limiter per client, shared by every task that uses the client.

The API allows 4 requests per second per key. The pacing itself is aiolimiter's leaky
bucket with room for ONE request refilled every ``period / rate`` seconds: requests go out
evenly spaced, never in a burst (``AsyncLimiter(4, 1)`` would let 4 go at once and then
put 7 in one second; see benchmarks/RESULTS.md). Grants queue in call order.

On top of it: a small safety ``margin`` on the spacing, so timer and network jitter cannot
squeeze ``rate + 1`` requests into a one-second window at the server, and ``pause``, with
which a 429 holds the whole client (every task) for the server's Retry-After.
"""

from __future__ import annotations

import asyncio

from aiolimiter import AsyncLimiter

__all__ = ["RateLimiter"]


class RateLimiter:
    """Grant at most ``rate`` requests per ``period`` seconds, evenly spaced."""

    def __init__(self, rate: float = 4.0, period: float = 1.0, *, margin: float = 0.005) -> None:
        if not rate > 0 or not period > 0:
            raise ValueError("rate and period must be positive")
        if not 0 <= margin < 1:
            raise ValueError("margin must be in [0, 1)")
        self.rate = rate
        self.period = period
        #: Seconds between two grants, widened by ``margin`` (a fraction).
        self.interval = period / rate * (1.0 + margin)
        self._bucket = AsyncLimiter(1, self.interval)
        self._paused_until = float("-inf")

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self.rate:g}, period={self.period:g})"

    async def acquire(self) -> None:
        """Wait until this request may be sent."""
        loop = asyncio.get_running_loop()
        while True:
            pause = self._paused_until - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            await self._bucket.acquire()
            if loop.time() >= self._paused_until:
                return
            # A 429 paused the client while this request waited: wait out the pause too.

    def pause(self, seconds: float) -> None:
        """Hold every request of this client for ``seconds`` (the server's Retry-After)."""
        until = asyncio.get_running_loop().time() + max(0.0, seconds)
        self._paused_until = max(self._paused_until, until)
