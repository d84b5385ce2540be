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
import attrs
import httpx
import orjson
from _common import LIST_PATH, PAGE_SIZE, fmt_int, md_table, raw_export, warm_up, yes_no
from _pydantic_models import PydListPage, twin_page
from pydantic import BaseModel

from seventime_async import Invoice, SevenTime, SupplierInvoice
from seventime_async._converter import converter as sdk_converter
from seventime_async._decode import Response, decode_envelope_page, iter_records
from seventime_async.testing import SandboxProcess

GOAL_VS_PYDANTIC = 1.5
GOAL_VS_RAW = 0.85
#: The second record shape: invoices, ~90 fields with nested rows, addresses, log entries.
INVOICES_PATH = "/api/2/invoices/"
SDK_PARSE = "the converter's road: lazy stdlib parsing (`decode_envelope_page`), iterated"
NATIVE_E2E = "native: `iter_records` as the SDK runs it (msgspec mirrors, chunks of 25)"
SDK_E2E = "the converter's road: lazy stdlib parsing + converter (the SDK before)"
ORJSON_E2E = "orjson.loads whole page + SDK converter"
STRUCTURE_BASE = "SDK converter as is (fast path; Decimal dicts)"
DEFINE_FAST = "SDK converter, `attrs.define` copies of the classes (control)"
FROZEN_FAST = "SDK converter, `attrs.frozen` copies"
NO_DETAIL_FAST = "SDK converter, `detailed_validation=False` (detailed one on failure)"
CATTRS_ONLY = "cattrs only (`fast_path=False`)"
DEFINE_CATTRS = "cattrs only, `attrs.define` copies (control)"
FROZEN_CATTRS = "cattrs only, `attrs.frozen` copies"
NO_DETAIL_CATTRS = "cattrs only, `detailed_validation=False` (detailed one on failure)"


# -- the clients ----------------------------------------------------------------------------


async def sdk_walk(
    url: str,
    key: str,
    *,
    concurrency: int = 1,
    variants: Sequence[str] = (),
    collection: str = "supplier_invoices",
) -> int:
    count = 0
    with _variants.use(*variants):
        async with SevenTime(key, base_url=url, rate_limit=None) as st:
            async for _record in getattr(st, collection).list(concurrency=concurrency):
                count += 1
    return count


