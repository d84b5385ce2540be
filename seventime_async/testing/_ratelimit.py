"""A sliding-window rate limiter per key, like the API's 4 requests per second."""

from __future__ import annotations

from collections import deque

__all__ = ["SlidingWindowLimiter"]


class SlidingWindowLimiter:
    """Accept at most ``limit`` requests per key in any window ``(now - window, now]``.

    Only accepted requests count: a rejected request does not push the window on. Times
    are the caller's clock (``time.monotonic()`` at arrival), so the class is pure.
    """

    def __init__(self, limit: int, window: float = 1.0) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        if window <= 0:
            raise ValueError(f"window must be positive, got {window}")
        self.limit = limit
        self.window = window
        self._accepted: dict[str, deque[float]] = {}

    def acquire(self, key: str, now: float) -> float | None:
        """Count a request at ``now``: ``None`` if accepted, else seconds until a slot frees."""
        times = self._accepted.setdefault(key, deque())
        horizon = now - self.window
        while times and times[0] <= horizon:
            times.popleft()
        if len(times) >= self.limit:
            return times[0] - horizon
        times.append(now)
        return None

    def reset(self) -> None:
        """Forget every accepted request."""
        self._accepted.clear()
