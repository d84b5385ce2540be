"""The cattrs converter between wire dicts (camelCase JSON) and the attrs records.

Pure functions, no I/O. The converter is built once, on first use, with generated
structure/unstructure functions per record class.

Leniency, because the reference's examples are inconsistent and the server may send any
of them: numbers arrive as strings and strings as numbers, ``""`` stands for "no value"
in non-text fields, timestamps may lack a zone (taken as UTC), and enums accept values
the SDK does not know. Money and other fractional numbers are ``Decimal``: the JSON is
parsed with ``parse_float=Decimal`` so ``7681.7`` stays exactly ``7681.7``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._fastpath import make_fast_structure
from ._models import (
    DeletedSupplierInvoice,
    InvoiceItem,
    ItemType,
    PageMeta,
    SupplierInvoice,
    SupplierInvoiceLogEntry,
    SupplierInvoiceStatus,
)

__all__ = [
    "converter",
    "dumps_json",
    "structure",
    "to_wire",
    "unstructure",
    "wire_name",
    "wire_path",
]

T = TypeVar("T")

# Nested classes first: a class's generated function binds the hooks of its fields.
RECORD_CLASSES: tuple[type[Any], ...] = (
    InvoiceItem,
    SupplierInvoiceLogEntry,
    SupplierInvoice,
    DeletedSupplierInvoice,
    PageMeta,
)

_SPECIAL_WIRE_NAMES = {"id": "_id", "ocr": "OCR"}


@functools.cache
def wire_name(attribute: str) -> str:
    """The API's key for a snake_case attribute: ``total_amount`` -> ``totalAmount``."""
    special = _SPECIAL_WIRE_NAMES.get(attribute)
    if special is not None:
        return special
    head, *rest = attribute.split("_")
    return head + "".join(part.capitalize() for part in rest)


def wire_path(cattrs_path: str) -> str:
    """Rewrite a cattrs error path (``$.invoice_items[0].item_order``) in wire names."""
    out: list[str] = []
    for segment in cattrs_path.split("."):
        name, bracket, rest = segment.partition("[")
        out.append(wire_name(name) + bracket + rest if name and name != "$" else segment)
    return ".".join(out)


class _Invalid(ValueError):
    pass


