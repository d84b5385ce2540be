"""The SDK against the shipped sandbox, in the same event loop: every operation end to end."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from decimal import Decimal

import pytest

from seventime_async import (
    AuthenticationError,
    BadRequestError,
    ItemType,
    NewInvoiceItem,
    NotFoundError,
    PaginatorStats,
    SevenTime,
    SortDirection,
    SupplierInvoiceStatus,
    to_wire,
)
from seventime_async.testing import Sandbox, set_testing

pytestmark = pytest.mark.seventime_sandbox(records=60, rate_limit=False)


def client_for(sb: Sandbox, **kwargs: object) -> SevenTime:
    kwargs.setdefault("rate_limit", None)
    return SevenTime(sb.client_secret, base_url=sb.url, **kwargs)  # type: ignore[arg-type]


async def test_export_returns_every_record_once_in_server_order(seventime_sandbox: Sandbox) -> None:
    async with client_for(seventime_sandbox) as st:
        paginator = st.supplier_invoices.list(limit=7)
        ids = [invoice.id async for invoice in paginator]
    assert ids == [doc["_id"] for doc in seventime_sandbox.invoices()]
    assert paginator.stats.pages == 9
    assert paginator.stats.total_resources == 60
    pages = [int(r.query["page"]) for r in seventime_sandbox.requests]
    assert sorted(pages) == list(range(1, 10))


async def test_every_record_decodes_with_nothing_lost(seventime_sandbox: Sandbox) -> None:
    async with client_for(seventime_sandbox) as st:
        invoices = await st.supplier_invoices.list().collect()
    served = {doc["_id"]: doc for doc in seventime_sandbox.invoices()}
    item_types = {item.item_type for inv in invoices for item in inv.invoice_items}
    assert ItemType.TIME in item_types
    assert ItemType.EXPENSE in item_types
    for invoice in invoices:
        doc = served[invoice.id]
        # every key the server sent is either a modelled field or kept in extra
        assert set(doc) <= set(to_wire(invoice))
        if doc.get("totalAmount") is not None:
            assert invoice.total_amount == Decimal(str(doc["totalAmount"]))
        assert invoice.supplier_invoice_number == str(doc["supplierInvoiceNumber"])


async def test_filters_and_sort_reach_the_server(seventime_sandbox: Sandbox) -> None:
    docs = seventime_sandbox.invoices()
    customer = docs[0]["customer"]
    async with client_for(seventime_sandbox) as st:
        by_customer = await st.supplier_invoices.list(customer=customer).collect()
        drafts = await st.supplier_invoices.list(
            supplier_invoice_status=SupplierInvoiceStatus.DRAFT,
            sort_by="total_amount_incl_tax",
            sort_direction=SortDirection.DESCENDING,
        ).collect()
        in_2020 = await st.supplier_invoices.list(
            from_invoice_date=date(2020, 1, 1), to_invoice_date=date(2020, 12, 31)
        ).collect()
    assert {i.id for i in by_customer} == {d["_id"] for d in docs if d["customer"] == customer}
    assert all(i.supplier_invoice_status is SupplierInvoiceStatus.DRAFT for i in drafts)
    amounts = [i.total_amount_incl_tax for i in drafts]
    assert amounts == sorted(amounts, reverse=True)
    assert all(i.invoice_date is not None and i.invoice_date.year == 2020 for i in in_2020)
    last = seventime_sandbox.requests[-1]
    assert last.query["fromInvoiceDate"] == "2020-01-01"


async def test_max_items_and_page_ranges_fetch_only_what_is_needed(
    seventime_sandbox: Sandbox,
) -> None:
    async with client_for(seventime_sandbox) as st:
        capped = st.supplier_invoices.list(limit=5, max_items=12)
        first_twelve = await capped.collect()
        requests_for_max_items = len(seventime_sandbox.requests)
        assert capped.stats.records == 12
        middle = await st.supplier_invoices.list(limit=10, pages=range(2, 4)).collect()
    ids = [doc["_id"] for doc in seventime_sandbox.invoices()]
    assert [i.id for i in first_twelve] == ids[:12]
    assert requests_for_max_items == 3
    assert [i.id for i in middle] == ids[10:30]


async def test_checkpoint_resumes_without_duplicates(seventime_sandbox: Sandbox) -> None:
    async with client_for(seventime_sandbox) as st:
        paginator = st.supplier_invoices.list(limit=10, concurrency=3)
        seen: list[str] = []
        async with paginator:
            async for invoice in paginator:
                seen.append(invoice.id)
                if len(seen) == 25:
                    break
        checkpoint = paginator.checkpoint
        assert checkpoint is not None
        assert checkpoint.next_page == 3  # pages 1 and 2 were completed
        done = seen[: checkpoint.records_done]
        rest = await st.supplier_invoices.list(resume=checkpoint).collect()
    assert done + [i.id for i in rest] == [doc["_id"] for doc in seventime_sandbox.invoices()]


async def test_drift_is_detected_and_duplicates_dropped(
    seventime_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    added: list[dict[str, object]] = []

    def add_one_after_first_page(stats: PaginatorStats) -> None:
        if stats.pages == 1:  # a newest invoice lands first: page 2 starts one record back
            added.append(seventime_sandbox.add_invoice(createDate="2099-01-01T00:00:00.000Z"))

    async with client_for(seventime_sandbox) as st:
        paginator = st.supplier_invoices.list(
            limit=10,
            concurrency=1,
            sort_by="createDate",
            sort_direction="descending",
            on_progress=add_one_after_first_page,
        )
        ids = [invoice.id async for invoice in paginator]
    assert len(added) == 1
    assert len(ids) == len(set(ids)) == 60  # the shifted record was not yielded twice
    assert paginator.stats.duplicates_dropped == 1
    assert paginator.stats.drift_events == 1
    assert "totalResources changed from 60 to 61" in caplog.text


async def test_get_create_update_delete_round_trip(seventime_sandbox: Sandbox) -> None:
    doc = seventime_sandbox.invoices()[0]
    async with client_for(seventime_sandbox) as st:
        fetched = await st.supplier_invoices.get(doc["_id"])
        created = await st.supplier_invoices.create(
            supplier_invoice_number=9162,
            created_by_user="5f48eb3e65d7ee4942c46eeb",
            distributor=doc["distributor"],
            total_amount_incl_tax=Decimal("1234.50"),
            invoice_date=date(2024, 3, 1),
            notes="Självfaktura för mars",
            invoice_items=[
                NewInvoiceItem(item_type=ItemType.EXPENSE, expense_item="e1", unit_price="99.90"),
                NewInvoiceItem(item_type=ItemType.TEXT),
            ],
        )
        v1 = await st.supplier_invoices.create(
            supplier_invoice_number=9163,
            created_by_user="5f48eb3e65d7ee4942c46eeb",
            distributor=doc["distributor"],
            total_amount_incl_tax=100,
            invoice_items=[NewInvoiceItem(item_type=ItemType.TIME_LOG, time_category="t1")],
            api_version=1,
        )
        updated = await st.supplier_invoices.update(
            created.id,
            modified_by_user="5f48eb3e65d7ee4942c46eeb",
            supplier_invoice_status=SupplierInvoiceStatus.SENT,
        )
        gone = await st.supplier_invoices.delete(created.id, deleted_by_user="u1")
        with pytest.raises(NotFoundError) as missing:
            await st.supplier_invoices.get(created.id)
    assert fetched.id == doc["_id"]
    assert created.supplier_invoice_number == "9162"
    assert created.total_amount_incl_tax == Decimal("1234.5")
    assert [i.item_type for i in created.invoice_items] == [ItemType.EXPENSE, ItemType.TEXT]
    assert created.invoice_items[0].unit_price == Decimal("99.9")
    assert v1.invoice_items[0].time_category == "t1"
    assert updated.supplier_invoice_status is SupplierInvoiceStatus.SENT
    assert updated.notes == "Självfaktura för mars"  # not sent, so not changed
    assert (gone.id, gone.supplier_invoice_number) == (created.id, "9162")
    assert missing.value.error_message == "Supplier invoice not found"
    assert v1.id in {d["_id"] for d in seventime_sandbox.invoices()}


async def test_wrong_key_is_401_with_the_server_message(seventime_sandbox: Sandbox) -> None:
    async with SevenTime("wrong-key", base_url=seventime_sandbox.url, rate_limit=None) as st:
        with pytest.raises(AuthenticationError) as info:
            await st.supplier_invoices.list().collect()
    assert info.value.error_message
    assert info.value.attempts == 1


async def test_server_side_validation_is_a_400(seventime_sandbox: Sandbox) -> None:
    async with client_for(seventime_sandbox) as st:
        with pytest.raises(BadRequestError) as info:
            await st.supplier_invoices.list(sort_by="noSuchField").collect()
    assert "sortBy" in (info.value.error_message or "")


@pytest.mark.seventime_sandbox(records=20, rate_limit=True)
async def test_server_429s_are_absorbed_by_retry_after(
    seventime_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    set_testing(False)  # this test is about the real Retry-After pause
    caplog.set_level(logging.INFO, logger="seventime_async")
    async with client_for(seventime_sandbox) as st:  # no client-side limiter
        ids = [doc["_id"] for doc in seventime_sandbox.invoices()[:6]]
        invoices = [await st.supplier_invoices.get(invoice_id) for invoice_id in ids]
        assert st.stats.rate_limited >= 1
    assert len(invoices) == 6
    assert "after HTTP 429" in caplog.text


async def test_two_walks_of_one_paginator_at_once_each_see_every_record(
    seventime_sandbox: Sandbox,
) -> None:
    async with client_for(seventime_sandbox) as st:
        paginator = st.supplier_invoices.list(limit=10)
        first, second = await asyncio.gather(paginator.collect(), paginator.collect())
    expected = [doc["_id"] for doc in seventime_sandbox.invoices()]
    assert [i.id for i in first] == [i.id for i in second] == expected


async def test_a_speculative_walk_asks_the_first_window_at_once(seventime_sandbox: Sandbox) -> None:
    expected = [doc["_id"] for doc in seventime_sandbox.invoices()]
    async with client_for(seventime_sandbox) as st:
        long_walk = st.supplier_invoices.list(limit=10, concurrency=4, speculative=True)
        assert [i.id async for i in long_walk] == expected
        long_requests = len(seventime_sandbox.requests)
        seventime_sandbox.clear_requests()
        short_walk = st.supplier_invoices.list(limit=100, concurrency=4, speculative=True)
        assert [i.id async for i in short_walk] == expected
    assert long_requests == 6  # no page asked twice, none past the end
    # a one-page list: pages 2-4 were asked before page 1 said there was only one
    assert 1 <= len(seventime_sandbox.requests) <= 4
    assert short_walk.stats.pages == 1
