"""Pure request building: no event loop, no network."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from seventime_async import InvalidRequestError, ItemType, NewInvoiceItem, SupplierInvoiceStatus
from seventime_async._build import encode_form, write_request
from seventime_async._build import get_request as _get_request
from seventime_async._build import list_request as _list_request
from seventime_async._build import validate_filters as _validate_filters
from seventime_async._http import Request
from seventime_async.resources.supplier_invoices import SUPPLIER_INVOICES as SPEC

# The supplier-invoice requests, through the generic builders and the resource's spec
# (the functions this file tested before the resource-first redesign).


def validate_filters(filters: dict) -> tuple[tuple[str, str], ...]:
    return _validate_filters(SPEC, filters)


def list_request(params: tuple[tuple[str, str], ...], *, page: int, limit: int) -> Request:
    return _list_request(SPEC, params, page=page, limit=limit)


def get_request(invoice_id: str) -> Request:
    return _get_request(SPEC, invoice_id, field="invoice_id")


def create_request(fields: dict, *, api_version: int = 2) -> Request:
    assert SPEC.create is not None
    if api_version not in (1, 2):
        raise InvalidRequestError("bad api_version", field="api_version")
    return write_request(SPEC, "create", SPEC.create, fields, method="POST", form=api_version == 1)


def update_request(invoice_id: str, modified_by_user: str, changes: dict) -> Request:
    assert SPEC.update is not None
    fields = {"modified_by_user": modified_by_user, **changes}
    return write_request(
        SPEC,
        "update",
        SPEC.update,
        fields,
        record_id=invoice_id,
        id_name="invoice_id",
        method="PUT",
    )


def delete_request(invoice_id: str, deleted_by_user: str) -> Request:
    assert SPEC.delete is not None
    fields = {"deleted_by_user": deleted_by_user}
    return write_request(
        SPEC,
        "delete",
        SPEC.delete,
        fields,
        record_id=invoice_id,
        id_name="invoice_id",
        method="DELETE",
    )


REQUIRED = {
    "supplier_invoice_number": 9162,
    "created_by_user": "5f48eb3e65d7ee4942c46eeb",
    "distributor": "5f6b2e6af24d5df55b69277",
    "total_amount_incl_tax": Decimal("100000"),
}


def body(request) -> dict:
    assert request.body is not None
    return json.loads(request.body)


def test_encode_form_uses_qs_brackets_for_nested_items() -> None:
    encoded = encode_form(
        {
            "supplierInvoiceNumber": 9162,
            "isInvoiceable": True,
            "skipped": None,
            "invoiceItems": [
                {"itemType": "expense", "expenseItem": "e1"},
                {"itemType": "text", "unit": "st & co"},
            ],
        }
    ).decode()
    assert "invoiceItems[0][itemType]=expense" in encoded
    assert parse_qsl(encoded) == [
        ("supplierInvoiceNumber", "9162"),
        ("isInvoiceable", "true"),
        ("invoiceItems[0][itemType]", "expense"),
        ("invoiceItems[0][expenseItem]", "e1"),
        ("invoiceItems[1][itemType]", "text"),
        ("invoiceItems[1][unit]", "st & co"),
    ]


def test_create_v2_sends_json_with_wire_names_and_exact_numbers() -> None:
    request = create_request(
        {
            **REQUIRED,
            "total_amount_incl_tax": Decimal("9533.925"),
            "ocr": 12345,
            "invoice_date": date(2024, 1, 31),
            "supplier_invoice_status": SupplierInvoiceStatus.DRAFT,
            "invoice_items": [
                NewInvoiceItem(item_type=ItemType.EXPENSE, expense_item="e1", unit_price="12.50")
            ],
        }
    )
    assert (request.method, request.path) == ("POST", "/api/2/supplierInvoices/")
    assert request.content_type == "application/json"
    assert not request.idempotent
    assert request.body is not None
    assert b'"totalAmountInclTax":9533.925' in request.body
    sent = body(request)
    assert sent["supplierInvoiceNumber"] == 9162
    assert sent["OCR"] == "12345"  # a string on the wire: leading zeros survive
    assert sent["invoiceDate"] == "2024-01-31"
    assert sent["supplierInvoiceStatus"] == 5
    assert sent["invoiceItems"] == [{"itemType": "expense", "expenseItem": "e1", "unitPrice": 12.5}]


def test_create_v1_sends_a_form_body() -> None:
    request = create_request(
        {**REQUIRED, "invoice_items": [NewInvoiceItem(item_type="timeLog", time_category="t1")]},
        api_version=1,
    )
    assert request.path == "/api/1/supplierInvoices/"
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.body is not None
    form = dict(parse_qsl(request.body.decode()))
    assert form["supplierInvoiceNumber"] == "9162"
    assert form["totalAmountInclTax"] == "100000"
    assert form["invoiceItems[0][itemType]"] == "timeLog"
    assert form["invoiceItems[0][timeCategory]"] == "t1"


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_create_names_a_missing_required_field(missing: str) -> None:
    fields = {k: v for k, v in REQUIRED.items() if k != missing}
    with pytest.raises(InvalidRequestError) as info:
        create_request(fields)
    assert info.value.field == missing


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (NewInvoiceItem(item_type=ItemType.EXPENSE), "invoice_items[0].expense_item"),
        (NewInvoiceItem(item_type=ItemType.TIME_LOG), "invoice_items[0].time_category"),
        (NewInvoiceItem(item_type=ItemType.MACHINE_TIME_LOG), "invoice_items[0].machine"),
        (
            NewInvoiceItem(item_type=ItemType.DRIVER_JOURNAL),
            "invoice_items[0].driver_journal_item_type",
        ),
        (NewInvoiceItem(item_type="bogus"), "invoice_items[0].item_type"),
        (NewInvoiceItem(item_type=ItemType.TIME), "invoice_items[0].item_type"),
        (
            NewInvoiceItem(item_type=ItemType.TEXT, tax_percent=7),
            "invoice_items[0].tax_percent",
        ),
    ],
)
def test_item_type_specific_ids_and_types_are_checked(item: NewInvoiceItem, field: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        create_request({**REQUIRED, "invoice_items": [item]})
    assert info.value.field == field


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"supplier_invoice_status": 3}, "supplier_invoice_status"),
        ({"currency_code": "EUR"}, "currency_rate"),
        ({"currency_code": "SEK", "currency_rate": 11}, "currency_rate"),
        ({"currency_rate": 2}, "currency_rate"),
        ({"currency_code": "euro", "currency_rate": 11}, "currency_code"),
        ({"invoice_date": "2024-01-01"}, "invoice_date"),
        ({"due_date": datetime(2024, 1, 1)}, "due_date"),
        ({"total_amount_incl_tax": float("nan")}, "total_amount_incl_tax"),
        ({"total_amount_incl_tax": "12,50"}, "total_amount_incl_tax"),
        ({"total_amount_incl_tax": Decimal("0.1000000000000000000001")}, "total_amount_incl_tax"),
        ({"customer": "a/../b"}, "customer"),
        ({"is_invoiceable": "yes"}, "is_invoiceable"),
        ({"colour": "red"}, "colour"),
        ({"extra_fields": {"totalAmountInclTax": 1}}, "extra_fields"),
    ],
)
def test_invalid_create_fields_are_named(extra: dict, field: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        create_request({**REQUIRED, **extra})
    assert info.value.field == field
    assert field in str(info.value)


def test_currency_rate_accepted_for_foreign_currency_and_extra_fields_pass_through() -> None:
    sent = body(
        create_request(
            {
                **REQUIRED,
                "currency_code": "eur",
                "currency_rate": Decimal("11.4312"),
                "extra_fields": {"department": "d1"},
            }
        )
    )
    assert (sent["currencyCode"], sent["currencyRate"], sent["department"]) == (
        "EUR",
        11.4312,
        "d1",
    )


def test_float_money_is_taken_as_written() -> None:
    sent = create_request({**REQUIRED, "total_amount_incl_tax": 0.1})
    assert sent.body is not None
    assert b'"totalAmountInclTax":0.1' in sent.body


def test_update_sends_only_the_given_fields_with_put() -> None:
    request = update_request(
        "inv1", "user1", {"supplier_invoice_status": SupplierInvoiceStatus.SENT, "project": None}
    )
    assert (request.method, request.path) == ("PUT", "/api/2/supplierInvoices/")
    assert request.idempotent
    assert body(request) == {
        "_id": "inv1",
        "modifiedByUser": "user1",
        "supplierInvoiceStatus": 7,
        "project": None,
    }


def test_update_refuses_clearing_a_required_field_and_created_by_user() -> None:
    with pytest.raises(InvalidRequestError, match="distributor"):
        update_request("inv1", "user1", {"distributor": None})
    with pytest.raises(InvalidRequestError, match="created_by_user"):
        update_request("inv1", "user1", {"created_by_user": "u"})


def test_delete_sends_the_id_in_a_json_body() -> None:
    request = delete_request("inv1", "user9")
    assert (request.method, request.path) == ("DELETE", "/api/2/supplierInvoices/")
    assert body(request) == {"_id": "inv1", "deletedByUser": "user9"}


@pytest.mark.parametrize("bad", ["", " x", "a/b", "a?b", "a#b", "..", "a\nb", 12, None])
def test_bad_ids_are_refused_before_sending(bad: object) -> None:
    with pytest.raises(InvalidRequestError) as info:
        get_request(bad)  # type: ignore[arg-type]
    assert info.value.field == "invoice_id"


def test_get_quotes_the_id() -> None:
    assert get_request("5f62 c528").path == "/api/2/supplierInvoices/5f62%20c528"


def test_filters_are_typed_and_encoded_in_wire_names() -> None:
    params = validate_filters(
        {
            "supplier_invoice_number": 9316,
            "supplier_invoice_status": SupplierInvoiceStatus.DRAFT,
            "project": "p1",
            "customer": "c1",
            "work_order": "w1",
            "work_order_number": 4737,
            "distributor": "d1",
            "from_invoice_date": date(2024, 1, 1),
            "to_invoice_date": date(2024, 12, 31),
            "is_invoiceable": True,
            "is_self_billing_invoice": False,
            "exported_to_economy": False,
            "last_modified": datetime(
                2024, 5, 1, 14, 30, 5, 999, tzinfo=timezone(timedelta(hours=2))
            ),
            "sort_by": "invoice_date",
            "sort_direction": "descending",
        }
    )
    assert dict(params) == {
        "supplierInvoiceNumber": "9316",
        "supplierInvoiceStatus": "5",
        "project": "p1",
        "customer": "c1",
        "workOrder": "w1",
        "workOrderNumber": "4737",
        "distributor": "d1",
        "fromInvoiceDate": "2024-01-01",
        "toInvoiceDate": "2024-12-31",
        "isInvoiceable": "true",
        "isSelfBillingInvoice": "false",
        "exportedToEconomy": "false",
        "lastModified": "2024-05-01T12:30:05",
        "sortBy": "invoiceDate",
        "sortDirection": "descending",
    }


def test_list_request_carries_page_and_limit() -> None:
    request = list_request((("customer", "c1"),), page=3, limit=500)
    assert request.method == "GET"
    assert request.params == (("customer", "c1"), ("limit", "500"), ("page", "3"))


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"is_invoiceable": "true"}, "is_invoiceable"),
        ({"from_invoice_date": "2024-01-01"}, "from_invoice_date"),
        ({"supplier_invoice_status": 2}, "supplier_invoice_status"),
        ({"sort_by": "x", "sort_direction": "up"}, "sort_direction"),
        ({"sort_direction": "ascending"}, "sort_direction"),
        (
            {"from_invoice_date": date(2024, 2, 1), "to_invoice_date": date(2024, 1, 1)},
            "from_invoice_date",
        ),
        ({"last_modified": "yesterday"}, "last_modified"),
        ({"page": 2}, "page"),
    ],
)
def test_bad_filters_are_named(filters: dict, field: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        validate_filters(filters)
    assert info.value.field == field


@pytest.mark.parametrize("limit", [0, 501, -1, True, 1.5])
def test_limit_bounds(limit: object) -> None:
    with pytest.raises(InvalidRequestError) as info:
        list_request((), page=1, limit=limit)  # type: ignore[arg-type]
    assert info.value.field == "limit"


def test_naive_last_modified_is_sent_as_given() -> None:
    params = dict(validate_filters({"last_modified": datetime(2024, 5, 1, 8, 0, tzinfo=None)}))
    assert params["lastModified"] == "2024-05-01T08:00:00"
    aware = dict(validate_filters({"last_modified": datetime(2024, 5, 1, 8, 0, tzinfo=UTC)}))
    assert aware["lastModified"] == "2024-05-01T08:00:00"
