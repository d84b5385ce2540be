"""Pure request building: validate the caller's input and turn it into a :class:`Request`.

Nothing here does I/O. Every violation is an :class:`InvalidRequestError` that names the
parameter (in the caller's snake_case), raised before anything is sent.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypedDict
from urllib.parse import quote, quote_plus

import attrs

from ._converter import wire_name
from ._exceptions import InvalidRequestError
from ._models import ItemType, NewInvoiceItem, SupplierInvoiceStatus

__all__ = [
    "MAX_PAGE_SIZE",
    "Request",
    "SortDirection",
    "SupplierInvoiceCreateFields",
    "SupplierInvoiceFilters",
    "SupplierInvoiceUpdateFields",
    "create_request",
    "delete_request",
    "encode_form",
    "get_request",
    "list_request",
    "update_request",
    "validate_filters",
]

V1_SUPPLIER_INVOICES = "/api/1/supplierInvoices/"
V2_SUPPLIER_INVOICES = "/api/2/supplierInvoices/"
JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_PAGE_SIZE = 500

# JavaScript numbers: integers beyond this lose precision on the server.
_MAX_SAFE_INTEGER = 2**53 - 1


class SortDirection(enum.StrEnum):
    """Sort order for ``sort_by``."""

    ASCENDING = "ascending"
    DESCENDING = "descending"


@attrs.frozen(slots=True)
class Request:
    """One HTTP request, fully built: method, path, query parameters and encoded body."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str = JSON_CONTENT_TYPE

    @property
    def idempotent(self) -> bool:
        """True when sending the request twice has the effect of sending it once."""
        return self.method != "POST"


# -- the caller's keyword arguments, typed ------------------------------------------------

Money = Decimal | int | float | str


class SupplierInvoiceFilters(TypedDict, total=False):
    """The documented query filters of the supplier-invoice list."""

    supplier_invoice_number: int | str
    supplier_invoice_status: SupplierInvoiceStatus | int
    project: str
    customer: str
    work_order: str
    work_order_number: int
    distributor: str
    from_invoice_date: date
    to_invoice_date: date
    is_invoiceable: bool
    is_self_billing_invoice: bool
    exported_to_economy: bool
    last_modified: datetime | date
    sort_by: str
    sort_direction: SortDirection | str


class SupplierInvoiceCreateFields(TypedDict, total=False):
    """The optional documented fields of a supplier invoice on create.

    ``extra_fields`` is sent as given, for fields the reference does not document.
    """

    customer: str | None
    project: str | None
    work_order: str | None
    result_unit: str | None
    supplier_invoice_status: SupplierInvoiceStatus | int
    tax_percent: Money
    markup_percent: Money
    invoice_date: date
    due_date: date
    exported_to_economy: bool
    ocr: int | str | None
    currency_code: str
    currency_rate: Money
    supplement_order: bool
    supplement_order_id: str | None
    our_reference: str | None
    your_reference: str | None
    notes: str | None
    is_invoiceable: bool
    invoice_items: Sequence[NewInvoiceItem]
    extra_fields: Mapping[str, Any]


class SupplierInvoiceUpdateFields(SupplierInvoiceCreateFields, total=False):
    """The fields an update may change: every create field but ``created_by_user``."""

    supplier_invoice_number: int | str
    distributor: str
    total_amount_incl_tax: Money


# -- value checks: each returns the JSON-ready wire value or raises -----------------------


def _invalid(field: str, problem: str) -> InvalidRequestError:
    return InvalidRequestError(f"{field}: {problem}", field=field)


