"""Figures of the fault suite at export scale: the SDK against a faulty sandbox.

An export of RECORDS invoices (500 per page) from a sandbox that answers 20 % of requests
with a mix of 500, 503, 502 (HTML), connection resets and 429, with the real 4 req/s limit
on both sides and the real backoff; then CREATES creates under the same mix plus 500s and
resets that happen *after* the invoice was written. Prints what the server saw.

Run: python benchmarks/fault_mix.py [--records 20000] [--creates 40] [--seed 3]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import time

from seventime_async import RetryPolicy, SevenTime, SevenTimeError
from seventime_async.testing import Sandbox

KINDS = ("500", "503", "502_html", "reset", "429")


async def export(records: int, seed: int) -> None:
    async with Sandbox(records=records, fault_rate=0.2, fault_kinds=KINDS, fault_seed=seed) as sb:
        started = time.perf_counter()
        async with SevenTime(
            sb.client_secret, base_url=sb.url, retry=RetryPolicy(max_attempts=8)
        ) as st:
            paginator = st.supplier_invoices.list(dedupe=False)
            ids = [invoice.id async for invoice in paginator]
            stats = st.stats
        seconds = time.perf_counter() - started
        served = [doc["_id"] for doc in sb.invoices()]
        faults = collections.Counter(r.fault for r in sb.requests if r.fault)
        limited = sum(1 for r in sb.requests if r.status == 429 and r.fault is None)
        print(
            f"export: {len(ids)} records of {len(served)} served, {len(set(ids))} unique, "
            f"{len(ids) - len(set(ids))} duplicates, same order: {ids == served}"
        )
        print(
            f"  {len(sb.requests)} requests at the server for {paginator.stats.pages} pages, "
            f"{sum(faults.values())} injected faults {dict(faults)}"
        )
        print(
            f"  429s from the server's own rate limit: {limited}; "
            f"max requests in any 1 s window: {sb.max_requests_in_any_window(1.0)}"
        )
        print(
            f"  client: {stats.requests} attempts, {stats.retries} retries, "
            f"{stats.rate_limited} 429s seen; {seconds:.1f} s"
        )


async def creates(count: int, seed: int) -> None:
    kinds = (*KINDS, "500_after", "reset_after")
    async with Sandbox(records=0, fault_rate=0.2, fault_kinds=kinds, fault_seed=seed) as sb:
        ok = failed = 0
        async with SevenTime(sb.client_secret, base_url=sb.url) as st:
            for number in range(count):
                try:
                    await st.supplier_invoices.create(
                        supplier_invoice_number=number + 1,
                        created_by_user="5f48eb3e65d7ee4942c46eeb",
                        distributor="5f6b2e6af24d5df55b69277",
                        total_amount_incl_tax=100,
                    )
                    ok += 1
                except SevenTimeError:
                    failed += 1
        numbers = collections.Counter(doc["supplierInvoiceNumber"] for doc in sb.invoices())
        faults = collections.Counter(r.fault for r in sb.requests if r.fault)
        print(
            f"creates: {count} attempted, {ok} succeeded, {failed} raised; "
            f"{len(sb.invoices())} invoices stored, "
            f"{sum(1 for n in numbers.values() if n > 1)} numbers stored twice"
        )
        print(f"  injected faults {dict(faults)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--creates", type=int, default=40)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(export(args.records, args.seed))
    asyncio.run(creates(args.creates, args.seed))


if __name__ == "__main__":
    main()
