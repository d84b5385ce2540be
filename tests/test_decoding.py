"""Pure response decoding: records, leniency, typed errors. No event loop."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seventime_async import (
    AuthenticationError,
    BadRequestError,
    DeletedSupplierInvoice,
    InvoiceItem,
    ItemType,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SupplierInvoice,
    SupplierInvoiceLogEntry,
    SupplierInvoiceStatus,
    UnexpectedResponseError,
    dumps_json,
    to_wire,
)
from seventime_async._converter import (
    build_converter,
    structure,
    unstructure,
)
from seventime_async._decode import (
    RawPage,
    RawRecords,
    Response,
    decode_envelope_page,
    decode_record,
    iter_records,
    parse_retry_after,
    status_error,
)

SPEC = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "spec"
    / "seventime-api-v2-supplier-invoices.md"
)


def response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(
        status=status,
        headers=headers or {},
        body=raw,
        method="GET",
        path="/api/2/supplierInvoices/",
    )


def spec_list_example() -> bytes:
    """The reference's list example, with its `// ...` placeholders removed."""
    text = SPEC.read_text(encoding="utf-8")
    block = re.search(r"```json\n(\{\n  \"meta\".*?)\n```", text, re.S)
    assert block is not None
    cleaned = re.sub(r",\s*\{\s*// \.\.\.\s*\}", "", block.group(1))
    return cleaned.encode()


@pytest.mark.skipif(not SPEC.exists(), reason="../shared/spec is not beside the checkout")
def test_the_reference_list_example_decodes_exactly() -> None:
    page = decode_envelope_page(response(spec_list_example()))
    assert (page.meta.total_resources, page.meta.total_pages, page.meta.current_page) == (29, 10, 1)
    [invoice] = list(iter_records(page, SupplierInvoice))
    assert invoice.id == "5f62c5281715836a472254821"
    assert invoice.total_amount == Decimal("7681.7")
    assert invoice.total_tax_amount == Decimal("1920.425")
    assert invoice.total_amount_incl_tax == Decimal("9533.925")
    assert invoice.supplier_invoice_status is SupplierInvoiceStatus.DRAFT
    assert invoice.invoice_date == datetime(2020, 9, 15, 13, 44, 6, 566000, tzinfo=UTC)
    assert invoice.payment_date is None
    assert invoice.project is None
    assert invoice.ocr == ""
    assert invoice.work_order_number == 4737
    assert invoice.invoice_number == "9316"
    assert invoice.notes == "Självfaktura"
    [item] = invoice.invoice_items
    assert item.item_type is ItemType.TIME
    assert item.unit_price == Decimal("550")
    assert invoice.extra == {}


def test_unknown_keys_are_kept_in_extra_at_every_level() -> None:
    wire = {
        "_id": "a",
        "__v": 0,
        "customFieldValues": [{"k": 1}],
        "invoiceItems": [{"_id": "i", "itemType": "expense", "colour": "blå"}],
        "supplierInvoiceLogEntries": [{"_id": "l", "logType": 1, "ip": "10.0.0.1"}],
    }
    invoice = structure(wire, SupplierInvoice)
    assert invoice.extra == {"__v": 0, "customFieldValues": [{"k": 1}]}
    assert invoice.invoice_items[0].extra == {"colour": "blå"}
    assert invoice.supplier_invoice_log_entries[0].extra == {"ip": "10.0.0.1"}
    assert to_wire(invoice)["customFieldValues"] == [{"k": 1}]


