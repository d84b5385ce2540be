"""The cattrs converter between wire dicts (camelCase JSON) and the attrs records.

Pure functions, no I/O. Hooks are chosen by type, never from a list of record classes:
any attrs class with an ``extra`` field is a record (unknown keys go to ``extra``), any
enum is decoded leniently, and ``Decimal``, ``datetime``, ``int``, ``bool`` and ``str``
fields accept the shapes the reference's examples show. Adding a resource adds no line
here.

Leniency, because the reference's examples are inconsistent and the server may send any
of them: numbers arrive as strings and strings as numbers, ``""`` stands for "no value"
in non-text fields, timestamps may lack a zone (taken as UTC), and enums accept values
the SDK does not know. Money and other fractional numbers are ``Decimal``: the JSON is
parsed with ``parse_float=Decimal`` so ``7681.7`` stays exactly ``7681.7``.
"""

from __future__ import annotations

import enum
import functools
import json
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._fastpath import OPEN_TYPES, make_fast_structure
from ._naming import wire_name, wire_path

__all__ = [
    "converter",
    "dumps_json",
    "is_record",
    "record_wire_name",
    "structure",
    "to_wire",
    "unstructure",
    "wire_name",
    "wire_path",
]

T = TypeVar("T")


def is_record(cls: Any) -> bool:
    """Whether ``cls`` is a record: an attrs class with an ``extra`` field."""
    return isinstance(cls, type) and attrs.has(cls) and "extra" in attrs.fields_dict(cls)


def record_wire_name(field: attrs.Attribute[Any]) -> str:
    """The wire key of a record field: its ``wire`` metadata, or the naming rule."""
    return str(field.metadata.get("wire") or wire_name(field.name))


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


def _required_decimal(value: Any, _: Any = None) -> Decimal:
    number = _decimal(value)
    if number is None:
        raise _Invalid(f"expected a number, got {value!r}")
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


def _required_integer(value: Any, _: Any = None) -> int:
    number = _integer(value)
    if number is None:
        raise _Invalid(f"expected a whole number, got {value!r}")
    return number


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


def _required_boolean(value: Any, _: Any = None) -> bool:
    flag = _boolean(value)
    if flag is None:
        raise _Invalid(f"expected a boolean, got {value!r}")
    return flag


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


def _required_timestamp(value: Any, _: Any = None) -> datetime:
    moment = _timestamp(value)
    if moment is None:
        raise _Invalid(f"expected an ISO 8601 timestamp, got {value!r}")
    return moment


def _passthrough(value: Any, _: Any = None) -> Any:
    return value


def _enum_hook(cls: type[enum.Enum]) -> Callable[[Any, Any], Any]:
    """Lenient: an int enum takes ``7`` or ``"7"``, a str enum any string; ``""`` is None."""
    if issubclass(cls, int):

        def structure_int_enum(value: Any, _: Any = None) -> Any:
            number = _integer(value)
            return None if number is None else cls(number)

        return structure_int_enum

    def structure_str_enum(value: Any, _: Any = None) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise _Invalid(f"expected a {cls.__name__} string, got {value!r}")
        return cls(value)

    return structure_str_enum


def _list_hook(
    element: Callable[[Any, Any], Any], element_type: Any
) -> Callable[[Any, Any], list[Any]]:
    """A list field; ``null`` is an empty list (the reference shows both). Errors carry
    the index, as cattrs' own list hook does, so they name ``$.items[3].field``."""
    list_type = list[element_type]

    def structure_list(value: Any, _: Any = None) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _Invalid(f"expected a list, got {type(value).__name__}")
        result: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                result.append(element(item, None))
            except Exception as exc:
                note = f"Structuring {list_type} @ index {index}"
                exc.add_note(IterableValidationNote(note, index, element_type))
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {list_type}", errors, list_type)
        return result

    return structure_list


