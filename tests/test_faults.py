"""The fault suite: the SDK against the sandbox's fault injection.

Backoff waits are off (conftest's set_testing), so retries happen at once; the assertions
are about outcomes: every record exactly once, at most one invoice per create, typed
errors, no 429 from pacing, nothing left behind.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from seventime_async import (
    APIConnectionError,
    InvalidRequestError,
    RateLimiter,
    RetryPolicy,
    ServerError,
    SevenTime,
    UnexpectedResponseError,
)
from seventime_async.testing import Sandbox

NEW_INVOICE: dict[str, Any] = {
    "supplier_invoice_number": 777,
    "created_by_user": "5f48eb3e65d7ee4942c46eeb",
    "distributor": "5f6b2e6af24d5df55b69277",
    "total_amount_incl_tax": 100,
}


def client_for(sb: Sandbox, **kwargs: Any) -> SevenTime:
    kwargs.setdefault("rate_limit", None)
    return SevenTime(sb.client_secret, base_url=sb.url, **kwargs)


@pytest.mark.seventime_sandbox(
    records=1500,
    rate_limit=False,
    fault_rate=0.2,
    fault_kinds=("500", "503", "502_html", "reset", "429"),
    fault_seed=7,
)
async def test_export_under_a_20_percent_fault_mix_returns_every_record_once(
    seventime_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="seventime_async")
    async with client_for(seventime_sandbox, retry=RetryPolicy(max_attempts=12)) as st:
        # dedupe off: a duplicate must not be hidden, it must not happen
        paginator = st.supplier_invoices.list(limit=50, dedupe=False)
        ids = [invoice.id async for invoice in paginator]
        retries = st.stats.retries
    served = [doc["_id"] for doc in seventime_sandbox.invoices()]
    assert ids == served
    assert len(set(ids)) == len(ids) == 1500
    faults = [r.fault for r in seventime_sandbox.requests if r.fault]
    assert {"500", "503", "502_html", "reset", "429"} <= set(faults)
    assert retries == len(faults)  # every fault cost exactly one retry, none was hidden
    assert seventime_sandbox.client_secret not in caplog.text


@pytest.mark.seventime_sandbox(records=5, rate_limit=False)
async def test_a_create_hit_by_a_500_after_the_write_creates_one_invoice(
    seventime_sandbox: Sandbox,
) -> None:
    before = len(seventime_sandbox.invoices())
    seventime_sandbox.faults.script(["500_after"], method="POST")
    async with client_for(seventime_sandbox) as st:
        with pytest.raises(ServerError) as info:
            await st.supplier_invoices.create(**NEW_INVOICE)
    assert info.value.attempts == 1  # not retried: a retry would create a second invoice
    assert len(seventime_sandbox.invoices()) == before + 1
    assert [r.method for r in seventime_sandbox.requests].count("POST") == 1


@pytest.mark.seventime_sandbox(records=5, rate_limit=False)
async def test_a_create_whose_connection_is_reset_after_the_write_is_not_repeated(
    seventime_sandbox: Sandbox,
) -> None:
    before = len(seventime_sandbox.invoices())
    seventime_sandbox.faults.script(["reset_after"], method="POST")
    async with client_for(seventime_sandbox) as st:
        with pytest.raises(APIConnectionError) as info:
            await st.supplier_invoices.create(**NEW_INVOICE)
    assert info.value.attempts == 1
    assert len(seventime_sandbox.invoices()) == before + 1


@pytest.mark.seventime_sandbox(records=5, rate_limit=False)
async def test_a_429_on_create_is_retried_and_succeeds(seventime_sandbox: Sandbox) -> None:
    before = len(seventime_sandbox.invoices())
    seventime_sandbox.faults.script(["429"], method="POST")
    async with client_for(seventime_sandbox) as st:
        created = await st.supplier_invoices.create(**NEW_INVOICE)
        assert st.stats.rate_limited == 1
    assert len(seventime_sandbox.invoices()) == before + 1
    assert created.id in {doc["_id"] for doc in seventime_sandbox.invoices()}


@pytest.mark.seventime_sandbox(records=5, rate_limit=False)
async def test_a_reset_on_get_is_seen_and_retried_by_the_sdk_not_hidden_by_aiohttp(
    seventime_sandbox: Sandbox,
) -> None:
    invoice_id = seventime_sandbox.invoices()[0]["_id"]
    seventime_sandbox.faults.script(["reset"], method="GET")
    async with client_for(seventime_sandbox) as st:
        invoice = await st.supplier_invoices.get(invoice_id)
        assert st.stats.retries == 1
    assert invoice.id == invoice_id
    assert [r.fault for r in seventime_sandbox.requests] == ["reset", None]


@pytest.mark.seventime_sandbox(records=5, rate_limit=False)
async def test_broken_json_raises_the_typed_error(seventime_sandbox: Sandbox) -> None:
    invoice_id = seventime_sandbox.invoices()[0]["_id"]
    seventime_sandbox.faults.script(["truncated"])
    async with client_for(seventime_sandbox) as st:
        with pytest.raises(UnexpectedResponseError, match="truncated JSON") as info:
            await st.supplier_invoices.get(invoice_id)
    assert seventime_sandbox.client_secret not in str(info.value)


@pytest.mark.seventime_sandbox(records=5, rate_limit=False)
async def test_an_html_502_from_a_proxy_is_a_server_error_with_an_excerpt(
    seventime_sandbox: Sandbox,
) -> None:
    seventime_sandbox.faults.script(["502_html"] * 2)
    async with client_for(seventime_sandbox, retry=RetryPolicy(max_attempts=2)) as st:
        with pytest.raises(ServerError) as info:
            await st.supplier_invoices.get(seventime_sandbox.invoices()[0]["_id"])
    assert info.value.status == 502
    assert "<html" in info.value.body_excerpt.lower()
    assert info.value.attempts == 2


@pytest.mark.seventime_sandbox(records=50, rate_limit=True)
async def test_the_limiter_keeps_a_burst_of_50_gets_under_the_server_limit(
    seventime_sandbox: Sandbox,
) -> None:
    ids = [doc["_id"] for doc in seventime_sandbox.invoices()]
    async with SevenTime(seventime_sandbox.client_secret, base_url=seventime_sandbox.url) as st:
        results = await asyncio.gather(*(st.supplier_invoices.get(i) for i in ids))
        assert st.stats.rate_limited == 0
    assert [r.id for r in results] == ids
    assert seventime_sandbox.count_429 == 0
    assert seventime_sandbox.max_requests_in_any_window(1.0) <= 4


@pytest.mark.seventime_sandbox(records=40, rate_limit=False, latency=0.05)
async def test_an_abandoned_paginator_and_a_cancelled_task_leave_nothing_behind(
    seventime_sandbox: Sandbox,
) -> None:
    async with client_for(seventime_sandbox) as st:
        paginator = st.supplier_invoices.list(limit=5, concurrency=4)
        async with paginator:
            async for _ in paginator:
                break  # pages 2..5 are in flight now
        export = asyncio.create_task(st.supplier_invoices.list(limit=5).collect())
        await asyncio.sleep(0.02)  # let it get a request in flight
        export.cancel()
        with pytest.raises(asyncio.CancelledError):
            await export
        # the sandbox's own handler tasks (server side, same loop) are not the SDK's
        client_tasks = [
            t
            for t in asyncio.all_tasks()
            if t is not asyncio.current_task()
            and not t.get_coro().__qualname__.startswith("RequestHandler.")  # type: ignore[union-attr]
        ]
        assert client_tasks == []
        session = st._transport.session
        assert session is not None
        assert len(session.connector._acquired) == 0  # type: ignore[union-attr]
    assert session.closed


@pytest.mark.seventime_sandbox(records=30, rate_limit=True, rate_limit_per_second=20)
async def test_two_clients_sharing_one_limiter_stay_under_the_limit_together(
    seventime_sandbox: Sandbox,
) -> None:
    shared = RateLimiter(20)
    ids = [doc["_id"] for doc in seventime_sandbox.invoices()]
    async with (
        SevenTime(
            seventime_sandbox.client_secret, base_url=seventime_sandbox.url, rate_limit=shared
        ) as first,
        SevenTime(
            seventime_sandbox.client_secret, base_url=seventime_sandbox.url, rate_limit=shared
        ) as second,
    ):
        clients = [first, second]
        await asyncio.gather(*(clients[n % 2].supplier_invoices.get(i) for n, i in enumerate(ids)))
    assert seventime_sandbox.count_429 == 0
    assert seventime_sandbox.max_requests_in_any_window(1.0) <= 20
    with pytest.raises(InvalidRequestError):
        SevenTime(seventime_sandbox.client_secret, rate_limit=0)
