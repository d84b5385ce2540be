"""Rules of their own in the sync-core families (the registry checks the rest)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from seventime_async import (
    InvalidRequestError,
    InvoiceItem,
    ItemType,
    NewHouseProperties,
    NewInvoiceItem,
    calendar_day,
)
from seventime_async._converter import structure
from seventime_async.resources.expenses import EXPENSES
from seventime_async.resources.invoices import INVOICES, Invoice
from seventime_async.resources.projects import PROJECTS
from seventime_async.resources.work_orders import WORK_ORDERS
from tests.resources.harness import FakeSend, collection, examples_of, records_in

ROWS = [NewInvoiceItem(item_type=ItemType.EXPENSE, expense_item="e1", unit_price=10)]


async def test_an_invoice_update_must_carry_its_rows_and_tax_mode() -> None:
    send = FakeSend([{"_id": "i1"}])
    invoices = collection(INVOICES, send)
    for missing, field in (
        ({"multiple_taxes_on_rows": True}, "invoice_items"),
        ({"invoice_items": ROWS}, "multiple_taxes_on_rows"),
        ({"invoice_items": ROWS, "multiple_taxes_on_rows": False}, "tax_percent"),
    ):
        with pytest.raises(InvalidRequestError) as caught:
            await invoices.update("i1", modified_by_user="u1", **missing)
        assert caught.value.field == field
    assert send.requests == []
    await invoices.update(
        "i1", modified_by_user="u1", invoice_items=ROWS, multiple_taxes_on_rows=False,
        tax_percent=25, name="Spring",
    )  # fmt: skip
    body = send.last_json()
    assert body["name"] == "Spring"  # the input name; the record answers invoiceName
    assert body["invoiceItems"] == [{"itemType": "expense", "expenseItem": "e1", "unitPrice": 10}]
    assert (body["multipleTaxesOnRows"], body["taxPercent"]) == (False, 25)


def test_the_rows_read_go_back_whole() -> None:
    row = structure(
        {"_id": "r1", "itemType": "text", "description": "Note", "unitPrice": 5, "weird": 1},
        InvoiceItem,
    )
    again = NewInvoiceItem.from_item(row)
    assert again.item_type is ItemType.TEXT
    assert again.unit_price == Decimal("5")
    assert again.extra == {"description": "Note", "weird": 1}


async def test_a_rot_invoice_needs_its_property_and_the_property_its_keys() -> None:
    send = FakeSend([{"_id": "i1"}])
    invoices = collection(INVOICES, send)
    base = {"customer": "c1", "created_by_user": "u1", "language": "SV", "invoice_type": 1}
    with pytest.raises(InvalidRequestError) as caught:
        await invoices.create(**base)
    assert caught.value.field == "house_properties"
    with pytest.raises(InvalidRequestError) as caught:
        await invoices.create(**base, house_properties=NewHouseProperties(type_of_property=2))
    assert caught.value.field == "house_properties.housing_society_number"
    with pytest.raises(InvalidRequestError) as caught:
        await invoices.create(**base, invoice_status=3)  # a create is DRAFT or SENT
    assert caught.value.field == "invoice_status"
    assert send.requests == []


def test_an_invoice_date_is_the_stockholm_day() -> None:
    wire = records_in(examples_of(INVOICES)[0]["body"])[0]
    invoice = structure({**wire, "invoiceDate": "2020-11-04T23:00:00.000Z"}, Invoice)
    assert invoice.invoice_date is not None
    assert calendar_day(invoice.invoice_date).isoformat() == "2020-11-05"
    assert invoice.ocr_number == wire["OCRNumber"]
    assert invoice.invoice_name == wire["invoiceName"]


async def test_billing_methods_need_their_price() -> None:
    send = FakeSend([{"_id": "p1"}])
    with pytest.raises(InvalidRequestError) as caught:
        await collection(PROJECTS, send).create(
            created_by_user="u1", name="P", billing_method="FIXED_PRICE"
        )
    assert caught.value.field == "fixed_price"
    with pytest.raises(InvalidRequestError) as caught:
        await collection(WORK_ORDERS, send).create(
            title="W", customer="c1", created_by_user="u1", billing_method="FIXED_PRICE"
        )
    assert caught.value.field == "fixed_price"
    await collection(PROJECTS, send).create(
        created_by_user="u1", name="P", billing_method="HOURLY", price_per_hour="650.50",
        project_tags=["t1"],
    )  # fmt: skip
    assert send.last_json()["pricePerHour"] == 650.5
    assert send.last_json()["projectTags"] == ["t1"]


async def test_an_expense_is_an_item_or_a_whole_free_text_article() -> None:
    send = FakeSend([{"_id": "x1"}])
    expenses = collection(EXPENSES, send)
    with pytest.raises(InvalidRequestError) as caught:
        await expenses.create(created_by_user="u1", user="u1", name="Screws")
    assert caught.value.field == "unit_cost"
    assert send.requests == []
    await expenses.create(created_by_user="u1", user="u1", expense_item="e1", tax_percent=25)
    assert send.last_json()["taxPercent"] == 25  # the record answers unitTaxPercent
