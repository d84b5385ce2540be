"""Pacing of the SDK's RateLimiter against aiolimiter, side by side in one run.

For each limiter, N tasks acquire at once (the worst case: a burst of concurrent
``get`` calls) and the grant times are recorded. Reported per limiter: the most grants in
any one-second window (the server's rule: at most 4), the total time for N grants over
the bound (N-1) * 0.25 s, and the spread of the gaps between grants.

Run: python benchmarks/limiter_pacing.py   (needs `pip install aiolimiter`)
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

from seventime_async import RateLimiter

N = 41


def max_in_window(times: list[float], window: float = 1.0) -> int:
    best = 0
    for i, start in enumerate(times):
        best = max(best, sum(1 for t in times[i:] if t - start < window))
    return best


async def grant_times(acquire: Callable[[], Awaitable[object]]) -> list[float]:
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def one() -> None:
        await acquire()
        times.append(loop.time())

    await asyncio.gather(*(one() for _ in range(N)))
    return sorted(times)


def busy_loop(block_ms: float) -> Callable[[], Awaitable[None]]:
    """A task that holds the event loop ``block_ms`` out of every 10 ms (e.g. decoding)."""

    async def run() -> None:
        while True:
            end = time.perf_counter() + block_ms / 1000
            while time.perf_counter() < end:
                pass
            await asyncio.sleep(0.01)

    return run


def make_limiters() -> dict[str, Callable[[], Awaitable[object]]]:
    limiters: dict[str, Callable[[], Awaitable[object]]] = {
        "seventime_async.RateLimiter(4/s)": RateLimiter(4, 1.0).acquire,
    }
    try:
        from aiolimiter import AsyncLimiter
    except ImportError:
        print("aiolimiter not installed: pip install aiolimiter", file=sys.stderr)
    else:
        limiters["aiolimiter.AsyncLimiter(4, 1)"] = AsyncLimiter(4, 1).acquire
        limiters["aiolimiter.AsyncLimiter(1, 0.25)"] = AsyncLimiter(1, 0.25).acquire
    return limiters


async def main() -> None:
    bound = (N - 1) * 0.25
    print(f"{N} concurrent acquisitions; bound (N-1) x 0.25 s = {bound:.2f} s")
    print("| loop | limiter | max grants in any 1 s | time / bound | gap mean (ms) | gap sd (ms) |")
    print("|---|---|---|---|---|---|")
    for load in (0.0, 4.0):
        for name, acquire in make_limiters().items():
            background = asyncio.create_task(busy_loop(load)()) if load else None
            times = await grant_times(acquire)
            if background is not None:
                background.cancel()
            gaps = [b - a for a, b in itertools.pairwise(times)]
            print(
                f"| {'idle' if not load else f'busy {load:g} ms/10 ms'} | {name} "
                f"| {max_in_window(times)} | {(times[-1] - times[0]) / bound:.3f} "
                f"| {statistics.mean(gaps) * 1000:.1f} | {statistics.pstdev(gaps) * 1000:.1f} |"
            )


if __name__ == "__main__":
    asyncio.run(main())