def test_lenient_values_the_reference_shows() -> None:
    invoice = structure(
        {
            "_id": "a",
            "supplierInvoiceNumber": 9162,
            "OCR": 123456,
            "supplierInvoiceStatus": "7",
            "totalAmountInclTax": "100000",
            "totalAmount": "",
            "isInvoiceable": "true",
            "workOrderNumber": "4737",
            "createDate": "2020-12-09T12:43:51",
            "dueDate": "2020-12-31",
            "invoiceItems": [{"itemType": "somethingNew"}],
        },
        SupplierInvoice,
    )
    assert invoice.supplier_invoice_number == "9162"
    assert invoice.ocr == "123456"
    assert invoice.supplier_invoice_status is SupplierInvoiceStatus.SENT
    assert invoice.total_amount_incl_tax == Decimal("100000")
    assert invoice.total_amount is None
    assert invoice.is_invoiceable is True
    assert invoice.work_order_number == 4737
    assert invoice.create_date == datetime(2020, 12, 9, 12, 43, 51, tzinfo=UTC)
    assert invoice.due_date == datetime(2020, 12, 31, tzinfo=UTC)
    unknown = invoice.invoice_items[0].item_type
    assert unknown is not None
    assert unknown.value == "somethingNew"
    assert not unknown.is_documented


def test_unknown_status_is_kept_not_crashed_on() -> None:
    status = structure({"_id": "a", "supplierInvoiceStatus": 42}, SupplierInvoice)
    assert status.supplier_invoice_status == 42
    assert status.supplier_invoice_status is not None
    assert not status.supplier_invoice_status.is_documented
    assert status.supplier_invoice_status.name == "UNKNOWN_42"


def test_null_optional_fields_stay_none_never_the_string_none() -> None:
    invoice = structure({"_id": "a", "notes": None, "customerName": None}, SupplierInvoice)
    assert invoice.notes is None
    assert invoice.customer_name is None


def test_floats_parsed_from_json_are_exact_decimals() -> None:
    record = decode_record(response({"data": {"_id": "a", "totalAmount": 7681.7}}), SupplierInvoice)
    assert record.total_amount == Decimal("7681.7")
    assert str(record.total_amount) == "7681.7"


def test_get_envelope_and_bare_object_both_decode() -> None:
    wrapped = decode_record(response({"data": {"_id": "a"}}), SupplierInvoice)
    bare = decode_record(response({"_id": "a", "data": "not an envelope"}), SupplierInvoice)
    assert wrapped.id == "a"
    assert bare.extra == {"data": "not an envelope"}
    deleted = decode_record(
        response({"_id": "a", "supplierInvoiceNumber": "9162"}), DeletedSupplierInvoice
    )
    assert deleted.supplier_invoice_number == "9162"


@pytest.mark.parametrize(
    ("body", "headers", "problem"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", {"content-type": "text/html"}, "HTML"),
        (b'{"meta": {"totalResources": 1, "totalP', {}, "truncated JSON"),
        (b"", {}, "empty body"),
        (b"[1, 2]", {}, "'meta' and 'data'"),
        (b'{"meta": {"totalResources": 1}, "data": []}', {}, "totalPages"),
        (
            b'{"meta": {"totalResources": 1, "totalPages": 1, "currentPage": 1}, "data": {}}',
            {},
            "not a list",
        ),
    ],
)
def test_bad_list_bodies_raise_typed_errors(body: bytes, headers: dict, problem: str) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        decode_envelope_page(response(body, headers=headers))
    assert problem in str(info.value)
    assert info.value.method == "GET"


def test_decode_errors_name_the_field_in_wire_names() -> None:
    page = decode_envelope_page(
        response(
            {
                "meta": {"totalResources": 1, "totalPages": 1, "currentPage": 1},
                "data": [{"_id": "a", "invoiceItems": [{"itemOrder": "first"}]}],
            }
        )
    )
    with pytest.raises(UnexpectedResponseError) as info:
        list(iter_records(page, SupplierInvoice))
    assert info.value.field == "$.data[0].invoiceItems[0].itemOrder"
    assert "first" in str(info.value)


def test_a_record_without_id_is_a_typed_error() -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        decode_record(response({"data": {"notes": "x"}}), SupplierInvoice)
    assert info.value.field == "$.data._id"
    with pytest.raises(UnexpectedResponseError, match="null") as null:
        decode_record(response({"data": {"_id": None}}), SupplierInvoice)
    assert null.value.field == "$.data._id"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
    ],
)
def test_status_errors_are_typed_and_carry_the_server_message(status: int, cls: type) -> None:
    error = status_error(response({"errorMessage": "Något gick fel"}, status=status))
    assert type(error) is cls
    assert error.status == status
    assert error.error_message == "Något gick fel"
    assert "GET /api/2/supplierInvoices/" in str(error)