def _text(value: Any, _: Any = None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise _Invalid(f"expected a string, got {value!r}")
    if isinstance(value, int | Decimal):
        return str(value)
    raise _Invalid(f"expected a string, got {type(value).__name__}")


def _required_text(value: Any, _: Any = None) -> str:
    text = _text(value)
    if text is None:
        raise _Invalid("expected a string, got null")
    return text


def _decimal(value: Any, _: Any = None) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise _Invalid(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            return None
        try:
            number = Decimal(stripped)
        except InvalidOperation:
            raise _Invalid(f"expected a number, got {value!r}") from None
        if number.is_finite():
            return number
    raise _Invalid(f"expected a number, got {value!r}")


def _required_integer(value: Any, _: Any = None) -> int:
    number = _integer(value)
    if number is None:
        raise _Invalid(f"expected a whole number, got {value!r}")
    return number


def _integer(value: Any, _: Any = None) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    number = _decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise _Invalid(f"expected a whole number, got {value!r}")
    return int(number)


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _boolean(value: Any, _: Any = None) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if not lowered:
            return None
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise _Invalid(f"expected a boolean, got {value!r}")


def _timestamp(value: Any, _: Any = None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise _Invalid(f"expected an ISO 8601 timestamp, got {value!r}")
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError:
            raise _Invalid(f"expected an ISO 8601 timestamp, got {value!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _status(value: Any, _: Any = None) -> SupplierInvoiceStatus | None:
    number = _integer(value)
    return None if number is None else SupplierInvoiceStatus(number)


def _item_type(value: Any, _: Any = None) -> ItemType | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Invalid(f"expected an item type string, got {value!r}")
    return ItemType(value)


def _timestamp_to_wire(value: datetime) -> str:
    # The server's own form (``2020-09-15T13:44:06.566Z``) where that loses nothing.
    timespec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    text = value.isoformat(timespec=timespec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _structure_with_extra(
    cls: type[T],
    base: Callable[[Any, Any], T],
    known: frozenset[str],
    fast: Callable[[Any], T] | None,
) -> Callable[[Any, Any], T]:
    def structure_record(data: Any, _: Any) -> T:
        if not isinstance(data, dict):
            raise _Invalid(f"expected a JSON object, got {type(data).__name__}")
        if fast is not None:
            try:
                return fast(data)
            except Exception:  # noqa: S110 - cattrs' detailed function decides, and explains
                pass
        record = base(data, cls)
        if len(data) > len(known) or not known.issuperset(data):
            record.extra = {k: v for k, v in data.items() if k not in known}  # type: ignore[attr-defined]
        return record

    return structure_record


def _unstructure_with_extra(base: Callable[[Any], dict[str, Any]]) -> Callable[[Any], Any]:
    def unstructure_record(record: Any) -> dict[str, Any]:
        wire = base(record)
        wire.update(record.extra)
        return wire

    return unstructure_record


@functools.cache
def converter() -> cattrs.Converter:
    """The converter for every record class (built once, on first use)."""
    return build_converter()


def build_converter(*, fast_path: bool = True) -> cattrs.Converter:
    """A new converter; ``fast_path=False`` leaves out the generated fast functions."""
    conv = cattrs.Converter()
    scalar_hooks: list[tuple[Any, Callable[[Any, Any], Any]]] = [
        (str | None, _text),
        (str, _required_text),
        (Decimal | None, _decimal),
        (int, _required_integer),
        (int | None, _integer),
        (bool | None, _boolean),
        (datetime | None, _timestamp),
        (SupplierInvoiceStatus | None, _status),
        (ItemType | None, _item_type),
    ]
    for type_, hook in scalar_hooks:
        conv.register_structure_hook(type_, hook)
    conv.register_unstructure_hook(datetime, _timestamp_to_wire)
    conv.register_unstructure_hook(Decimal, lambda value: value)

    hooks = {
        "text": _text,
        "required_text": _required_text,
        "decimal": _decimal,
        "integer": _integer,
        "required_integer": _required_integer,
        "boolean": _boolean,
        "timestamp": _timestamp,
        "status": _status,
        "item_type": _item_type,
    }
    fast = make_fast_structure(RECORD_CLASSES, wire_name, hooks) if fast_path else {}
    for cls in RECORD_CLASSES:
        fields = attrs.fields(cls)
        renames = {
            f.name: override(rename=wire_name(f.name))
            for f in fields
            if f.name != "extra" and wire_name(f.name) != f.name
        }
        known = frozenset(wire_name(f.name) for f in fields if f.name != "extra")
        overrides: dict[str, Any] = {"extra": override(omit=True), **renames}
        base_structure = make_dict_structure_fn(cls, conv, **overrides)
        base_unstructure = make_dict_unstructure_fn(cls, conv, **overrides)
        conv.register_structure_hook(
            cls, _structure_with_extra(cls, base_structure, known, fast.get(cls))
        )
        conv.register_unstructure_hook(cls, _unstructure_with_extra(base_unstructure))
    return conv


def structure(data: Any, cls: type[T]) -> T:
    """Decode a wire value into ``cls`` (raises cattrs errors; see ``_decode``)."""
    return converter().structure(data, cls)


def unstructure(record: Any) -> Any:
    """Encode a record as a wire dict (camelCase keys, ``extra`` merged back in)."""
    return converter().unstructure(record)


def to_wire(record: Any) -> dict[str, Any]:
    """A record as the API's JSON object: camelCase keys, unknown keys (``extra``) merged
    back, money as ``Decimal``, timestamps as ISO 8601 strings, enums as their values.

    Use :func:`dumps_json` to write it out exactly.
    """
    if not attrs.has(type(record)) or type(record) not in RECORD_CLASSES:
        raise TypeError(f"to_wire() takes a seventime_async record, not {type(record).__name__}")
    wire: dict[str, Any] = converter().unstructure(record)
    return wire


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Every value the API sends fits a double: the float prints as the same digits.
        as_float = float(value)
        return int(value) if value == value.to_integral_value() else as_float
    if isinstance(value, datetime):
        return _timestamp_to_wire(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps_json(data: Any) -> str:
    """``json.dumps`` that writes ``Decimal`` as an exact JSON number and keeps UTF-8 text."""
    return json.dumps(data, default=_json_default, ensure_ascii=False, separators=(",", ":"))
