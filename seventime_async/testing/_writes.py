"""Pure create/update logic: validate a request body and build the stored document.

The rules follow the reference: four required fields on create, documented statuses and
item types, ``currencyRate`` required for a currency other than SEK (and forced to 1 for
SEK), the item type's id field required on each row. Numbers may arrive as strings (forms
only carry strings; the reference's own JSON examples send ``"100000"``). Keys the schema
does not know are dropped, as a strict Mongoose schema does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._data import (
    DOCUMENTED_ITEM_TYPES,
    ITEM_ID_FIELDS,
    STATUSES,
    TOP_LEVEL_KEYS,
    Named,
    Pools,
    log_entry,
)
from ._query import ApiError
from ._wire import format_timestamp, is_number, parse_day, wire_number

__all__ = [
    "REQUIRED_ON_CREATE",
    "WriteContext",
    "new_invoice",
    "require_id",
    "updated_invoice",
    "validate_fields",
]

REQUIRED_ON_CREATE = ("supplierInvoiceNumber", "createdByUser", "distributor", "totalAmountInclTax")

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_DIGITS = re.compile(r"\d+")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_ROW_TAX_PERCENTS = (0, 6, 12, 25)


@dataclass(frozen=True, slots=True)
class WriteContext:
    """What a write needs besides the body: the pools, the time and fresh ids."""

    pools: Pools
    now_ms: int
    new_id: Callable[[], str]
    item_token: Callable[[], str]

    @property
    def now(self) -> str:
        """The current time in the API's timestamp form."""
        return format_timestamp(self.now_ms)


def _invalid(name: str, expected: str, value: Any) -> ApiError:
    return ApiError(400, f"Invalid value for field '{name}': expected {expected}, got {value!r}")