async def httpx_pydantic_walk(
    url: str, key: str, *, path: str = LIST_PATH, model: type[BaseModel] = PydListPage
) -> int:
    count = 0
    headers = {"Client-Secret": key, "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        page = 1
        while True:
            response = await client.get(path, params={"limit": str(PAGE_SIZE), "page": str(page)})
            response.raise_for_status()
            parsed: Any = model.model_validate_json(response.content)
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


def transport_walk(pages: int, path: str = LIST_PATH) -> Callable[[str, str], Awaitable[int]]:
    async def walk(url: str, key: str) -> int:
        await raw_export(url, key, parse=None, pages=pages, path=path)
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
    cattrs_only = _variants.cattrs_only_converter()
    mutable = _variants.copy_classes(frozen=False)
    frozen = _variants.copy_classes(frozen=True)
    inv_mutable, inv_frozen = mutable[SupplierInvoice], frozen[SupplierInvoice]
    conv_mutable = _variants.build_converter(mutable.values())
    conv_frozen = _variants.build_converter(frozen.values())
    conv_mutable_cattrs = _variants.build_converter(mutable.values(), fast_path=False)
    conv_frozen_cattrs = _variants.build_converter(frozen.values(), fast_path=False)
    no_detail = _variants.structure_without_detail()
    no_detail_cattrs = _variants.structure_without_detail(fast_path=False)

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

    def cattrs_one(record: Any) -> Any:
        return cattrs_only.structure(record, SupplierInvoice)

    def frozen_one(record: Any) -> Any:
        return conv_frozen.structure(record, inv_frozen)

    def converter_on(conv: Any, cls: type[Any]) -> Callable[[Any], Any]:
        return lambda record: conv.structure(record, cls)

    def no_detail_on(structure: Callable[[Any, type[Any]], Any]) -> Callable[[Any], Any]:
        return lambda record: structure(record, SupplierInvoice)

    responses = [
        Response(status=200, headers={}, body=body, method="GET", path=LIST_PATH) for body in bodies
    ]

    def sdk_path(func: Callable[[Any], Any] | None) -> Callable[[], None]:
        def run() -> None:
            for response in responses:
                for record in decode_envelope_page(response).records:
                    if func is not None:
                        func(record)

        return run

    def native_path() -> None:
        for response in responses:
            for _record in iter_records(decode_envelope_page(response), SupplierInvoice):
                pass

    def timed(rows: list[tuple[str, Callable[[], Any]]]) -> list[tuple[str, float]]:
        return [(name, best_seconds(func, passes)) for name, func in rows]

    # First what needs only the bodies (bytes: nothing for the collector to scan).
    results = {
        "end_to_end": timed(
            [
                (NATIVE_E2E, native_path),
                (SDK_E2E, sdk_path(sdk_one)),
                (
                    "json.loads(Decimal) whole page + SDK converter",
                    parse_structure(json_dec, sdk_one),
                ),
                (ORJSON_E2E, parse_structure(orjson.loads, sdk_one)),
                ("the SDK's parsing + cattrs only (`fast_path=False`)", sdk_path(cattrs_one)),
                ("the SDK's parsing + SDK converter, `attrs.frozen` copies", sdk_path(frozen_one)),
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
        (STRUCTURE_BASE, structure_all(dec_pages, sdk_one)),
        (
            DEFINE_FAST,
            structure_all(dec_pages, converter_on(conv_mutable, inv_mutable)),
        ),
        (FROZEN_FAST, structure_all(dec_pages, frozen_one)),
        (NO_DETAIL_FAST, structure_all(dec_pages, no_detail_on(no_detail))),
        (CATTRS_ONLY, structure_all(dec_pages, cattrs_one)),
        (
            DEFINE_CATTRS,
            structure_all(dec_pages, converter_on(conv_mutable_cattrs, inv_mutable)),
        ),
        (
            FROZEN_CATTRS,
            structure_all(dec_pages, converter_on(conv_frozen_cattrs, inv_frozen)),
        ),
        (NO_DETAIL_CATTRS, structure_all(dec_pages, no_detail_on(no_detail_cattrs))),
        (
            "SDK converter on orjson dicts (float -> Decimal(repr))",
            structure_all(orjson_pages, sdk_one),
        ),
        ("SDK converter on json.loads float dicts", structure_all(float_pages, sdk_one)),
    ]
    gc.collect()
    gc.freeze()
    try:
        results["structure"] = timed(structure_rows)
    finally:
        gc.unfreeze()
    # Correctness of the variants against the SDK (every record, every field, extra too;
    # the copies compared field by field, as tuples).
    sdk_records = [sdk_one(r) for page in dec_pages for r in page]
    as_tuples = [attrs.astuple(r) for r in sdk_records]

    def same(pages: list[list[Any]], func: Callable[[Any], Any], *, copies: bool = False) -> bool:
        records = [func(r) for page in pages for r in page]
        if copies:
            return as_tuples == [attrs.astuple(r) for r in records]
        return sdk_records == records

    return {
        "records": records,
        "pages": len(bodies),
        "bytes": sum(len(b) for b in bodies),
        **results,
        "same_orjson": same(orjson_pages, sdk_one),
        "same_cattrs": same(dec_pages, cattrs_one),
        "same_no_detail": same(dec_pages, no_detail_on(no_detail))
        and same(dec_pages, no_detail_on(no_detail_cattrs)),
        "same_copies": same(dec_pages, frozen_one, copies=True)
        and same(dec_pages, converter_on(conv_mutable, inv_mutable), copies=True)
        and same(dec_pages, converter_on(conv_frozen_cattrs, inv_frozen), copies=True),
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


Walk = Callable[[str, str], Awaitable[int]]


def best_of_rounds(
    clients: list[tuple[str, str, Walk]], url: str, key: str, rounds: int
) -> tuple[dict[str, float], dict[str, int]]:
    """Every client's best time over interleaved rounds (A B C A B C ...), and its count."""
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for short, _name, walk in clients:
            gc.collect()
            started = time.perf_counter()
            counts[short] = asyncio.run(walk(url, key))
            best[short] = min(best.get(short, float("inf")), time.perf_counter() - started)
    return best, counts


def walk_rows(
    clients: list[tuple[str, str, Walk]],
    best: dict[str, float],
    counts: dict[str, int],
    rate: dict[str, float],
) -> list[list[str]]:
    """The table rows: best seconds, records/s, against the SDK, records."""
    return [
        [
            name,
            f"{best[short]:.3f}",
            fmt_int(rate[short]),
            f"{rate[short] / rate['sdk']:.2f}",
            fmt_int(counts[short]),
        ]
        for short, name, _walk in clients
    ]


def invoice_walks(quick: bool, rounds: int) -> dict[str, Any]:
    """The second record shape: invoices (~4 KB each: ~90 fields, invoice rows, addresses,
    log entries, custom fields) from a sandbox seeding every collection, walked by the SDK
    (natively and by the converter's road), the raw loop and httpx + a pydantic twin of
    the SDK's classes (``twin_page``: the same fields, types and wire names)."""
    records = 2_000 if quick else 5_000
    pages = -(-records // PAGE_SIZE)
    page_model = twin_page(Invoice)
    with SandboxProcess(
        records=10, collection_records=records, rate_limit=False, quiet=True, startup_timeout=300
    ) as server:
        url, key = server.url, server.client_secret

        async def sdk_invoices(url: str, key: str, *variants: str) -> int:
            return await sdk_walk(url, key, variants=variants, collection="invoices")

        async def raw_invoices(url: str, key: str) -> int:
            result = await raw_export(url, key, path=INVOICES_PATH)
            count: int = result["records"]
            return count

        async def pydantic_invoices(url: str, key: str) -> int:
            return await httpx_pydantic_walk(url, key, path=INVOICES_PATH, model=page_model)

        async def before_invoices(url: str, key: str) -> int:
            return await sdk_invoices(url, key, "converter")

        clients: list[tuple[str, str, Walk]] = [
            ("sdk", "seventime_async (concurrency=1)", sdk_invoices),
            ("before", "SDK, the converter's road (as before)", before_invoices),
            ("raw", "aiohttp + json.loads, dicts (untyped)", raw_invoices),
            (
                "pydantic",
                "httpx + pydantic v2 twin (model_validate_json per page)",
                pydantic_invoices,
            ),
            ("transport", "aiohttp, read bodies only", transport_walk(pages, INVOICES_PATH)),
        ]
        asyncio.run(sdk_invoices(url, key))  # the server renders every page once
        best, counts = best_of_rounds(clients, url, key, rounds)
    rate = {short: records / seconds for short, seconds in best.items()}
    rows = walk_rows(clients, best, counts, rate)
    return {"records": records, "pages": pages, "rate": rate, "rows": rows}


def section(quick: bool) -> dict[str, Any]:
    records = 4_000 if quick else 20_000
    rounds = 2 if quick else 3
    pages = -(-records // PAGE_SIZE)
    with SandboxProcess(records=records, rate_limit=False, latency=0.0, quiet=True) as server:
        url, key = server.url, server.client_secret
        asyncio.run(warm_up(url, [key] * pages, pages))
        bodies = asyncio.run(fetch_bodies(url, key, pages))

        clients: list[tuple[str, str, Walk]] = [
            ("sdk", "seventime_async (concurrency=1)", sdk(1)),
            (
                "before",
                "SDK, the converter's road (no native decoding: as before)",
                sdk(1, "converter"),
            ),
            ("raw", "aiohttp + json.loads, dicts (untyped)", raw_walk),
            ("pydantic", "httpx + pydantic v2 (model_validate_json per page)", httpx_pydantic_walk),
            ("transport", "aiohttp, read bodies only (transport share)", transport_walk(pages)),
            ("httpx", "httpx, read bodies only (transport share)", httpx_read_walk(pages)),
            ("sdk4", "seventime_async, default concurrency=4 (not sequential)", sdk(4)),
            (
                "cattrs",
                "SDK, converter's road, cattrs only (`fast_path=False`)",
                sdk(1, "converter", "cattrs-only"),
            ),
            ("orjson", "SDK + orjson, whole page", sdk(1, "orjson")),
            (
                "wholejson",
                "SDK + `json.loads(parse_float=Decimal)`, whole page",
                sdk(1, "whole-page-json"),
            ),
        ]
        best, counts = best_of_rounds(clients, url, key, rounds)

        sdk_total, sdk_profile = profile_rows(lambda: sdk_walk(url, key), 16)
        pyd_total, pyd_profile = profile_rows(lambda: httpx_pydantic_walk(url, key), 8)

    micro_results = micro(bodies, passes=2 if quick else 3)

    invoices = invoice_walks(quick, rounds)

    rate = {short: records / seconds for short, seconds in best.items()}
    sdk_vs_raw = rate["sdk"] / rate["raw"]
    sdk_vs_pyd = rate["sdk"] / rate["pydantic"]
    inv_rate = invoices["rate"]
    inv_vs_raw = inv_rate["sdk"] / inv_rate["raw"]
    inv_vs_pyd = inv_rate["sdk"] / inv_rate["pydantic"]
    md: list[str] = []
    md.append(
        f"{records:,} records ({pages} pages of {PAGE_SIZE}, {sum(map(len, bodies)) / 1e6:.1f} MB "
        "of JSON) from a sandbox in another process, rate limit off, latency 0. Every "
        "client walks **sequentially, page by page** (the SDK with `concurrency=1`), "
        f"except the row marked concurrency=4. Best of {rounds} interleaved rounds; "
        "the time includes creating and closing each client."
    )
    rows = walk_rows(clients, best, counts, rate)
    md.append(md_table(["client", "best s", "records/s", "vs SDK", "records"], rows))
    md.append(
        f"**SDK / raw aiohttp+json.loads = {sdk_vs_raw:.2f}** (throughput ratio; the raw "
        f"client builds no typed records; goal >= {GOAL_VS_RAW}: "
        f"{yes_no(sdk_vs_raw >= GOAL_VS_RAW)}). **SDK / httpx+pydantic = {sdk_vs_pyd:.2f}** "
        f"(goal >= {GOAL_VS_PYDANTIC}: {yes_no(sdk_vs_pyd >= GOAL_VS_PYDANTIC)}). Before and "
        f"after native decoding, side by side: the SDK walks "
        f"{rate['sdk'] / rate['before']:.2f}x as fast as by the converter's road."
    )
    md.append(
        f"The second record shape: {invoices['records']:,} invoices ({invoices['pages']} pages "
        "of 500, ~4 KB a record: ~90 fields, invoice rows, addresses, log entries, custom "
        "fields), same method, against httpx + a pydantic v2 twin generated from the SDK's "
        "own classes (same fields, types and wire names, unknown keys kept):"
    )
    md.append(md_table(["client", "best s", "records/s", "vs SDK", "records"], invoices["rows"]))
    md.append(
        f"**Invoices: SDK / raw = {inv_vs_raw:.2f}** (goal >= {GOAL_VS_RAW}: "
        f"{yes_no(inv_vs_raw >= GOAL_VS_RAW)}); **SDK / httpx+pydantic = {inv_vs_pyd:.2f}** "
        f"(goal >= {GOAL_VS_PYDANTIC}: {yes_no(inv_vs_pyd >= GOAL_VS_PYDANTIC)}); native "
        f"against the converter's road: {inv_rate['sdk'] / inv_rate['before']:.2f}x."
    )

    # Where the SDK's time goes: transport and decoding timed on their own (the decoding
    # as ``iter_records`` does it in a walk), the rest is the walk's own machinery.
    native_s = dict(micro_results["end_to_end"])[NATIVE_E2E]
    transport_s = best["transport"]
    breakdown = [
        ("HTTP: requests, reading the bodies (aiohttp read-only walk)", transport_s),
        ("decoding: split, msgspec into mirrors, building the records (`iter_records`)", native_s),
        (
            "the rest: paginator, dedupe, `async for`, loop turns (walk minus the above)",
            best["sdk"] - transport_s - native_s,
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
    structure_s = dict(micro_results["structure"])
    base = structure_s[STRUCTURE_BASE]
    md.append(
        "Structuring only (dicts already parsed). The copies are `attrs.make_class` copies "
        "of the record classes run through the SDK's own `build_converter` (fast path "
        "included); the define copies are the control for the frozen ones:"
    )
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

    def cost(variant: str, control: str) -> str:
        return f"{structure_s[variant] / structure_s[control] - 1:+.0%}"

    frozen_fast, frozen_cattrs = cost(FROZEN_FAST, DEFINE_FAST), cost(FROZEN_CATTRS, DEFINE_CATTRS)
    no_detail_fast = cost(NO_DETAIL_FAST, STRUCTURE_BASE)
    no_detail_cattrs = cost(NO_DETAIL_CATTRS, CATTRS_ONLY)
    fast_gain = structure_s[CATTRS_ONLY] / structure_s[STRUCTURE_BASE]
    md.append(
        f"Time per record against its control: `attrs.frozen` copies {frozen_fast} on the fast "
        f"path, {frozen_cattrs} with cattrs only; `detailed_validation=False` "
        f"{no_detail_fast} on the fast path, {no_detail_cattrs} with cattrs only. The fast "
        f"path structures {fast_gain:.2f}x as fast as cattrs alone."
    )
    md.append(
        f"Same records (every field, `extra` included) via orjson as via "
        f"`json.loads(parse_float=Decimal)`: {yes_no(micro_results['same_orjson'])}; with "
        f"detailed_validation=False: {yes_no(micro_results['same_no_detail'])}; with and "
        f"without the fast path: {yes_no(micro_results['same_cattrs'])}; the define and frozen "
        f"copies, field by field: {yes_no(micro_results['same_copies'])}."
    )
    e2e = dict(micro_results["end_to_end"])
    parse = dict(micro_results["parse"])
    noise = 0.03  # below this, a difference between two micro-benchmark rows is noise
    if structure_s[FROZEN_FAST] / structure_s[DEFINE_FAST] > 1 + noise:
        frozen_finding = (
            f"Keep the record classes `attrs.define`: `attrs.frozen` costs {frozen_fast} per "
            f"record on the converter's fast path ({frozen_cattrs} with cattrs alone)."
        )
    else:
        frozen_finding = (
            f"`attrs.frozen` record classes would cost {frozen_fast} per record on the fast "
            f"path ({frozen_cattrs} with cattrs alone): speed is no reason against them."
        )
    if structure_s[NO_DETAIL_FAST] / structure_s[STRUCTURE_BASE] < 1 - noise:
        detail_finding = (
            f"A second converter without cattrs' detailed validation (the detailed one "
            f"only on failure) changes {no_detail_fast} per record on the fast path "
            f"({no_detail_cattrs} with cattrs alone): worth a look."
        )
    else:
        detail_finding = (
            f"Keep one converter, with cattrs' detailed validation: one without it (the "
            f"detailed one only on failure, for the error paths) changes {no_detail_fast} "
            "per record on the fast path, where cattrs' function only runs when the fast "
            f"path meets something unexpected ({no_detail_cattrs} with cattrs alone)."
        )
    orjson_speed = e2e[SDK_E2E] / e2e[ORJSON_E2E]
    orjson_parse = parse[SDK_PARSE] / parse["orjson.loads (floats), whole page"]
    orjson_finding = (
        "On the converter's road (the records msgspec leaves to it): "
        f"{'keep the stdlib parser' if orjson_speed < 1 + noise else 'orjson is faster'}: "
        f"orjson parses a page {orjson_parse:.1f}x as fast as the lazy stdlib parsing, but "
        "its floats cost the converter a `Decimal(repr(f))` each; end to end (bytes to typed "
        f"records) orjson whole page + converter runs at {orjson_speed:.2f}x the converter's "
        f"road, and a sequential walk with it at {rate['orjson'] / rate['before']:.2f}x."
    )
    native_gain = e2e[SDK_E2E] / e2e[NATIVE_E2E]
    findings = [
        f"Keep native decoding (msgspec): bytes to typed records {native_gain:.2f}x as fast "
        f"as the converter's road, a walk {rate['sdk'] / rate['before']:.2f}x (supplier "
        f"invoices) and {inv_rate['sdk'] / inv_rate['before']:.2f}x (invoices) as fast; the "
        "same records, field by field (tests/test_native.py).",
        f"Keep the converter's fast path (the road of what msgspec refuses): it structures "
        f"{fast_gain:.2f}x as fast as cattrs alone (same records: "
        f"{yes_no(micro_results['same_cattrs'])}).",
        frozen_finding,
        detail_finding,
        orjson_finding,
    ]
    return {
        "markdown": "\n\n".join(md),
        "findings": findings,
        "goals": [
            [
                f"2. typed throughput, {shape}: SDK / {peer}",
                f"{ratio:.2f}",
                f">= {goal}",
                ratio >= goal,
            ]
            for shape, peer, ratio, goal in (
                ("supplier invoices", "httpx+pydantic", sdk_vs_pyd, GOAL_VS_PYDANTIC),
                ("supplier invoices", "raw aiohttp+json.loads", sdk_vs_raw, GOAL_VS_RAW),
                ("invoices", "httpx+pydantic", inv_vs_pyd, GOAL_VS_PYDANTIC),
                ("invoices", "raw aiohttp+json.loads", inv_vs_raw, GOAL_VS_RAW),
            )
        ],
        "data": {
            "best_seconds": best,
            "records_per_second": rate,
            "sdk_vs_raw": sdk_vs_raw,
            "sdk_vs_pydantic": sdk_vs_pyd,
            "invoices": invoices,
            "micro": dict(micro_results),
        },
    }
