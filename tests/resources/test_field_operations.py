"""Rules of their own in the field-operation families (the registry checks the rest)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from seventime_async import InvalidRequestError
from seventime_async.resources.custom_fields import CUSTOM_FIELDS, CustomFieldEntityType
from seventime_async.resources.driver_journals import DRIVER_JOURNALS
from seventime_async.resources.purchase_orders import PURCHASE_ORDERS, NewPurchaseOrderItem
from tests.resources.harness import FakeSend, collection

TRIP = {
    "created_by_user": "u1",
    "user": "u1",
    "driver_journal_item_type": "t1",
    "start_address": "Gatan 1",
    "end_address": "Vägen 2",
    "travel_purpose": "Service",
    "start_odometer": 1200,
    "end_odometer": Decimal("1234.5"),
}


async def test_custom_fields_ask_for_time_log_fields_unless_told() -> None:
    send = FakeSend([{"data": []}, {"data": []}])
    fields = collection(CUSTOM_FIELDS, send)
    await fields.list().collect()
    await fields.list(entity_type=CustomFieldEntityType.QUOTE).collect()
    assert [r.params for r in send.requests] == [
        (("entityType", "100"),),
        (("entityType", "1400"),),
    ]


def test_an_undocumented_entity_type_is_refused() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        collection(CUSTOM_FIELDS, FakeSend()).list(entity_type=150)
    assert caught.value.field == "entity_type"


async def test_a_trip_needs_a_vehicle_or_a_registration_number() -> None:
    send = FakeSend([{"_id": "j1"}])
    journals = collection(DRIVER_JOURNALS, send)
    with pytest.raises(InvalidRequestError) as caught:
        await journals.create(**TRIP)
    assert caught.value.field == "vehicle"
    assert send.requests == []
    await journals.create(**TRIP, car_registration_number="ABC123")
    body = send.last_json()
    assert body["carRegistrationNumber"] == "ABC123"
    assert body["endOdometer"] == 1234.5
    assert (send.last.method, send.last.path) == ("POST", "/api/2/driverJournals/")


async def test_a_purchase_order_row_needs_the_id_of_its_type() -> None:
    send = FakeSend([{"_id": "p1"}])
    orders = collection(PURCHASE_ORDERS, send)
    with pytest.raises(InvalidRequestError) as caught:
        await orders.create(
            created_by_user="u1",
            distributor="d1",
            invoice_items=[NewPurchaseOrderItem(item_type="expense")],
        )
    assert caught.value.field == "invoice_items[0].expense_item"
    with pytest.raises(InvalidRequestError) as caught:
        await orders.create(
            created_by_user="u1",
            distributor="d1",
            invoice_items=[NewPurchaseOrderItem(item_type="machineTimeLog")],
        )
    assert caught.value.field == "invoice_items[0].item_type"
    assert send.requests == []
    await orders.create(
        created_by_user="u1",
        distributor="d1",
        invoice_items=[NewPurchaseOrderItem(item_type="expense", expense_item="e1", unit_price=10)],
    )
    assert send.last_json()["invoiceItems"] == [
        {"itemType": "expense", "expenseItem": "e1", "unitPrice": 10}
    ]
