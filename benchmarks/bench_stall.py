"""4. Longest event-loop stall during an export.

A ticker task (``await asyncio.sleep(0.001)`` in a loop) runs beside each export and
records how late every wake-up is; the longest lateness is the longest time the export
held the event loop. Rate limit off and latency 0, so decoding is as dense as it gets.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
from _common import LIST_PATH, PAGE_SIZE, GcTimer, Ticker, md_table, warm_up, yes_no
from bench_throughput import raw_walk, sdk_walk

from seventime_async import SevenTime, SupplierInvoice
from seventime_async._converter import converter
from seventime_async._decode import Response, decode_envelope_page, iter_records
from seventime_async.testing import SandboxProcess

GOAL_MS = 5.0  # issue 12: an export as it runs
STRESS_GOAL_MS = 10.0  # issue 8: unpaced, pages arriving together


async def whole_page_walk(url: str, key: str) -> int:
    """aiohttp, then the SDK's own decoding, but a whole page of records at once
    (``list(iter_records(...))``: the converter over the list, no loop turns)."""
    count = 0
    async with aiohttp.ClientSession(headers={"Client-Secret": key}) as session:
        page = 1
        while True:
            params = {"limit": str(PAGE_SIZE), "page": str(page)}
            async with session.get(url + LIST_PATH, params=params) as response:
                body = await response.read()
            raw = decode_envelope_page(
                Response(status=200, headers={}, body=body, method="GET", path=LIST_PATH)
            )
            records = list(iter_records(raw, SupplierInvoice))
            count += len(records)
            if page >= raw.meta.total_pages:
                break
            page += 1
    return count


async def paced_walk(url: str, key: str) -> int:
    """``list()`` with every default, the client paced at 4 req/s: an export as it runs."""
    count = 0
    async with SevenTime(key, base_url=url) as st:
        async for _invoice in st.supplier_invoices.list():
            count += 1
    return count


def sdk(concurrency: int, *variants: str) -> Callable[[str, str], Awaitable[int]]:
    async def walk(url: str, key: str) -> int:
        return await sdk_walk(url, key, concurrency=concurrency, variants=variants)

    return walk


@contextlib.contextmanager
def gc_off() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def without_gc(walk: Callable[[str, str], Awaitable[int]]) -> Callable[[str, str], Awaitable[int]]:
    async def run(url: str, key: str) -> int:
        with gc_off():
            return await walk(url, key)

    return run


async def measure(walk: Callable[[str, str], Awaitable[int]], url: str, key: str) -> dict[str, Any]:
    with Ticker() as ticker, GcTimer() as collector:
        await asyncio.sleep(0.01)
        records = await walk(url, key)
    return {
        "records": records,
        **ticker.summary(),
        "gc_longest_ms": collector.longest_ms,
        "gc_full_passes": collector.full_passes,
    }


def section(quick: bool) -> dict[str, Any]:
    records = 4_000 if quick else 20_000
    rounds = 1 if quick else 3
    pages = -(-records // PAGE_SIZE)
    variants: list[tuple[str, str, Callable[[str, str], Awaitable[int]]]] = [
        ("paced", "seventime_async, every default, paced at 4 req/s (an export)", paced_walk),
        ("sdk", "seventime_async, unpaced (`rate_limit=None`), concurrency 4", sdk(4)),
        ("sdk1", "seventime_async, unpaced, concurrency=1", sdk(1)),
        ("raw", "raw aiohttp loop, `json.loads` per page", raw_walk),
        ("raw-nogc", "raw aiohttp loop, `gc.disable()` (diagnostic)", without_gc(raw_walk)),
        ("whole", "whole page at once: the SDK's decoding, no loop turns", whole_page_walk),
        (
            "wholejson",
            "SDK, but each page parsed whole by `json.loads(parse_float=Decimal)`",
            sdk(4, "whole-page-json"),
        ),
        ("orjson", "SDK, but each page parsed whole by `orjson.loads`", sdk(4, "orjson")),
    ]
    runs: dict[str, list[dict[str, Any]]] = {short: [] for short, _, _ in variants}
    # The SDK builds its (process-wide) cattrs converter when the first client is created,
    # before any walk: a one-time cost, timed here on its own.
    converter.cache_clear()
    started = time.perf_counter()
    converter()
    build_ms = (time.perf_counter() - started) * 1000
    with SandboxProcess(records=records, rate_limit=False, latency=0.0, quiet=True) as server:
        url, key = server.url, server.client_secret
        asyncio.run(warm_up(url, [key] * pages, pages))
        for _ in range(rounds):
            for short, _name, walk in variants:
                gc.collect()
                runs[short].append(asyncio.run(measure(walk, url, key)))

    rows = []
    for short, name, _walk in variants:
        maxes = [run["max_ms"] for run in runs[short]]
        rows.append(
            [
                name,
                " / ".join(f"{value:.1f}" for value in maxes),
                f"**{statistics.median(maxes):.1f}**",
                f"{max(run['p99_ms'] for run in runs[short]):.2f}",
                str(max(run["over_10ms"] for run in runs[short])),
                f"{max(run['gc_longest_ms'] for run in runs[short]):.1f}",
                str(max(run["gc_full_passes"] for run in runs[short])),
                f"{runs[short][0]['records']:,}",
            ]
        )
    sdk_median = statistics.median(run["max_ms"] for run in runs["sdk"])
    sdk_worst = max(run["max_ms"] for run in runs["sdk"])
    paced_median = statistics.median(run["max_ms"] for run in runs["paced"])
    paced_worst = max(run["max_ms"] for run in runs["paced"])
    md = [
        f"{records:,} records, sandbox in another process, rate limit off, latency 0. A "
        "ticker task sleeps 1 ms in a loop beside the export and records how late each "
        f"wake-up is. {rounds} rounds per client (interleaved); the goal is judged on the "
        "median of the per-round maxima (the worst round is shown too). The collector's "
        "passes are timed too (`gc.callbacks`; worst round): a full pass scans every live "
        "container, so its pause grows with the parsed pages held in memory.",
        md_table(
            [
                "client",
                "longest stall per round (ms)",
                "median (ms)",
                "p99 lateness (ms)",
                "wake-ups > 10 ms",
                "longest GC pass (ms)",
                "full GC passes",
                "records",
            ],
            rows,
        ),
        f"SDK longest stall, an export as it runs (paced): median {paced_median:.1f} ms, worst "
        f"{paced_worst:.1f} ms (goal < {GOAL_MS:g} ms: {yes_no(paced_median < GOAL_MS)}); "
        f"unpaced, 4 pages at once over loopback (the stress case: answers arrive together): "
        f"median {sdk_median:.1f} ms, worst {sdk_worst:.1f} ms (goal < {STRESS_GOAL_MS:g} ms: "
        f"{yes_no(sdk_median < STRESS_GOAL_MS)}). The SDK splits a page "
        "in one native scan when it arrives (~1.3 ms for 1.3 MB) and decodes its records a "
        "dozen at a time as the walk asks for them, handing the loop back every ~0.5 ms, so "
        "no single step decodes a whole body; the whole-page rows show what that saves. The "
        "first round of a process also makes the record classes' decoders (field types, "
        "msgspec mirrors, generated functions): one class per loop turn, when the first "
        "page is in. The stall is the ticker's lateness: it also counts the time the "
        "operating system gives the sandbox's process (rendering the next pages) instead of "
        "ours on this 2-core machine. Not in the table: building the cattrs converter takes "
        f"{build_ms:.1f} ms, once per process, in the first `SevenTime(...)` call, before "
        "any request.",
    ]
    whole = {short: statistics.median(run["max_ms"] for run in runs[short]) for short in runs}
    findings = [
        f"Keep decoding list records a chunk at a time: parsed whole, a page holds the loop for "
        f"{whole['wholejson']:.1f} ms with `json.loads` and {whole['orjson']:.1f} ms with "
        f"orjson (median longest stall), against {sdk_median:.1f} ms for the SDK "
        f"(goal < {GOAL_MS:g} ms)."
    ]
    return {
        "markdown": "\n\n".join(md),
        "findings": findings,
        "goals": [
            [
                "4. longest event-loop stall, SDK export, unpaced stress (median of rounds)",
                f"{sdk_median:.1f} ms (worst {sdk_worst:.1f})",
                f"< {STRESS_GOAL_MS:g} ms",
                sdk_median < STRESS_GOAL_MS,
            ],
            [
                "12. longest event-loop stall, default export as it runs (paced; median)",
                f"{paced_median:.1f} ms (worst {paced_worst:.1f})",
                f"< {GOAL_MS:g} ms",
                paced_median < GOAL_MS,
            ],
        ],
        "data": runs,
    }
