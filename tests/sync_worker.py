"""One sync worker process: runs one shard plan piece and reports what it did.

``python -m tests.sync_worker --base-url URL --shard FILE --out FILE --limiter
redis|local --redis-url URL --rate R``, the secret in ``SEVENTIME_CLIENT_SECRET``. Writes
the ids it exported to ``--out``, one per line, and prints one JSON line: records,
requests, 429s, Redis script calls, seconds. The multi-process tests and the workers
benchmark both start it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any, TextIO

from seventime_async import RateLimiter, RedisRateLimiter, SevenTime, Shard, SharedSchedule


class ThrottledLimiter:
    """throttled-py's GCRA on Redis (no burst), as a ``rate_limit``: the library the
    workers benchmark compares ``RedisRateLimiter`` with (``bench`` extra)."""

    period = 1.0
    idle_slots = False

    def __init__(self, redis_url: str, rate: float) -> None:
        from throttled.asyncio import RedisStore, Throttled, per_sec

        self.rate = rate
        self._key = ""
        self._throttle = Throttled(
            using="gcra",
            quota=per_sec(round(rate), burst=1),
            store=RedisStore(server=redis_url),
            timeout=600,
        )

    def for_key(self, key_id: str) -> ThrottledLimiter:
        self._key = f"throttled:{key_id}"
        return self

    async def acquire(self, *, idle_only: bool = False) -> None:
        await self._throttle.limit(self._key)

    def departed(self, granted_at: float, departed_at: float) -> None:
        pass

    def observe(
        self,
        round_trip: float,
        kind: str = "",
        sent_at: float | None = None,
        departed_at: float | None = None,
    ) -> None:
        pass

    async def backoff(self, retry_after: float) -> None:
        pass

    async def aclose(self) -> None:
        pass


async def run(args: argparse.Namespace, shard: Shard, out: TextIO) -> dict[str, Any]:
    limiter: Any
    if args.limiter == "redis":
        limiter = RedisRateLimiter(args.redis_url, rate=args.rate)
    elif args.limiter == "throttled":
        limiter = ThrottledLimiter(args.redis_url, args.rate)
    else:
        limiter = RateLimiter(args.rate)
    started = time.monotonic()
    try:
        async with SevenTime(base_url=args.base_url, rate_limit=limiter) as st:
            records = 0
            async for record in st.supplier_invoices.list(shard=shard):
                out.write(record.id + "\n")
                out.flush()  # a worker killed mid-run leaves what it wrote
                records += 1
            schedule = st.rate_limiter
            return {
                "records": records,
                "requests": st.stats.requests,
                "rate_limited": st.stats.rate_limited,
                "commands": schedule.commands if isinstance(schedule, SharedSchedule) else 0,
                "late_slots": schedule.late_slots if isinstance(schedule, SharedSchedule) else 0,
                "seconds": time.monotonic() - started,
            }
    finally:
        await limiter.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--shard", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--limiter", choices=("redis", "local", "throttled"), default="redis")
    parser.add_argument("--redis-url")
    parser.add_argument("--rate", type=float, default=4.0)
    parser.add_argument(
        "--go", help="a file to wait for before starting (after imports: a start barrier)"
    )
    args = parser.parse_args()
    shard = Shard.from_dict(json.loads(Path(args.shard).read_text()))
    if args.go:
        Path(args.out + ".ready").touch()
        while not Path(args.go).exists():
            time.sleep(0.005)
    with open(args.out, "w", encoding="utf-8") as out:
        report = asyncio.run(run(args, shard, out))
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
