"""Pure list-query handling: parse the query string, filter, sort and paginate rows.

Every malformed value is an :class:`ApiError` (400) whose message names the parameter,
the way the server answers: ``{"errorMessage": "..."}``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ._data import TOP_LEVEL_KEYS, Row
from ._wire import parse_day, parse_last_modified

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "ApiError",
    "ListQuery",
    "Predicate",
    "build_predicate",
    "page_meta",
    "page_slice",
    "parse_list_query",
    "sort_rows",
]

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

_INTEGER = re.compile(r"-?\d+")

Predicate = Callable[[Row], bool]


class ApiError(Exception):
    """An error the sandbox answers with ``status`` and ``{"errorMessage": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A validated list request: page, page size, filters and sort order."""

    limit: int = DEFAULT_LIMIT
    page: int = 1
    filters: tuple[tuple[str, Any], ...] = ()
    sort_by: str | None = None
    descending: bool = False

    @property
    def selection_key(self) -> tuple[Any, ...]:
        """What determines the selected rows and their order (not the page)."""
        return (self.filters, self.sort_by, self.descending)


def _bad(name: str, expected: str, value: str) -> ApiError:
    return ApiError(
        400, f"Invalid value for parameter '{name}': expected {expected}, got {value!r}"
    )


def _integer(name: str, value: str, low: int, high: int | None = None) -> int:
    if not _INTEGER.fullmatch(value):
        raise _bad(name, "an integer", value)
    number = int(value)
    if number < low or (high is not None and number > high):
        bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise _bad(name, f"an integer {bounds}", value)
    return number


def _boolean(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise _bad(name, "'true' or 'false'", value)
    return lowered == "true"


def _day(name: str, value: str) -> str:
    try:
        return parse_day(value).isoformat()
    except ValueError:
        raise _bad(name, "a date YYYY-MM-DD", value) from None


def _last_modified(name: str, value: str) -> int:
    try:
        return parse_last_modified(value)
    except ValueError:
        raise _bad(name, "a timestamp 'YYYY-MM-DD HH:MM[:SS]'", value) from None


def _text(name: str, value: str) -> str:
    return value


_FILTER_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "supplierInvoiceNumber": _text,
    "supplierInvoiceStatus": lambda name, value: _integer(name, value, -(2**31)),
    "project": _text,
    "customer": _text,
    "workOrder": _text,
    "workOrderNumber": lambda name, value: _integer(name, value, -(2**53)),
    "distributor": _text,
    "fromInvoiceDate": _day,
    "toInvoiceDate": _day,
    "isInvoiceable": _boolean,
    "isSelfBillingInvoice": _boolean,
    "exportedToEconomy": _boolean,
    "lastModified": _last_modified,
}


def parse_list_query(pairs: Iterable[tuple[str, str]]) -> ListQuery:
    """Validate the list's query parameters (unknown parameters are ignored, as the API does).

    An empty value counts as not given. A parameter given twice is a 400.
    """
    given: dict[str, str] = {}
    for name, value in pairs:
        if name in given:
            raise ApiError(400, f"Parameter '{name}' was given more than once")
        given[name] = value
    values = {name: value for name, value in given.items() if value != ""}
    limit = _integer("limit", values["limit"], 1, MAX_LIMIT) if "limit" in values else DEFAULT_LIMIT
    page = _integer("page", values["page"], 1) if "page" in values else 1
    filters = tuple(
        (name, parse(name, values[name]))
        for name, parse in _FILTER_PARSERS.items()
        if name in values
    )
    sort_by = values.get("sortBy")
    if sort_by is not None and sort_by not in TOP_LEVEL_KEYS:
        raise ApiError(400, f"Invalid value for parameter 'sortBy': unknown field {sort_by!r}")
    direction = values.get("sortDirection", "ascending")
    if direction not in ("ascending", "descending"):
        raise _bad("sortDirection", "'ascending' or 'descending'", direction)
    return ListQuery(
        limit=limit,
        page=page,
        filters=filters,
        sort_by=sort_by,
        descending=sort_by is not None and direction == "descending",
    )


def _equals(attribute: str, wanted: Any) -> Predicate:
    def check(row: Row) -> bool:
        value = getattr(row, attribute)
        return value is not None and value == wanted

    return check


def _same_text(attribute: str, wanted: str) -> Predicate:
    def check(row: Row) -> bool:
        value = getattr(row, attribute)
        return value is not None and str(value) == wanted

    return check


def _is(attribute: str, wanted: bool) -> Predicate:
    return lambda row: getattr(row, attribute) is wanted


def _day_of(row: Row) -> str | None:
    value = row.invoice_date
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _from_day(day: str) -> Predicate:
    def check(row: Row) -> bool:
        row_day = _day_of(row)
        return row_day is not None and row_day >= day

    return check


def _to_day(day: str) -> Predicate:
    def check(row: Row) -> bool:
        row_day = _day_of(row)
        return row_day is not None and row_day <= day

    return check


def _modified_since(epoch_ms: int) -> Predicate:
    def check(row: Row) -> bool:
        return row.last_modified_ms is not None and row.last_modified_ms >= epoch_ms

    return check


_PREDICATES: dict[str, Callable[[Any], Predicate]] = {
    "supplierInvoiceNumber": lambda v: _same_text("number", v),
    "supplierInvoiceStatus": lambda v: _equals("status", v),
    "project": lambda v: _same_text("project", v),
    "customer": lambda v: _same_text("customer", v),
    "workOrder": lambda v: _same_text("work_order", v),
    "workOrderNumber": lambda v: _equals("work_order_number", v),
    "distributor": lambda v: _same_text("distributor", v),
    "fromInvoiceDate": _from_day,
    "toInvoiceDate": _to_day,
    "isInvoiceable": lambda v: _is("is_invoiceable", v),
    "isSelfBillingInvoice": lambda v: _is("is_self_billing", v),
    "exportedToEconomy": lambda v: _is("exported", v),
    "lastModified": _modified_since,
}


def build_predicate(filters: Sequence[tuple[str, Any]]) -> Predicate | None:
    """One predicate that all filters must pass, or ``None`` when there are no filters."""
    checks = [_PREDICATES[name](value) for name, value in filters]
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda row: all(check(row) for check in checks)


def _sort_rank(value: Any) -> tuple[int, Any]:
    """Order values of mixed types: numbers, then strings, then objects, arrays, booleans."""
    if isinstance(value, bool):
        return (5, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return (3 if isinstance(value, dict) else 4, text)


def sort_rows(
    rows: Sequence[Row], value_of: Callable[[Row], Any], *, descending: bool
) -> list[Row]:
    """Sort stably by ``value_of(row)``; rows without a value (``None``) always come last."""
    keyed = [(value_of(row), row) for row in rows]
    present = [(value, row) for value, row in keyed if value is not None]
    missing = [row for value, row in keyed if value is None]
    present.sort(key=lambda pair: _sort_rank(pair[0]), reverse=descending)
    return [row for _, row in present] + missing


def page_meta(total: int, limit: int, page: int) -> dict[str, int]:
    """The ``meta`` object: ``totalResources``, ``totalPages`` and ``currentPage``."""
    return {
        "totalResources": total,
        "totalPages": math.ceil(total / limit),
        "currentPage": page,
    }


def page_slice(limit: int, page: int) -> slice:
    """The slice of the selected rows that page ``page`` of size ``limit`` shows."""
    start = (page - 1) * limit
    return slice(start, start + limit)