def _number(value: Any, name: str) -> int | float:
    if is_number(value):
        return wire_number(float(value), 6) if isinstance(value, float) else int(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return wire_number(float(value), 6) if "." in value else int(value)
    raise _invalid(name, "a number", value)


def _non_negative(value: Any, name: str) -> int | float:
    number = _number(value, name)
    if number < 0:
        raise _invalid(name, "a number of at least 0", value)
    return number


def _positive(value: Any, name: str) -> int | float:
    number = _number(value, name)
    if number <= 0:
        raise _invalid(name, "a number greater than 0", value)
    return number


def _whole(value: Any, name: str) -> int:
    number = _number(value, name)
    if number != int(number):
        raise _invalid(name, "a whole number", value)
    return int(number)


def _invoice_number(value: Any, name: str) -> str:
    number = _whole(value, name)
    if number < 0:
        raise _invalid(name, "a whole number of at least 0", value)
    return str(number)


def _ocr(value: Any, name: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return value  # leading zeros are part of an OCR number
    return _invoice_number(value, name)


def _status(value: Any, name: str) -> int:
    status = _whole(value, name) if not isinstance(value, bool) else None
    if status not in STATUSES:
        raise _invalid(name, "one of 1, 5, 7 or 10", value)
    return status


def _boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _invalid(name, "true or false", value)


def _required_id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(name, "an id (a non-empty string)", value)
    return value


def _optional_id(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    return _required_id(value, name)


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if is_number(value):
        return str(value)
    raise _invalid(name, "a string", value)


def _date(value: Any, name: str) -> str:
    try:
        day = parse_day(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise _invalid(name, "a date YYYY-MM-DD", value)
    return f"{day.isoformat()}T00:00:00.000Z"


def _currency_code(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise _invalid(name, "a three-letter currency code", value)
    return value.upper()


_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "supplierInvoiceNumber": _invoice_number,
    "createdByUser": _required_id,
    "distributor": _required_id,
    "totalAmountInclTax": _number,
    "customer": _optional_id,
    "project": _optional_id,
    "workOrder": _optional_id,
    "resultUnit": _optional_id,
    "supplierInvoiceStatus": _status,
    "taxPercent": _non_negative,
    "markupPercent": _number,
    "invoiceDate": _date,
    "dueDate": _date,
    "exportedToEconomy": _boolean,
    "OCR": _ocr,
    "currencyCode": _currency_code,
    "currencyRate": _positive,
    "supplementOrder": _boolean,
    "supplementOrderId": _optional_id,
    "ourReference": _text,
    "yourReference": _text,
    "notes": _text,
    "isInvoiceable": _boolean,
}

# Keys the server computes or owns: never taken from a request body.
_SERVER_KEYS = frozenset(
    {
        "_id",
        "createDate",
        "supplierInvoiceLogEntries",
        "lastModified",
        "__v",
        "totalAmount",
        "totalTaxAmount",
        "totalAmountToInvoice",
        "distributorName",
        "customerName",
        "projectName",
        "workOrderTitle",
        "workOrderNumber",
        "departmentName",
    }
)
# Schema keys without documented validation: stored as sent.
_PASSTHROUGH = frozenset(TOP_LEVEL_KEYS) - _SERVER_KEYS - set(_FIELDS) - {"invoiceItems"}

_ITEM_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "numberOfItems": _number,
    "unitCost": _number,
    "unitPrice": _number,
    "pricePerHour": _number,
    "totalAmount": _number,
    "discountPercent": _number,
    "houseWorkTypeOfWork": _whole,
    "unit": _text,
    "description": _text,
    "articleNumber": _text,
}
_ITEM_SERVER_KEYS = frozenset(
    {
        "_id",
        "createDate",
        "itemId",
        "itemOrder",
        "totalAmountInclTax",
        "totalTaxAmount",
        "totalCost",
    }
)


def require_id(body: Mapping[str, Any], name: str) -> str:
    """A required id field of a body, or a 400 naming it."""
    value = body.get(name)
    if value is None or value == "":
        raise ApiError(400, f"Missing required field '{name}'")
    return _required_id(value, name)


def validate_fields(body: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Check a create/update body; return the fields to write, normalized, in body order."""
    if creating:
        for name in REQUIRED_ON_CREATE:
            if body.get(name) is None or body.get(name) == "":
                raise ApiError(400, f"Missing required field '{name}'")
    fields: dict[str, Any] = {}
    for name, value in body.items():
        if name in _FIELDS and (creating or name != "createdByUser"):
            if not creating and name in REQUIRED_ON_CREATE and value in (None, ""):
                raise ApiError(400, f"Field '{name}' cannot be empty")
            fields[name] = _FIELDS[name](value, name)
        elif name == "invoiceItems":
            fields[name] = _validate_items(value)
        elif name in _PASSTHROUGH:
            fields[name] = value
    _check_currency(fields)
    return fields


def _check_currency(fields: dict[str, Any]) -> None:
    code = fields.get("currencyCode")
    if code is None:
        return
    if code == "SEK":
        fields["currencyRate"] = 1
    elif "currencyRate" not in fields:
        raise ApiError(400, f"Field 'currencyRate' is required when currencyCode is {code}")


def _validate_items(value: Any) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise _invalid("invoiceItems", "an array of objects", value)
    return [_validate_item(item, f"invoiceItems[{index}]") for index, item in enumerate(value)]


def _validate_item(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _invalid(where, "an object", item)
    item_type = item.get("itemType")
    if item_type not in DOCUMENTED_ITEM_TYPES:
        if item_type is None or item_type == "":
            raise ApiError(400, f"Missing required field '{where}.itemType'")
        raise _invalid(f"{where}.itemType", f"one of {', '.join(DOCUMENTED_ITEM_TYPES)}", item_type)
    id_field = ITEM_ID_FIELDS.get(item_type)
    if id_field is not None and item.get(id_field) in (None, ""):
        raise ApiError(400, f"Field '{where}.{id_field}' is required for {item_type} rows")
    checked: dict[str, Any] = {"itemType": item_type}
    for name, field_value in item.items():
        if name in _ITEM_FIELDS:
            checked[name] = _ITEM_FIELDS[name](field_value, f"{where}.{name}")
        elif name == "taxPercent":
            checked[name] = _row_tax(field_value, f"{where}.{name}")
        elif name in ITEM_ID_FIELDS.values():
            checked[name] = _optional_id(field_value, f"{where}.{name}")
        elif name not in _ITEM_SERVER_KEYS and name != "itemType":
            checked[name] = field_value
    return checked


def _row_tax(value: Any, name: str) -> int | float:
    tax = _number(value, name)
    if tax not in _ROW_TAX_PERCENTS:
        raise _invalid(name, "0, 6, 12 or 25", value)
    return tax


def _build_item(item: Mapping[str, Any], order: int, context: WriteContext) -> dict[str, Any]:
    """A stored invoice row from a validated input row, with its amounts computed."""
    item_type = item["itemType"]
    priced = item_type not in ("blank", "text")
    quantity = item.get("numberOfItems", 1) if priced else 0
    price = item.get("unitPrice", item.get("pricePerHour", 0)) if priced else 0
    cost = item.get("unitCost", 0) if priced else 0
    discount = item.get("discountPercent", 0)
    if item_type == "onlyamount":
        total = wire_number(float(item.get("totalAmount", 0)))
    else:
        total = wire_number(price * quantity * (100 - discount) / 100)
    tax_percent = item.get("taxPercent", 25)
    tax = wire_number(total * tax_percent / 100)
    built: dict[str, Any] = {
        "_id": context.new_id(),
        "createDate": context.now,
        "articleNumber": item.get("articleNumber", ""),
        "description": item.get("description", ""),
        "itemId": context.item_token(),
        "itemOrder": 1024 * (order + 1),
        "unitCost": cost,
        "unitPrice": price,
        "numberOfItems": quantity,
        "totalAmount": total,
        "unit": item.get("unit", ""),
        "taxPercent": tax_percent,
        "totalAmountInclTax": wire_number(total + tax),
        "totalTaxAmount": tax,
        "totalCost": wire_number(cost * quantity),
        "itemType": item_type,
    }
    for name, value in item.items():
        built.setdefault(name, value)
    if item_type == "timeLog":
        category = context.pools.name_of(item.get("timeCategory"))
        if category is not None:
            built["categoryName"] = category
    return built


def _totals(including_tax: Any, tax_percent: Any, markup_percent: Any) -> dict[str, Any]:
    if not (is_number(including_tax) and is_number(tax_percent) and is_number(markup_percent)):
        return {}
    total = wire_number(including_tax / (1 + tax_percent / 100), 2)
    return {
        "totalAmount": total,
        "totalTaxAmount": wire_number(including_tax - total),
        "totalAmountToInvoice": wire_number(total * (100 + markup_percent) / 100),
    }


def _names(doc: Mapping[str, Any], changed: set[str], pools: Pools) -> dict[str, Any]:
    """The display fields that follow the ids in ``changed``."""
    names: dict[str, Any] = {}
    if "distributor" in changed:
        names["distributorName"] = pools.name_of(doc.get("distributor")) or ""
    if "customer" in changed:
        names["customerName"] = pools.name_of(doc.get("customer")) or ""
    if "project" in changed:
        names["projectName"] = pools.name_of(doc.get("project"))
    if "department" in changed:
        names["departmentName"] = pools.name_of(doc.get("department")) or ""
    if "workOrder" in changed:
        order = pools.work_orders_by_id.get(str(doc.get("workOrder")))
        names["workOrderTitle"] = order.title if order else ""
        names["workOrderNumber"] = order.number if order else None
    return names


def _user(pools: Pools, user_id: str) -> Named:
    return Named(user_id, pools.name_of(user_id) or "")


_DEFAULTS: dict[str, Any] = {
    "isInvoiceable": True,
    "isInvoiced": False,
    "selfBillingTimeLogIds": [],
    "selfBillingExpenseIds": [],
    "invoiceItems": [],
    "documents": [],
    "yourReference": "",
    "ourReference": "",
    "paymentDate": None,
    "taxPercent": 25,
    "taxType": 1,
    "markupPercent": 0,
    "currencyCode": "SEK",
    "currencyRate": 1,
    "OCR": "",
    "economySystemStatus": 0,
    "expensesCreatedFromInvoiceItems": False,
    "notes": "",
    "isCreditInvoice": False,
    "creditForInvoiceNumber": "",
    "isBooked": False,
    "economySystemRef": "",
    "importedFrom": "",
    "supplierInvoiceStatus": 1,
    "workOrder": None,
    "workOrderTitle": "",
    "workOrderNumber": None,
    "project": None,
    "projectName": None,
    "supplementOrderId": None,
    "supplementOrderNumber": None,
    "customer": None,
    "customerName": "",
    "department": None,
    "departmentName": "",
    "resultUnit": None,
    "supplementOrder": False,
    "invoice": None,
    "invoiceNumber": "",
    "isSelfBillingInvoice": False,
    "selfBillingInvoiceStatus": 0,
    "exportedToEconomy": False,
    "selfBillingInvoice": None,
    "selfBillingInvoiceNumber": "",
    "footerText": "",
    "footerInfoText": "",
    "customFieldValues": [],
    "__v": 0,
}

# The keys of the reference's create response, in its order; given optional fields follow.
_CREATE_RESPONSE_KEYS = (
    "isInvoiceable",
    "selfBillingTimeLogIds",
    "selfBillingExpenseIds",
    "_id",
    "invoiceItems",
    "documents",
    "supplierInvoiceLogEntries",
    "markupPercent",
    "distributor",
    "distributorName",
    "supplierInvoiceNumber",
    "invoiceDate",
    "dueDate",
    "totalAmountInclTax",
    "taxPercent",
    "totalAmount",
    "totalTaxAmount",
    "totalAmountToInvoice",
    "supplierInvoiceStatus",
    "createDate",
)


def new_invoice(
    fields: Mapping[str, Any], context: WriteContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build a new invoice from validated create fields.

    Returns ``(stored, response)``: the stored document has every key the list returns;
    the response is shaped like the reference's create example (the keys Mongoose saved:
    the fixed ones, the optional fields that were given, ``OCR`` and ``__v``).
    """
    now = context.now
    given = dict(fields)
    creator = _user(context.pools, given.pop("createdByUser"))
    invoice_date = given.get("invoiceDate", now)
    values: dict[str, Any] = {
        **_DEFAULTS,
        **given,
        "_id": context.new_id(),
        "invoiceItems": [
            _build_item(item, order, context)
            for order, item in enumerate(given.get("invoiceItems", ()))
        ],
        "supplierInvoiceLogEntries": [log_entry(context.new_id(), creator, context.now_ms, 1)],
        "createDate": now,
        "invoiceDate": invoice_date,
        "dueDate": given.get("dueDate", invoice_date),
        "lastModified": now,
    }
    if values["currencyCode"] == "SEK":
        values["currencyRate"] = 1
    values.update(_names(values, {"distributor", *given}, context.pools))
    values.update(
        _totals(values["totalAmountInclTax"], values["taxPercent"], values["markupPercent"])
    )
    stored = {key: values.get(key) for key in TOP_LEVEL_KEYS}
    response_keys = [*_CREATE_RESPONSE_KEYS]
    response_keys += [key for key in given if key not in response_keys]
    response_keys += [key for key in ("OCR", "__v") if key not in response_keys]
    return stored, {key: stored[key] for key in response_keys}


def updated_invoice(
    doc: Mapping[str, Any], fields: Mapping[str, Any], user_id: str, context: WriteContext
) -> dict[str, Any]:
    """The document after an update: fields applied, totals and names refreshed, logged."""
    updated = dict(doc)
    changes = dict(fields)
    if "invoiceItems" in changes:
        changes["invoiceItems"] = [
            _build_item(item, order, context) for order, item in enumerate(changes["invoiceItems"])
        ]
    updated.update(changes)
    if updated.get("currencyCode") == "SEK":
        updated["currencyRate"] = 1
    updated.update(_names(updated, set(changes), context.pools))
    if {"totalAmountInclTax", "taxPercent", "markupPercent"} & set(changes):
        updated.update(
            _totals(
                updated.get("totalAmountInclTax"),
                updated.get("taxPercent", 25),
                updated.get("markupPercent", 0),
            )
        )
    log = list(updated.get("supplierInvoiceLogEntries") or [])
    log.append(log_entry(context.new_id(), _user(context.pools, user_id), context.now_ms, 2))
    updated["supplierInvoiceLogEntries"] = log
    updated["lastModified"] = context.now
    version = updated.get("__v")
    updated["__v"] = version + 1 if isinstance(version, int) else 1
    return updated
