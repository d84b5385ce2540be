"""2. Typed-record throughput, rate limit off, loopback; plus the cattrs/JSON micro-benchmark.

Every client walks the same sandbox (another process, latency 0, no rate limit) the same
way: strictly sequentially, one page of 500 after the other (the SDK with
``concurrency=1``). The SDK at its default concurrency (4) is shown too, marked as such.
Rounds are interleaved (A B C A B C ...) and each client's best round counts.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import json
import pstats
import time
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any

import _variants
import aiohttp
import httpx
import orjson
from _common import LIST_PATH, PAGE_SIZE, fmt_int, md_table, raw_export, warm_up, yes_no
from _pydantic_models import PydListPage

from seventime_async import SevenTime, SupplierInvoice
from seventime_async._converter import converter as sdk_converter
from seventime_async._decode import Response, decode_envelope_page
from seventime_async.testing import SandboxProcess

GOAL_VS_PYDANTIC = 1.2
SDK_PARSE = "the SDK's own list parsing (`decode_envelope_page`, iterate the records)"
SDK_E2E = "the SDK's parsing + SDK converter (the SDK today)"


# -- the clients ----------------------------------------------------------------------------


async def sdk_walk(
    url: str, key: str, *, concurrency: int = 1, variants: Sequence[str] = ()
) -> int:
    count = 0
    with _variants.use(*variants):
        async with SevenTime(key, base_url=url, rate_limit=None) as st:
            async for _invoice in st.supplier_invoices.list(concurrency=concurrency):
                count += 1
    return count


async def httpx_pydantic_walk(url: str, key: str) -> int:
    count = 0
    headers = {"Client-Secret": key, "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        page = 1
        while True:
            response = await client.get(
                LIST_PATH, params={"limit": str(PAGE_SIZE), "page": str(page)}
            )
            response.raise_for_status()
            parsed = PydListPage.model_validate_json(response.content)
            for _invoice in parsed.data:
                count += 1
            if page >= parsed.meta.total_pages:
                break
            page += 1
    return count


async def raw_walk(url: str, key: str) -> int:
    result = await raw_export(url, key)
    records: int = result["records"]
    return records


def transport_walk(pages: int) -> Callable[[str, str], Awaitable[int]]:
    async def walk(url: str, key: str) -> int:
        await raw_export(url, key, parse=None, pages=pages)
        return pages * PAGE_SIZE

    return walk


def httpx_read_walk(pages: int) -> Callable[[str, str], Awaitable[int]]:
    async def walk(url: str, key: str) -> int:
        headers = {"Client-Secret": key, "Accept": "application/json"}
        async with httpx.AsyncClient(base_url=url, headers=headers) as client:
            for page in range(1, pages + 1):
                response = await client.get(
                    LIST_PATH, params={"limit": str(PAGE_SIZE), "page": str(page)}
                )
                response.raise_for_status()
        return pages * PAGE_SIZE

    return walk


def sdk(concurrency: int = 1, *variants: str) -> Callable[[str, str], Awaitable[int]]:
    async def walk(url: str, key: str) -> int:
        return await sdk_walk(url, key, concurrency=concurrency, variants=variants)

    return walk


# -- the micro-benchmark (no network) ---------------------------------------------------------


def best_seconds(func: Callable[[], Any], passes: int) -> float:
    best = float("inf")
    for _ in range(passes):
        gc.collect()
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def micro(bodies: list[bytes], passes: int) -> dict[str, Any]:
    """Decode the same bodies many ways. Every variant drops its results page by page,
    as a streaming walk does (keeping them would make the collector's passes, not the
    decoding, dominate)."""
    records = sum(len(json.loads(body)["data"]) for body in bodies)
    sdk_conv = sdk_converter()
    mutable = _variants.copy_classes(frozen=False)
    frozen = _variants.copy_classes(frozen=True)
    conv_mutable = _variants.build_converter(mutable.values())
    conv_frozen = _variants.build_converter(frozen.values(), frozen=True)
    conv_mutable_fast = _variants.build_converter(mutable.values(), detailed_validation=False)
    fast = _variants.fast_structure()
    inline = _variants.inline_structure()
    inline_frozen = _variants.inline_structure(frozen.values(), frozen=True)
    cattrs_only = _variants.cattrs_only_converter()
    inv_mutable, inv_frozen = mutable[SupplierInvoice], frozen[SupplierInvoice]

    def structure_all(pages: list[list[Any]], func: Callable[[Any], Any]) -> Callable[[], None]:
        def run() -> None:
            for page in pages:
                for record in page:
                    func(record)

        return run

    def parse_only(parse: Callable[[bytes], Any]) -> Callable[[], None]:
        def run() -> None:
            for body in bodies:
                parse(body)

        return run

    def parse_structure(
        parse: Callable[[bytes], Any], func: Callable[[Any], Any]
    ) -> Callable[[], None]:
        def run() -> None:
            for body in bodies:
                for record in parse(body)["data"]:
                    func(record)

        return run

    def json_dec(body: bytes) -> Any:
        return json.loads(body, parse_float=Decimal)

    def sdk_one(record: Any) -> Any:
        return sdk_conv.structure(record, SupplierInvoice)

    def fast_one(record: Any) -> Any:
        return fast(record, SupplierInvoice)

    def inline_one(record: Any) -> Any:
        return inline(record, SupplierInvoice)

    def cattrs_one(record: Any) -> Any:
        assert cattrs_only is not None
        return cattrs_only.structure(record, SupplierInvoice)


    responses = [
        Response(status=200, headers={}, body=body, method="GET", path=LIST_PATH)
        for body in bodies
    ]

    def sdk_path(func: Callable[[Any], Any] | None) -> Callable[[], None]:
        def run() -> None:
            for response in responses:
                for record in decode_envelope_page(response).records:
                    if func is not None:
                        func(record)

        return run

    def timed(rows: list[tuple[str, Callable[[], Any]]]) -> list[tuple[str, float]]:
        return [(name, best_seconds(func, passes)) for name, func in rows]

    # First what needs only the bodies (bytes: nothing for the collector to scan).
    results = {
        "end_to_end": timed(
            [
                (SDK_E2E, sdk_path(sdk_one)),
                (
                    "json.loads(Decimal) whole page + SDK converter",
                    parse_structure(json_dec, sdk_one),
                ),
                ("orjson.loads whole page + SDK converter", parse_structure(orjson.loads, sdk_one)),
                *(
                    [("the SDK's parsing + cattrs only (`fast_path=False`)", sdk_path(cattrs_one))]
                    if cattrs_only is not None
                    else [("the SDK's parsing + inline structure", sdk_path(inline_one))]
                ),
                ("orjson.loads + inline structure", parse_structure(orjson.loads, inline_one)),
                (
                    "pydantic PydListPage.model_validate_json (whole page)",
                    parse_only(PydListPage.model_validate_json),
                ),
            ]
        ),
        "parse": timed(
            [
                (SDK_PARSE, sdk_path(None)),
                ("json.loads(parse_float=Decimal), whole page", parse_only(json_dec)),
                ("json.loads (floats), whole page", parse_only(json.loads)),
                ("orjson.loads (floats), whole page", parse_only(orjson.loads)),
            ]
        ),
    }
    # Then structuring alone, from dicts parsed beforehand; those stay alive for the
    # whole series, so they are frozen out of the collector's reach.
    dec_pages = [json.loads(body, parse_float=Decimal)["data"] for body in bodies]
    float_pages = [json.loads(body)["data"] for body in bodies]
    orjson_pages = [orjson.loads(body)["data"] for body in bodies]
    structure_rows: list[tuple[str, Callable[[], None]]] = [
        ("SDK converter as is (Decimal dicts)", structure_all(dec_pages, sdk_one)),
        *(
            [
                (
                    "SDK converter, cattrs only (`fast_path=False`)",
                    structure_all(dec_pages, cattrs_one),
                )
            ]
            if cattrs_only is not None
            else []
        ),
        (
            "replica of the cattrs-only converter, attrs.define copies",
            structure_all(dec_pages, lambda r: conv_mutable.structure(r, inv_mutable)),
        ),
        (
            "replica, attrs.frozen copies",
            structure_all(dec_pages, lambda r: conv_frozen.structure(r, inv_frozen)),
        ),
        (
            "replica, define copies, detailed_validation=False",
            structure_all(dec_pages, lambda r: conv_mutable_fast.structure(r, inv_mutable)),
        ),
        (
            "SDK converter on orjson dicts (float -> Decimal(repr))",
            structure_all(orjson_pages, sdk_one),
        ),
        ("SDK converter on json.loads float dicts", structure_all(float_pages, sdk_one)),
        ("inline structure (benchmark's) on Decimal dicts", structure_all(dec_pages, inline_one)),
        (
            "inline structure (benchmark's), attrs.frozen copies",
            structure_all(dec_pages, lambda r: inline_frozen(r, inv_frozen)),
        ),
        ("inline structure (benchmark's) on orjson dicts", structure_all(orjson_pages, inline_one)),
    ]
    gc.collect()
    gc.freeze()
    try:
        results["structure"] = timed(structure_rows)
    finally:
        gc.unfreeze()
    # Correctness of the variants against the SDK (every record, every field, extra too).
    json_records = [sdk_one(r) for page in dec_pages for r in page]
    return {
        "records": records,
        "pages": len(bodies),
        "bytes": sum(len(b) for b in bodies),
        **results,
        "same_orjson": json_records == [sdk_one(r) for page in orjson_pages for r in page],
        "same_fast": json_records == [fast_one(r) for page in dec_pages for r in page],
        "same_inline": json_records == [inline_one(r) for page in dec_pages for r in page],
        "same_cattrs": cattrs_only is None
        or json_records == [cattrs_one(r) for page in dec_pages for r in page],
        "same_inline_orjson": json_records
        == [inline_one(r) for page in orjson_pages for r in page],
    }


async def fetch_bodies(url: str, key: str, pages: int) -> list[bytes]:
    bodies = []
    async with aiohttp.ClientSession(headers={"Client-Secret": key}) as session:
        for page in range(1, pages + 1):
            params = {"limit": str(PAGE_SIZE), "page": str(page)}
            async with session.get(url + LIST_PATH, params=params) as response:
                bodies.append(await response.read())
    return bodies


# -- profile ---------------------------------------------------------------------------------


def _short(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    if filename == "~":
        return name
    return f"{filename}:{line}({name})"


def profile_rows(walk: Callable[[], Awaitable[Any]], top: int) -> tuple[float, list[list[str]]]:
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(walk())
    profiler.disable()
    stats = pstats.Stats(profiler)
    total: float = stats.total_tt  # type: ignore[attr-defined]
    entries = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: item[1][2],
        reverse=True,
    )[:top]
    rows = [
        [
            f"`{_short(func)}`",
            fmt_int(nc),
            f"{tt * 1000:.0f}",
            f"{tt / total * 100:.1f} %",
            f"{ct * 1000:.0f}",
        ]
        for func, (_cc, nc, tt, ct, _callers) in entries
    ]
    return total, rows


# -- the section --------------------------------------------------------------------------------


def section(quick: bool) -> dict[str, Any]:
    records = 4_000 if quick else 20_000
    rounds = 2 if quick else 3
    pages = -(-records // PAGE_SIZE)
    with SandboxProcess(records=records, rate_limit=False, latency=0.0, quiet=True) as server:
        url, key = server.url, server.client_secret
        asyncio.run(warm_up(url, [key] * pages, pages))
        bodies = asyncio.run(fetch_bodies(url, key, pages))

        clients: list[tuple[str, str, Callable[[str, str], Awaitable[int]]]] = [
            ("sdk", "seventime_async (concurrency=1)", sdk(1)),
            ("raw", "aiohttp + json.loads, dicts (untyped)", raw_walk),
            ("pydantic", "httpx + pydantic v2 (model_validate_json per page)", httpx_pydantic_walk),
            ("transport", "aiohttp, read bodies only (transport share)", transport_walk(pages)),
            ("httpx", "httpx, read bodies only (transport share)", httpx_read_walk(pages)),
            ("sdk4", "seventime_async, default concurrency=4 (not sequential)", sdk(4)),
            *(
                [
                    (
                        "cattrs",
                        "SDK, cattrs-only converter (`fast_path=False`)",
                        sdk(1, "cattrs-only"),
                    )
                ]
                if _variants.cattrs_only_converter() is not None
                else [("inline", "SDK + inline structure (candidate)", sdk(1, "inline-structure"))]
            ),
            ("orjson", "SDK + orjson, whole page (candidate)", sdk(1, "orjson")),
            (
                "wholejson",
                "SDK + `json.loads(parse_float=Decimal)`, whole page",
                sdk(1, "whole-page-json"),
            ),
        ]
        best: dict[str, float] = {}
        counts: dict[str, int] = {}
        for _ in range(rounds):
            for short, _name, walk in clients:
                gc.collect()
                started = time.perf_counter()
                counts[short] = asyncio.run(walk(url, key))
                elapsed = time.perf_counter() - started
                best[short] = min(best.get(short, float("inf")), elapsed)

        sdk_total, sdk_profile = profile_rows(lambda: sdk_walk(url, key), 16)
        pyd_total, pyd_profile = profile_rows(lambda: httpx_pydantic_walk(url, key), 8)

    micro_results = micro(bodies, passes=2 if quick else 3)

    rate = {short: records / seconds for short, seconds in best.items()}
    sdk_vs_raw = rate["sdk"] / rate["raw"]
    sdk_vs_pyd = rate["sdk"] / rate["pydantic"]
    md: list[str] = []
    md.append(
        f"{records:,} records ({pages} pages of {PAGE_SIZE}, {sum(map(len, bodies)) / 1e6:.1f} MB "
        "of JSON) from a sandbox in another process, rate limit off, latency 0. Every "
        "client walks **sequentially, page by page** (the SDK with `concurrency=1`), "
        f"except the row marked concurrency=4. Best of {rounds} interleaved rounds; "
        "the time includes creating and closing each client."
    )
    rows = []
    for short, name, _walk in clients:
        count = counts[short]
        rows.append(
            [
                name,
                f"{best[short]:.3f}",
                fmt_int(rate[short]),
                f"{rate[short] / rate['sdk']:.2f}",
                fmt_int(count),
            ]
        )
    md.append(md_table(["client", "best s", "records/s", "vs SDK", "records"], rows))
    md.append(
        f"**SDK / raw aiohttp+json.loads = {sdk_vs_raw:.2f}** (throughput ratio; the raw "
        f"client builds no typed records). **SDK / httpx+pydantic = {sdk_vs_pyd:.2f}** "
        f"(goal >= {GOAL_VS_PYDANTIC}: {yes_no(sdk_vs_pyd >= GOAL_VS_PYDANTIC)})."
    )

    # Where the SDK's time goes: transport and decoding timed on their own, the decoding
    # split into parsing (timed alone) and structuring (the remainder: each record is
    # structured right after it is parsed, while it is hot in the cache, as in a walk).
    parse_s = dict(micro_results["parse"])[SDK_PARSE]
    decode_s = dict(micro_results["end_to_end"])[SDK_E2E]
    transport_s = best["transport"]
    breakdown = [
        ("HTTP: requests, reading the bodies (aiohttp read-only walk)", transport_s),
        ("parsing JSON (the SDK's `decode_envelope_page`, iterating its records)", parse_s),
        ("structuring (SDK parsing + converter, minus parsing alone)", decode_s - parse_s),
        (
            "the rest: paginator, dedupe, `async for`, loop turns (walk minus the above)",
            best["sdk"] - transport_s - decode_s,
        ),
    ]
    md.append("Where the SDK's sequential walk spends its time:")
    md.append(
        md_table(
            ["part", "seconds", "share"],
            [
                *[
                    [name, f"{sec:.3f}", f"{sec / best['sdk'] * 100:.0f} %"]
                    for name, sec in breakdown
                ],
                ["**SDK walk, total**", f"{best['sdk']:.3f}", "100 %"],
            ],
        )
    )
    md.append(
        f"cProfile of one SDK walk (concurrency=1; {sdk_total:.2f} s under the profiler, "
        "which inflates Python-level calls), top functions by own time:"
    )
    md.append(md_table(["function", "calls", "own ms", "own %", "cumulative ms"], sdk_profile))
    md.append(f"For contrast, httpx + pydantic under the profiler ({pyd_total:.2f} s):")
    md.append(md_table(["function", "calls", "own ms", "own %", "cumulative ms"], pyd_profile))

    n = micro_results["records"]
    md.append(
        f"#### Micro-benchmark: decoding without network ({n:,} records, "
        f"{micro_results['pages']} bodies; best of {2 if quick else 3} passes)"
    )
    parse_rows = [
        [name, f"{sec * 1000 / micro_results['pages']:.2f}", fmt_int(n / sec)]
        for name, sec in micro_results["parse"]
    ]
    md.append("Parsing the page bodies only:")
    md.append(md_table(["parser", "ms per 500-record page", "records/s"], parse_rows))
    base = dict(micro_results["structure"])["SDK converter as is (Decimal dicts)"]
    md.append("cattrs structuring only (dicts already parsed):")
    md.append(
        md_table(
            ["variant", "us/record", "records/s", "vs SDK"],
            [
                [name, f"{sec / n * 1e6:.1f}", fmt_int(n / sec), f"{base / sec:.2f}"]
                for name, sec in micro_results["structure"]
            ],
        )
    )
    base = dict(micro_results["end_to_end"])[SDK_E2E]
    md.append("Parse + structure, end to end (bytes in, typed records out):")
    md.append(
        md_table(
            ["variant", "us/record", "records/s", "vs SDK"],
            [
                [name, f"{sec / n * 1e6:.1f}", fmt_int(n / sec), f"{base / sec:.2f}"]
                for name, sec in micro_results["end_to_end"]
            ],
        )
    )
    md.append(
        f"Same records (every field, `extra` included) via orjson as via "
        f"`json.loads(parse_float=Decimal)`: {yes_no(micro_results['same_orjson'])}; via "
        f"detailed_validation=False: {yes_no(micro_results['same_fast'])}; via inline "
        f"structure: {yes_no(micro_results['same_inline'])}; via orjson + inline structure: "
        f"{yes_no(micro_results['same_inline_orjson'])}; the SDK's converter with and "
        f"without its fast path: {yes_no(micro_results['same_cattrs'])}."
    )
    return {
        "markdown": "\n\n".join(md),
        "goals": [
            [
                "2. typed throughput: SDK / httpx+pydantic",
                f"{sdk_vs_pyd:.2f}",
                f">= {GOAL_VS_PYDANTIC}",
                sdk_vs_pyd >= GOAL_VS_PYDANTIC,
            ],
        ],
        "data": {
            "best_seconds": best,
            "records_per_second": rate,
            "sdk_vs_raw": sdk_vs_raw,
            "sdk_vs_pydantic": sdk_vs_pyd,
            "micro": dict(micro_results),
        },
    }
