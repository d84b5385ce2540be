"""Generic pure request building: a resource's spec and the caller's keywords in, a
:class:`Request` out.

Nothing here does I/O or names a resource. Every violation is an
:class:`InvalidRequestError` that names the parameter (in the caller's snake_case),
raised before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from ._codecs import check_id, invalid, json_safe, query_value
from ._exceptions import InvalidRequestError
from ._http import FORM_CONTENT_TYPE, Request
from ._spec import Field, ResourceSpec, Write

__all__ = [
    "MAX_PAGE_SIZE",
    "action_request",
    "encode_form",
    "get_request",
    "list_request",
    "validate_filters",
    "validate_page_size",
    "write_request",
]

MAX_PAGE_SIZE = 500


def _check_unknown(given: Iterable[str], known: Iterable[str], what: str) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidRequestError(
            f"unknown {what} {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            field=unknown[0],
        )


def validate_filters(spec: ResourceSpec, filters: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Check list filters and encode them as query parameters (``None`` values left out).

    Required filters (``distributor`` for distributor contact persons) must be given; the
    listing's ``defaults`` fill in what the caller left out; a ``from_*`` after its
    ``to_*`` and a ``sort_direction`` without ``sort_by`` are refused.
    """
    table = {field.name: field for field in spec.filters()}
    _check_unknown(filters, table, "filter")
    given = {name: value for name, value in filters.items() if value is not None}
    defaults = spec.list.defaults if spec.list else {}
    merged = {**{k: v for k, v in defaults.items() if k not in given}, **given}
    for field in table.values():
        if field.required and field.name not in merged:
            raise invalid(field.name, f"is required to list {spec.name}")
    if "sort_direction" in given and "sort_by" not in given:
        raise invalid("sort_direction", "only has an effect together with sort_by")
    for name, value in given.items():
        if name.startswith("from_"):
            upper = given.get("to_" + name.removeprefix("from_"))
            if upper is not None and _comparable(value, upper) and value > upper:
                raise invalid(name, f"{value} is after to_{name.removeprefix('from_')} {upper}")
    return tuple(
        (table[name].wire, query_value(table[name].check, value, name))
        for name, value in merged.items()
    )


def _comparable(a: Any, b: Any) -> bool:
    try:
        a < b  # noqa: B015 - only asks whether the two compare
    except TypeError:
        return False
    return True


def validate_page_size(limit: Any) -> int:
    """``limit`` must be a whole number from 1 to 500 (the reference's bounds)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise invalid("limit", f"must be a whole number from 1 to {MAX_PAGE_SIZE}, got {limit!r}")
    return limit


def list_request(
    spec: ResourceSpec, filter_params: tuple[tuple[str, str], ...], *, page: int, limit: int
) -> Request:
    """GET one page of a list (``filter_params`` from :func:`validate_filters`).

    An unpaged list (``Listing(paged=False)``) sends neither ``limit`` nor ``page``.
    """
    assert spec.list is not None
    path = spec.url(spec.list.path)
    if not spec.list.paged:
        return Request("GET", path, params=filter_params)
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise invalid("page", f"must be a whole number from 1, got {page!r}")
    params = (*filter_params, ("limit", str(validate_page_size(limit))), ("page", str(page)))
    return Request("GET", path, params=params)


def get_request(spec: ResourceSpec, record_id: str, *, field: str = "id") -> Request:
    """GET one record by id (validated and URL-quoted)."""
    quoted = quote(check_id(record_id, field), safe="")
    return Request("GET", f"{spec.url(spec.get_path)}{quoted}")


def encode_fields(
    fields: tuple[Field, ...], given: Mapping[str, Any], *, what: str
) -> dict[str, Any]:
    """Check the caller's fields against a table and map them to a wire dict.

    ``extra_fields`` (wire names to values, for fields the reference does not document)
    are sent as given after a JSON-safety pass, and may not repeat a documented field.
    """
    table = {field.name: field for field in fields}
    _check_unknown(given, {*table, "extra_fields"}, "field")
    for field in fields:
        if field.required and given.get(field.name) is None:
            raise invalid(field.name, f"is required to {what}")
    wire = {
        table[name].wire: table[name].check(value, name)
        for name, value in given.items()
        if name != "extra_fields"
    }
    extra = given.get("extra_fields") or {}
    if not isinstance(extra, Mapping) or not all(isinstance(k, str) for k in extra):
        raise invalid("extra_fields", "expected a mapping of wire names to values")
    clashes = sorted(set(extra) & set(wire))
    if clashes:
        raise invalid("extra_fields", f"repeats documented field(s) {', '.join(clashes)}")
    wire.update(json_safe(dict(extra), "extra_fields"))
    return wire


def write_request(
    spec: ResourceSpec,
    operation: str,
    write: Write,
    given: Mapping[str, Any],
    *,
    record_id: str | None = None,
    id_name: str = "id",
    method: str,
    form: bool = False,
) -> Request:
    """POST, PUT or DELETE one record; ``record_id`` goes in the body as ``_id``.

    ``form=True`` sends the form body of the write's ``form_version`` (v1) instead.
    """
    fields = spec.fields(operation)
    what = f"{operation} {spec.name}"
    wire = encode_fields(fields, given, what=what)
    if record_id is not None:
        wire = {"_id": check_id(record_id, id_name), **wire}
    for rule in write.rules:
        rule(wire, operation)
    if form:
        if write.form_version is None:
            raise invalid("api_version", f"{what} has no form (v1) variant")
        path = spec.url(write.path, version=write.form_version)
        return Request(method, path, body=encode_form(wire), content_type=FORM_CONTENT_TYPE)
    return Request(method, spec.url(write.path), body=_json(wire))


def action_request(spec: ResourceSpec, name: str, given: Mapping[str, Any]) -> Request:
    """POST one action (``start``, ``stop``): its fields checked, its rules applied."""
    action = spec.actions[name]
    wire = encode_fields(spec.fields(name), given, what=f"{name} {spec.name}")
    for rule in action.rules:
        rule(wire, name)
    return Request("POST", spec.url(action.path), body=_json(wire))


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