def _optional_hook(inner: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def structure_optional(value: Any, _: Any = None) -> Any:
        return None if value is None else inner(value, None)

    return structure_optional


def field_hook(conv: cattrs.Converter, type_: Any) -> Callable[[Any, Any], Any]:
    """The structure hook for a record field of type ``type_``, chosen by its type.

    Chosen here rather than by cattrs' dispatch, which would match an ``IntEnum`` field
    with the ``int`` hook (it dispatches on subclasses).
    """
    if type_ in SCALAR_HOOKS:
        return SCALAR_HOOKS[type_]
    if type_ in OPEN_TYPES:
        return _passthrough
    args = typing.get_args(type_)
    if type(None) in args and len(args) == 2:
        inner = args[0] if args[1] is type(None) else args[1]
        return _optional_hook(field_hook(conv, inner))
    if _is_enum(type_):
        return _enum_hook(type_)
    if typing.get_origin(type_) is list:
        return _list_hook(field_hook(conv, args[0]), args[0])
    if is_record(type_):
        return conv.get_structure_hook(type_)
    raise TypeError(f"no structure hook for a record field of type {type_!r}")


def _nested_inner(type_: Any) -> Any:
    """``E`` for ``E | None`` where ``E`` is an enum or a record, else None."""
    args = typing.get_args(type_)
    if type(None) in args and len(args) == 2:
        inner = args[0] if args[1] is type(None) else args[1]
        if _is_enum(inner) or is_record(inner):
            return inner
    return None


def _timestamp_to_wire(value: datetime) -> str:
    # The server's own form (``2020-09-15T13:44:06.566Z``) where that loses nothing.
    timespec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    text = value.isoformat(timespec=timespec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


#: Scalar hooks by exact type; the fast path uses the same ones (see ``_fastpath``).
SCALAR_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {
    str | None: _text,
    str: _required_text,
    Decimal | None: _decimal,
    Decimal: _required_decimal,
    int: _required_integer,
    int | None: _integer,
    bool | None: _boolean,
    bool: _required_boolean,
    datetime | None: _timestamp,
    datetime: _required_timestamp,
}


def _record_structure(cls: Any, conv: cattrs.Converter, fast_path: bool) -> Any:
    fields = [f for f in attrs.fields(cls) if f.name != "extra"]
    hints = typing.get_type_hints(cls)
    hooks = {f.name: field_hook(conv, hints[f.name]) for f in fields}
    overrides: dict[str, Any] = {"extra": override(omit=True)}
    for field in fields:
        key = record_wire_name(field)
        overrides[field.name] = override(
            rename=key if key != field.name else None, struct_hook=hooks[field.name]
        )
    base = make_dict_structure_fn(cls, conv, **overrides)
    known = frozenset(record_wire_name(f) for f in fields)
    # The fast path checks ``None`` inline before it calls the hook of an optional enum
    # or record: hand it the inner hook, one call less per such field.
    fast_hooks = {
        name: field_hook(conv, inner) if (inner := _nested_inner(hints[name])) else hook
        for name, hook in hooks.items()
    }
    fast = make_fast_structure(cls, fast_hooks, record_wire_name) if fast_path else None

    def structure_record(data: Any, _: Any = None) -> Any:
        if not isinstance(data, dict):
            raise _Invalid(f"expected a JSON object, got {type(data).__name__}")
        if fast is not None:
            try:
                return fast(data)
            except Exception:  # noqa: S110 - cattrs' detailed function decides, and explains
                pass
        record = base(data, cls)
        if len(data) > len(known) or not known.issuperset(data):
            record.extra = {k: v for k, v in data.items() if k not in known}
        return record

    return structure_record


def _record_unstructure(cls: type[Any], conv: cattrs.Converter) -> Any:
    overrides: dict[str, Any] = {"extra": override(omit=True)}
    for field in attrs.fields(cls):
        if field.name != "extra" and record_wire_name(field) != field.name:
            overrides[field.name] = override(rename=record_wire_name(field))
    base = make_dict_unstructure_fn(cls, conv, **overrides)

    def unstructure_record(record: Any) -> dict[str, Any]:
        wire = base(record)
        wire.update(record.extra)
        return wire

    return unstructure_record


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


@functools.cache
def converter() -> cattrs.Converter:
    """The converter for every record class (built once, on first use)."""
    return build_converter()


def build_converter(*, fast_path: bool = True) -> cattrs.Converter:
    """A new converter; ``fast_path=False`` leaves out the generated fast functions."""
    conv = cattrs.Converter()
    conv.register_structure_hook_factory(
        is_record, lambda cls: _record_structure(cls, conv, fast_path)
    )
    conv.register_unstructure_hook(datetime, _timestamp_to_wire)
    conv.register_unstructure_hook(Decimal, lambda value: value)
    conv.register_unstructure_hook_factory(is_record, lambda cls: _record_unstructure(cls, conv))
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
    if not is_record(type(record)):
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