def _id(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _invalid(field, f"expected an id string, got {type(value).__name__}")
    if not value or value != value.strip():
        raise _invalid(field, "must be a non-empty id without surrounding spaces")
    if any(ch in value for ch in "/?#\\") or ".." in value or not value.isprintable():
        raise _invalid(field, f"{value!r} is not a valid id")
    return value


def _optional_id(value: Any, field: str) -> str | None:
    return None if value is None else _id(value, field)


def _text(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _invalid(field, f"expected a string, got {type(value).__name__}")


def _boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(field, f"expected True or False, got {value!r}")
    return value


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool):
        raise _invalid(field, f"expected a number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _invalid(field, f"expected a finite number, got {value!r}")
        value = repr(value)  # the digits the caller wrote, not the binary approximation
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise _invalid(field, f"expected a number, got {value!r}") from None
    if isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise _invalid(field, f"expected a finite number, got {value!r}")
    return value


def _number(value: Any, field: str) -> int | float:
    """A Decimal as the JSON number the server will hold exactly, or an error."""
    number = _decimal(value, field)
    if number == number.to_integral_value():
        if abs(number) > _MAX_SAFE_INTEGER:
            raise _invalid(field, f"{number} is too large for the API's numbers")
        return int(number)
    as_float = float(number)
    if Decimal(repr(as_float)) != number:
        raise _invalid(field, f"{number} has more digits than the API's numbers hold exactly")
    return as_float


def _non_negative(value: Any, field: str) -> int | float:
    number = _number(value, field)
    if number < 0:
        raise _invalid(field, f"must not be negative, got {number}")
    return number


def _whole_number(value: Any, field: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(field, f"expected a whole number, got {value!r}")
    if not 0 <= value <= _MAX_SAFE_INTEGER:
        raise _invalid(field, f"must be between 0 and {_MAX_SAFE_INTEGER}, got {value}")
    return value


def _optional_whole_number(value: Any, field: str) -> int | None:
    return None if value is None else _whole_number(value, field)


def _status(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, f"expected a SupplierInvoiceStatus, got {value!r}")
    if value not in SupplierInvoiceStatus.__members__.values():
        allowed = ", ".join(f"{s.value} ({s.name})" for s in SupplierInvoiceStatus)
        raise _invalid(field, f"must be one of {allowed}, got {value}")
    return int(value)


def _date(value: Any, field: str) -> str:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise _invalid(field, f"expected a datetime.date, got {type(value).__name__}")
    return value.isoformat()


def _currency_code(value: Any, field: str) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
        raise _invalid(field, f"expected a three-letter currency code, got {value!r}")
    return value.upper()


def _timestamp_filter(value: Any, field: str) -> str:
    """``lastModified`` in one of the documented forms, ``YYYY-MM-DDTHH:MM:SS``.

    An aware datetime is converted to UTC first; a naive one is sent as given.
    """
    if isinstance(value, datetime):
        moment: datetime = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time()).isoformat()
    raise _invalid(field, f"expected a datetime or date, got {type(value).__name__}")


def _sort_field(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(field, f"expected a field name, got {value!r}")
    if value in ("_id", "OCR") or "_" not in value:
        return value
    return wire_name(value)  # accept the SDK's snake_case attribute names too


def _sort_direction(value: Any, field: str) -> str:
    try:
        return str(SortDirection(value))
    except ValueError:
        raise _invalid(field, "must be 'ascending' or 'descending'") from None


def _query_bool(value: Any, field: str) -> str:
    return "true" if _boolean(value, field) else "false"


def _as_query(check: Callable[[Any, str], Any]) -> Callable[[Any, str], str]:
    def query_value(value: Any, field: str) -> str:
        return str(check(value, field))

    return query_value


_FILTERS: dict[str, Callable[[Any, str], str]] = {
    "supplier_invoice_number": _as_query(_whole_number),
    "supplier_invoice_status": _as_query(_status),
    "project": _id,
    "customer": _id,
    "work_order": _id,
    "work_order_number": _as_query(_whole_number),
    "distributor": _id,
    "from_invoice_date": _date,
    "to_invoice_date": _date,
    "is_invoiceable": _query_bool,
    "is_self_billing_invoice": _query_bool,
    "exported_to_economy": _query_bool,
    "last_modified": _timestamp_filter,
    "sort_by": _sort_field,
    "sort_direction": _sort_direction,
}

_INVOICE_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "supplier_invoice_number": _whole_number,
    "created_by_user": _id,
    "distributor": _id,
    "total_amount_incl_tax": _number,
    "customer": _optional_id,
    "project": _optional_id,
    "work_order": _optional_id,
    "result_unit": _optional_id,
    "supplier_invoice_status": _status,
    "tax_percent": _non_negative,
    "markup_percent": _number,
    "invoice_date": _date,
    "due_date": _date,
    "exported_to_economy": _boolean,
    "ocr": _optional_whole_number,
    "currency_code": _currency_code,
    "currency_rate": _non_negative,
    "supplement_order": _boolean,
    "supplement_order_id": _optional_id,
    "our_reference": _text,
    "your_reference": _text,
    "notes": _text,
    "is_invoiceable": _boolean,
}

_REQUIRED_ON_CREATE = (
    "supplier_invoice_number",
    "created_by_user",
    "distributor",
    "total_amount_incl_tax",
)

_ITEM_ID_FOR_TYPE = {
    ItemType.EXPENSE: "expense_item",
    ItemType.TIME_LOG: "time_category",
    ItemType.MACHINE_TIME_LOG: "machine",
    ItemType.DRIVER_JOURNAL: "driver_journal_item_type",
}

_ITEM_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "expense_item": _optional_id,
    "time_category": _optional_id,
    "machine": _optional_id,
    "driver_journal_item_type": _optional_id,
    "number_of_items": _number,
    "unit": _text,
    "unit_cost": _number,
    "unit_price": _number,
    "price_per_hour": _number,
    "total_amount": _number,
    "discount_percent": _number,
    "tax_percent": _number,
    "house_work_type_of_work": _whole_number,
}

_ROW_TAX_PERCENTS = (0, 6, 12, 25)


def _check_unknown(given: Iterable[str], known: Iterable[str], what: str) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidRequestError(
            f"unknown {what} {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            field=unknown[0],
        )


# -- list / get ---------------------------------------------------------------------------


def validate_filters(filters: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Check list filters and encode them as query parameters (``None`` values are left out)."""
    _check_unknown(filters, _FILTERS, "filter")
    params = tuple(
        (wire_name(name), _FILTERS[name](value, name))
        for name, value in filters.items()
        if value is not None
    )
    if "sort_direction" in filters and "sort_by" not in filters:
        raise _invalid("sort_direction", "only has an effect together with sort_by")
    from_date, to_date = filters.get("from_invoice_date"), filters.get("to_invoice_date")
    if from_date is not None and to_date is not None and from_date > to_date:
        raise _invalid("from_invoice_date", f"{from_date} is after to_invoice_date {to_date}")
    return params


def validate_page_size(limit: Any) -> int:
    """``limit`` must be a whole number from 1 to 500 (the reference's bounds)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise _invalid("limit", f"must be a whole number from 1 to {MAX_PAGE_SIZE}, got {limit!r}")
    return limit


def list_request(filter_params: tuple[tuple[str, str], ...], *, page: int, limit: int) -> Request:
    """GET one page of supplier invoices (``filter_params`` from :func:`validate_filters`)."""
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise _invalid("page", f"must be a whole number from 1, got {page!r}")
    params = (*filter_params, ("limit", str(validate_page_size(limit))), ("page", str(page)))
    return Request("GET", V2_SUPPLIER_INVOICES, params=params)


def get_request(invoice_id: str) -> Request:
    """GET one supplier invoice by id (validated and URL-quoted)."""
    quoted = quote(_id(invoice_id, "invoice_id"), safe="")
    return Request("GET", f"{V2_SUPPLIER_INVOICES}{quoted}")


# -- create / update / delete -------------------------------------------------------------


def _item_to_wire(item: Any, field: str) -> dict[str, Any]:
    if not isinstance(item, NewInvoiceItem):
        raise _invalid(field, f"expected a NewInvoiceItem, got {type(item).__name__}")
    try:
        item_type = ItemType(item.item_type)
    except ValueError:
        item_type = None
    if item_type is None or not item_type.is_documented:
        allowed = ", ".join(t.value for t in ItemType if t.is_documented)
        raise _invalid(f"{field}.item_type", f"must be one of {allowed}, got {item.item_type!r}")
    wire: dict[str, Any] = {"itemType": item_type.value}
    for name, check in _ITEM_FIELDS.items():
        value = getattr(item, name)
        if value is not None:
            wire[wire_name(name)] = check(value, f"{field}.{name}")
    required_id = _ITEM_ID_FOR_TYPE.get(item_type)
    if required_id is not None and getattr(item, required_id) is None:
        raise _invalid(f"{field}.{required_id}", f"is required for {item_type.value} rows")
    tax = wire.get("taxPercent")
    if tax is not None and tax not in _ROW_TAX_PERCENTS:
        raise _invalid(f"{field}.tax_percent", f"must be 0, 6, 12 or 25, got {tax}")
    _check_clashes(item.extra, wire, f"{field}.extra")
    wire.update(item.extra)
    return wire


def _check_clashes(extra: Mapping[str, Any], wire: Mapping[str, Any], field: str) -> None:
    clashes = sorted(set(extra) & set(wire))
    if clashes:
        raise _invalid(field, f"repeats documented field(s) {', '.join(clashes)}")


def _invoice_body(fields: Mapping[str, Any], *, allowed: Iterable[str]) -> dict[str, Any]:
    """Validate invoice fields and map them to a wire dict (only the fields given)."""
    known = set(allowed)
    _check_unknown(fields, known | {"invoice_items", "extra_fields"}, "field")
    wire: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("invoice_items", "extra_fields"):
            continue
        wire[wire_name(name)] = _INVOICE_FIELDS[name](value, name)
    _check_currency(wire)
    items = fields.get("invoice_items")
    if items is not None:
        if isinstance(items, str | bytes) or not isinstance(items, Sequence):
            raise _invalid("invoice_items", "expected a list of NewInvoiceItem")
        wire["invoiceItems"] = [
            _item_to_wire(item, f"invoice_items[{i}]") for i, item in enumerate(items)
        ]
    extra = fields.get("extra_fields") or {}
    if not isinstance(extra, Mapping) or not all(isinstance(k, str) for k in extra):
        raise _invalid("extra_fields", "expected a mapping of wire names to values")
    _check_clashes(extra, wire, "extra_fields")
    wire.update(extra)
    return wire


def _check_currency(wire: Mapping[str, Any]) -> None:
    code, rate = wire.get("currencyCode"), wire.get("currencyRate")
    if code is not None and code != "SEK":
        if rate is None:
            raise _invalid("currency_rate", f"is required when currency_code is {code}")
        if rate == 0:
            raise _invalid("currency_rate", "must be greater than 0")
    elif rate is not None and rate != 1:
        raise _invalid("currency_rate", "must be 1 (or left out) when the currency is SEK")


def create_request(fields: Mapping[str, Any], *, api_version: Literal[1, 2] = 2) -> Request:
    """POST a new supplier invoice: v2 as JSON, v1 as a form with bracketed items."""
    for name in _REQUIRED_ON_CREATE:
        if fields.get(name) is None:
            raise _invalid(name, "is required to create a supplier invoice")
    wire = _invoice_body(fields, allowed=_INVOICE_FIELDS)
    if api_version == 2:
        return Request("POST", V2_SUPPLIER_INVOICES, body=_json(wire))
    if api_version == 1:
        return Request(
            "POST", V1_SUPPLIER_INVOICES, body=encode_form(wire), content_type=FORM_CONTENT_TYPE
        )
    raise _invalid("api_version", f"must be 1 or 2, got {api_version!r}")


def update_request(invoice_id: str, modified_by_user: str, changes: Mapping[str, Any]) -> Request:
    """PUT the given changes (and only those) to an existing supplier invoice."""
    allowed = set(_INVOICE_FIELDS) - {"created_by_user"}
    for name in _REQUIRED_ON_CREATE:
        if name in changes and changes[name] is None:
            raise _invalid(name, "cannot be cleared")
    wire = {
        "_id": _id(invoice_id, "invoice_id"),
        "modifiedByUser": _id(modified_by_user, "modified_by_user"),
        **_invoice_body(changes, allowed=allowed),
    }
    return Request("PUT", V2_SUPPLIER_INVOICES, body=_json(wire))


def delete_request(invoice_id: str, deleted_by_user: str) -> Request:
    """DELETE a supplier invoice (the id travels in the JSON body, as documented)."""
    wire = {
        "_id": _id(invoice_id, "invoice_id"),
        "deletedByUser": _id(deleted_by_user, "deleted_by_user"),
    }
    return Request("DELETE", V2_SUPPLIER_INVOICES, body=_json(wire))


# -- encodings ----------------------------------------------------------------------------


def _json(wire: Mapping[str, Any]) -> bytes:
    return json.dumps(wire, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _form_scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def encode_form(data: Mapping[str, Any]) -> bytes:
    """Form-encode nested data the way Express's ``qs`` parses it.

    ``{"invoiceItems": [{"itemType": "expense"}]}`` becomes
    ``invoiceItems[0][itemType]=expense``. ``None`` values are left out (a form has no null).
    """
    pairs: list[tuple[str, str]] = []

    def walk(key: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for sub_key, sub_value in value.items():
                walk(f"{key}[{sub_key}]", sub_value)
        elif isinstance(value, list | tuple):
            for index, element in enumerate(value):
                walk(f"{key}[{index}]", element)
        else:
            pairs.append((key, _form_scalar(value)))

    for key, value in data.items():
        walk(key, value)
    return "&".join(
        f"{quote_plus(key, safe='[]')}={quote_plus(value)}" for key, value in pairs
    ).encode()