def test_html_error_page_gives_an_excerpt_not_the_page() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head>" + b"<p>x</p>" * 500 + b"</html>"
    error = status_error(response(page, status=502))
    assert error.error_message is None
    assert error.body_excerpt.startswith("<html><head><title>502 Bad Gateway")
    assert len(error.body_excerpt) <= 200


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:07 GMT", now=now) == 7.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    error = status_error(response({"errorMessage": "slow down"}, 429, {"retry-after": "2"}))
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 2.0
    assert "Retry-After: 2 s" in str(error)


def test_dumps_json_writes_money_exactly() -> None:
    invoice = structure({"_id": "a", "totalAmount": Decimal("9533.925")}, SupplierInvoice)
    text = dumps_json(to_wire(invoice))
    assert '"totalAmount":9533.925' in text
    assert json.loads(text, parse_float=Decimal)["totalAmount"] == Decimal("9533.925")


# -- round trip: record -> wire dict -> record --------------------------------------------

ids = st.text("0123456789abcdef", min_size=1, max_size=24)
texts = st.none() | st.text(max_size=20)
money = st.none() | st.decimals(
    allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
)
moments = st.none() | st.datetimes(timezones=st.just(UTC))
small_ints = st.none() | st.integers(min_value=0, max_value=10**6)
extras = st.dictionaries(st.sampled_from(["__v", "customX", "zz"]), st.integers() | st.text())

items = st.builds(
    InvoiceItem,
    id=st.none() | ids,
    item_type=st.none() | st.sampled_from(list(ItemType)),
    description=texts,
    unit_price=money,
    number_of_items=money,
    house_work_type_of_work=small_ints,
    create_date=moments,
    extra=extras,
)
log_entries = st.builds(
    SupplierInvoiceLogEntry, id=st.none() | ids, log_type=small_ints, log_date=moments
)
invoices = st.builds(
    SupplierInvoice,
    id=ids,
    supplier_invoice_number=st.none() | st.integers(1, 10**6).map(str),
    supplier_invoice_status=st.none() | st.sampled_from(list(SupplierInvoiceStatus)),
    total_amount=money,
    total_amount_incl_tax=money,
    invoice_date=moments,
    is_invoiceable=st.none() | st.booleans(),
    work_order_number=small_ints,
    notes=texts,
    invoice_items=st.lists(items, max_size=3),
    supplier_invoice_log_entries=st.lists(log_entries, max_size=2),
    self_billing_time_log_ids=st.lists(ids, max_size=2),
    extra=extras,
)


@given(invoices)
def test_round_trip_record_to_wire_to_record(invoice: SupplierInvoice) -> None:
    assert structure(unstructure(invoice), SupplierInvoice) == invoice


@given(invoices)
def test_round_trip_through_json_text(invoice: SupplierInvoice) -> None:
    text = dumps_json(to_wire(invoice))
    assert structure(json.loads(text, parse_float=Decimal), SupplierInvoice) == invoice


def test_every_model_field_has_a_wire_name_in_to_wire() -> None:
    wire = to_wire(SupplierInvoice(id="a"))
    assert len(wire) == len(attrs.fields(SupplierInvoice)) - 1  # all but `extra`
    assert {"_id", "OCR", "supplierInvoiceNumber", "totalAmountInclTax"} <= set(wire)


