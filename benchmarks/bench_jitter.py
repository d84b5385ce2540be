"""5. Pacing through network jitter: a saturated export through a jitter proxy.

The sandbox (its own process, the strict sliding window: at most 4 accepted requests in
any 1 s per key, 429 past it) sits behind a proxy (another process) that holds every
request for a uniformly random 0..J ms before forwarding it: the arrival times the
server counts move by up to J against the send times the client paces. Per J in
(0, 10, 30) ms, the SDK exports with its defaults (``list(limit=100)``, many small pages
so that the limit, not the transfer, is the bottleneck), on a fresh key.

Reported: 429 answers the server gave (goal 0 at every J), the most requests the server
accepted in any 1 s, and time / bound, where bound = (pages - 1) x 0.25 s + one round
trip (goal <= 1.02 at J = 0 on loopback).

Run alone: python benchmarks/bench_jitter.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RATE_INTERVAL, Server, md_table, round_trip, warm_up

from seventime_async import SevenTime, SevenTimeError

JITTERS_MS = (0, 10, 30)
PAGE = 100
GOAL_RATIO = 1.02


# -- the proxy (run in its own process: ``bench_jitter.py --proxy TARGET JITTER_MS``) -------


async def serve_proxy(target: str, jitter_ms: float) -> None:
    rng = random.Random(7)
    session = aiohttp.ClientSession(auto_decompress=False)

    async def forward(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(rng.uniform(0, jitter_ms) / 1000)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with session.request(
            request.method,
            target + request.path_qs,
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
        ) as upstream:
            body = await upstream.read()
            out = {
                k: v
                for k, v in upstream.headers.items()
                if k.lower() not in ("content-length", "transfer-encoding", "connection")
            }
            return web.Response(status=upstream.status, body=body, headers=out)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"url": f"http://127.0.0.1:{port}"}), flush=True)
    await asyncio.Event().wait()


class Proxy:
    """The jitter proxy in its own process."""

    def __init__(self, target: str, jitter_ms: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--proxy", target, str(jitter_ms)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url: str = json.loads(self.process.stdout.readline())["url"]

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# -- the export --------------------------------------------------------------------------


async def export(url: str, key: str, agent: str) -> dict[str, Any]:
    st = SevenTime(key, base_url=url, user_agent=agent)
    records, error = 0, None
    started = time.perf_counter()
    try:
        async with st:
            async for _invoice in st.supplier_invoices.list(limit=PAGE):
                records += 1
    except SevenTimeError as exc:
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    interval = st.rate_limiter.interval if st.rate_limiter else 0.0
    return {
        "seconds": seconds,
        "records": records,
        "error": error,
        "requests": st.stats.requests,
        "rate_limited": st.stats.rate_limited,
        "final_interval_ms": interval * 1000,
    }


def run_level(server: Server, jitter_ms: int, pages: int) -> dict[str, Any]:
    with Proxy(server.url, jitter_ms) as proxy:
        rtt = asyncio.run(round_trip(proxy.url, server.next_key()))
        agent = f"bench/jitter/J={jitter_ms}"
        result = asyncio.run(export(proxy.url, server.next_key(), agent))
    time.sleep(0.5)
    seen = server.statuses_by_agent().get(agent, {})
    result.update(
        jitter_ms=jitter_ms,
        rtt=rtt,
        bound=(pages - 1) * RATE_INTERVAL + rtt,
        server_429=seen.get(429, 0),
    )
    result["ratio"] = result["seconds"] / result["bound"]
    return result


def section(quick: bool) -> dict[str, Any]:
    records = 2_000 if quick else 6_000
    pages = -(-records // PAGE)
    with Server(keys=pages + 10, records=records, rate_limit=True) as server:
        asyncio.run(warm_up(server.url, server.keys[:pages], pages, limit=PAGE))
        server._next = pages
        levels = [run_level(server, jitter, pages) for jitter in JITTERS_MS]
    rows = [
        [
            f"{r['jitter_ms']} ms",
            r["requests"],
            r["server_429"],
            f"{r['seconds']:.2f} s",
            f"{r['bound']:.2f} s",
            f"{r['ratio']:.3f}",
            f"{r['final_interval_ms']:.1f} ms",
            r["error"] or "",
        ]
        for r in levels
    ]
    quiet = levels[0]
    goals = [
        [
            "jitter: 429s at 0/10/30 ms",
            " / ".join(str(r["server_429"]) for r in levels),
            "0 each",
            all(r["server_429"] == 0 and r["error"] is None for r in levels),
        ],
        ["jitter: time/bound at 0 ms", f"{quiet['ratio']:.3f}", f"<= {GOAL_RATIO}",
         quiet["ratio"] <= GOAL_RATIO],
    ]  # fmt: skip
    markdown = (
        f"{records} records in pages of {PAGE} ({pages} requests) per level, each on a "
        "fresh key, through a proxy process adding uniform 0..J ms before each request "
        "reaches the strict-window sandbox process.\n\n"
        + md_table(
            [
                "jitter J",
                "requests",
                "server 429s",
                "time",
                "bound",
                "time / bound",
                "spacing at the end",
                "error",
            ],
            rows,
        )
    )
    return {"markdown": markdown, "goals": goals, "levels": levels}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--proxy"]:
        asyncio.run(serve_proxy(sys.argv[2], float(sys.argv[3])))
    else:
        result = section("--quick" in sys.argv)
        print(result["markdown"])
        for goal in result["goals"]:
            print(goal)