def test_list_records_are_parsed_lazily_and_equal_a_full_parse() -> None:
    body = {
        "meta": {"totalResources": 3, "totalPages": 1, "currentPage": 1},
        "data": [{"_id": "a", "totalAmount": 7681.7}, {"_id": "b", "notes": "å]}"}, {"_id": "c"}],
    }
    text = json.dumps(body, indent=1, ensure_ascii=False).encode()
    page = decode_envelope_page(response(text))
    assert isinstance(page.records, RawRecords)
    assert page.records
    lazy = list(iter_records(page, SupplierInvoice))
    data_first = json.dumps({"data": body["data"], "meta": body["meta"]}).encode()
    assert lazy == list(iter_records(decode_envelope_page(response(data_first)), SupplierInvoice))
    whole = json.loads(text, parse_float=Decimal)["data"]  # the converter over a full parse
    eager = RawPage(meta=page.meta, records=whole, source=page.source)
    assert lazy == list(iter_records(eager, SupplierInvoice))
    assert lazy[0].total_amount == Decimal("7681.7")
    empty = decode_envelope_page(response({"meta": body["meta"], "data": []}))
    assert not empty.records


def test_a_broken_record_in_a_lazily_parsed_page_is_a_typed_error() -> None:
    text = (
        b'{"meta": {"totalResources": 2, "totalPages": 1, "currentPage": 1},'
        b' "data": [{"_id": "a"}, {"_id": "b" "x": 1}]}'
    )
    page = decode_envelope_page(response(text))
    records = iter_records(page, SupplierInvoice)
    assert next(records).id == "a"
    with pytest.raises(UnexpectedResponseError, match=r"invalid JSON in \$\.data\[1\]"):
        next(records)


# -- the generated fast path agrees with cattrs' own functions ----------------------------

lenient_scalars = (
    st.none()
    | st.text(max_size=5)
    | st.sampled_from(["", "12", "7681.7", "true", "false", "2020-09-15T13:44:06.566Z", "time"])
    | st.integers(-5, 20)
    | st.booleans()
    | st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**6, min_value=-(10**6)
    )
    | st.lists(st.integers(), max_size=2)
)
invoice_keys = st.sampled_from(
    [
        "_id",
        "OCR",
        "supplierInvoiceNumber",
        "supplierInvoiceStatus",
        "totalAmount",
        "isInvoiceable",
        "workOrderNumber",
        "invoiceDate",
        "notes",
        "selfBillingTimeLogIds",
        "unknownKey",
    ]
)
item_keys = st.sampled_from(["_id", "itemType", "unitPrice", "itemOrder", "createDate", "x"])
wire_invoices = st.fixed_dictionaries(
    {"_id": st.text(min_size=1, max_size=5)},
    optional={
        "invoiceItems": st.lists(
            st.dictionaries(item_keys, lenient_scalars, max_size=5), max_size=2
        )
    },
).flatmap(
    lambda base: st.dictionaries(invoice_keys, lenient_scalars, max_size=8).map(
        lambda more: {**base, **more}
    )
)


PLAIN = build_converter(fast_path=False)
_FAST = build_converter().get_structure_hook(SupplierInvoice)
assert _FAST is not None
FAST = _FAST


@given(wire_invoices)
def test_the_fast_path_gives_cattrs_result_or_leaves_it_to_cattrs(wire: dict[str, Any]) -> None:
    try:
        expected = PLAIN.structure(wire, SupplierInvoice)
    except Exception:
        expected = None
    try:
        got = FAST(wire)
    except Exception:
        return  # the converter then uses cattrs' function: nothing to compare
    assert got == expected
    assert to_wire(got) == to_wire(expected)


def test_the_fast_path_takes_the_usual_records() -> None:
    wire = {
        "_id": "a",
        "totalAmount": Decimal("7681.7"),
        "OCR": "",
        "notes": None,
        "invoiceItems": [{"_id": "i", "itemType": "time", "unitPrice": 550}],
        "supplierInvoiceStatus": 5,
        "invoiceDate": "2020-09-15T13:44:06.566Z",
        "zz": 1,
    }
    fast = FAST(wire)  # no exception: the usual shapes never leave the fast path
    assert fast == PLAIN.structure(wire, SupplierInvoice)
    assert fast.extra == {"zz": 1}
