"""Pure input checks, chosen by type: a caller's value in, the JSON-ready wire value out.

A resource declares its filters and fields as TypedDicts; :func:`codec_for` turns each
annotation into one check, once, and every violation is an :class:`InvalidRequestError`
naming the field, raised before anything is sent. The annotations carry the meaning:

- ``Id`` (an opaque id string), ``str``, ``bool``, ``int`` (a whole number);
- ``Money``/``Number``-marked types: an exact number (``Decimal``, ``int``, a finite
  ``float``, a numeric ``str``), sent as the JSON number the server holds exactly;
- ``date`` (``YYYY-MM-DD``), ``datetime`` (aware: converted to UTC; naive: local time);
- a lenient enum (only its documented values are accepted on input);
- ``X | None`` (``None`` is sent as ``null``: it clears the field);
- ``Sequence[X]``, attrs input classes (``NewInvoiceItem``), and ``Mapping[str, Any]``
  (sent as given, after a JSON-safety pass).

``Annotated[T, Number(...)]``, ``Annotated[str, ID]`` and ``Annotated[T, OneOf(...)]``
add the rules the reference states (non-negative, a fixed set of values).
"""

from __future__ import annotations

import enum
import functools
import math
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import attrs

from ._exceptions import InvalidRequestError
from ._models import API_ZONE
from ._naming import wire_name

__all__ = [
    "CURRENCY",
    "DIGITS",
    "ID",
    "SORT_FIELD",
    "Check",
    "CurrencyCode",
    "Id",
    "Money",
    "Number",
    "OneOf",
    "codec_for",
    "invalid",
    "json_safe",
    "query_value",
]

#: A check: ``(value, field name) -> wire value``; raises :class:`InvalidRequestError`.
Check = Callable[[Any, str], Any]

# JavaScript numbers: integers beyond this lose precision on the server.
MAX_SAFE_INTEGER = 2**53 - 1
MAX_ID_LENGTH = 200


@attrs.frozen
class _IdRule:
    """Marks a ``str`` as an id that goes into a path or a reference field."""


@attrs.frozen
class Number:
    """Marks an exact number; ``minimum`` bounds it, ``whole`` asks for an integer."""

    minimum: Decimal | int | None = None
    whole: bool = False


@attrs.frozen
class OneOf:
    """The value must be one of ``values`` (as the reference lists them)."""

    values: tuple[Any, ...]


@attrs.frozen
class _SortFieldRule:
    """Marks ``sort_by``: a wire name, or the SDK's snake_case attribute name."""


@attrs.frozen
class _DigitsRule:
    """Marks a number that is a string of digits on the wire (an OCR reference)."""


@attrs.frozen
class _CurrencyRule:
    """Marks a three-letter currency code (sent upper-case)."""


ID = _IdRule()
SORT_FIELD = _SortFieldRule()
DIGITS = _DigitsRule()
CURRENCY = _CurrencyRule()
#: An opaque id: a non-empty string without ``/ ? # \\``, not ``.`` or ``..``.
Id = Annotated[str, ID]
#: Money and other exact fractional numbers.
Money = Annotated[Decimal | int | float | str, Number()]
#: A three-letter currency code (``"SEK"``, ``"eur"`` is sent as ``"EUR"``).
CurrencyCode = Annotated[str, CURRENCY]


def invalid(field: str, problem: str) -> InvalidRequestError:
    """The error for a bad value of ``field``."""
    return InvalidRequestError(f"{field}: {problem}", field=field)


# -- scalar checks ------------------------------------------------------------------------


def check_id(value: Any, field: str) -> str:
    """An opaque id, safe to put in a path."""
    if not isinstance(value, str):
        raise invalid(field, f"expected an id string, got {type(value).__name__}")
    if not value or value != value.strip():
        raise invalid(field, "must be a non-empty id without surrounding spaces")
    if len(value) > MAX_ID_LENGTH:
        raise invalid(field, f"an id is at most {MAX_ID_LENGTH} characters, got {len(value)}")
    if (
        value in (".", "..")
        or any(ch in value for ch in "/?#\\")
        or ".." in value
        or not value.isprintable()
    ):
        raise invalid(field, f"{value!r} is not a valid id")
    return value


def check_sort_field(value: Any, field: str) -> str:
    """A field to sort by: its wire name, or the SDK's attribute name (``invoice_date``)."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, f"expected a field name, got {value!r}")
    if value.startswith("_") or "_" not in value:
        return value
    return wire_name(value)


def check_text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise invalid(field, f"expected a string, got {type(value).__name__}")
    return value


def check_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, f"expected True or False, got {value!r}")
    return value


def to_decimal(value: Any, field: str) -> Decimal:
    """Any exact-number input as a finite ``Decimal`` (a float by the digits it prints)."""
    if isinstance(value, bool):
        raise invalid(field, f"expected a number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise invalid(field, f"expected a finite number, got {value!r}")
        value = repr(value)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise invalid(field, f"expected a number, got {value!r}") from None
    if isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise invalid(field, f"expected a finite number, got {value!r}")
    return value


def wire_number(number: Decimal, field: str) -> int | float:
    """A Decimal as the JSON number the server will hold exactly, or an error."""
    if number == number.to_integral_value():
        if abs(number) > MAX_SAFE_INTEGER:
            raise invalid(field, f"{number} is too large for the API's numbers")
        return int(number)
    as_float = float(number)
    if Decimal(repr(as_float)) != number:
        raise invalid(field, f"{number} has more digits than the API's numbers hold exactly")
    return as_float


def _number_check(rule: Number) -> Check:
    def check(value: Any, field: str) -> int | float:
        number = to_decimal(value, field)
        if rule.whole and number != number.to_integral_value():
            raise invalid(field, f"expected a whole number, got {value!r}")
        if rule.minimum is not None and number < rule.minimum:
            raise invalid(field, f"must be at least {rule.minimum}, got {number}")
        return wire_number(number, field)

    return check


def check_whole_number(value: Any, field: str) -> int:
    """A whole number from 0 (a numeric string of digits is accepted too)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(field, f"expected a whole number, got {value!r}")
    if not 0 <= value <= MAX_SAFE_INTEGER:
        raise invalid(field, f"must be between 0 and {MAX_SAFE_INTEGER}, got {value}")
    return value


def check_digits(value: Any, field: str) -> str:
    """A reference made of digits, sent as the text given: ``"0012345"`` keeps its zeros
    (an ``int`` cannot have them: it is written in decimal)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return value
    raise invalid(field, f"expected a string of digits, got {value!r}")


def check_currency(value: Any, field: str) -> str:
    """A three-letter currency code, upper-cased."""
    if not isinstance(value, str) or len(value) != 3 or not value.isascii() or not value.isalpha():
        raise invalid(field, f"expected a three-letter currency code, got {value!r}")
    return value.upper()


def check_date(value: Any, field: str) -> str:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise invalid(field, f"expected a datetime.date, got {type(value).__name__}")
    return value.isoformat()


def check_datetime(value: Any, field: str, *, local_zone: Any = None) -> str:
    """A moment as ``YYYY-MM-DDTHH:MM:SS`` in UTC (the API's documented form).

    An aware datetime is converted to UTC; a naive one is taken as the machine's local
    time (``local_zone`` for tests) and converted too. A ``date`` is the instant the API
    itself uses for a day: its midnight in Stockholm (5 November is 4 November, 23:00 UTC).
    """
    if isinstance(value, datetime):
        moment = value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=local_zone) if local_zone else moment.astimezone()
        return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()
    if isinstance(value, date):
        midnight = datetime.combine(value, time.min, tzinfo=API_ZONE)
        return midnight.astimezone(UTC).replace(tzinfo=None).isoformat()
    raise invalid(field, f"expected a datetime or date, got {type(value).__name__}")


def _enum_check(enum_type: type[enum.Enum]) -> Check:
    def check(value: Any, field: str) -> Any:
        if isinstance(value, bool):
            raise invalid(field, f"expected a {enum_type.__name__}, got {value!r}")
        try:
            member = enum_type(value)
        except ValueError:
            member = None
        if member is None or not getattr(member, "is_documented", True):
            allowed = ", ".join(f"{m.value!r} ({m.name})" for m in enum_type)
            raise invalid(field, f"must be one of {allowed}, got {value!r}")
        return member.value

    return check


def _one_of(rule: OneOf, inner: Check) -> Check:
    def check(value: Any, field: str) -> Any:
        wire = inner(value, field)
        if wire not in rule.values:
            allowed = ", ".join(map(str, rule.values))
            raise invalid(field, f"must be one of {allowed}, got {wire!r}")
        return wire

    return check


# -- values sent as given -----------------------------------------------------------------


def json_safe(value: Any, field: str) -> Any:
    """A value the caller sends as given (``extra_fields``), made JSON-safe.

    ``Decimal`` becomes an exact number, ``date``/``datetime`` their wire text, enums their
    value; NaN, infinity and anything JSON cannot hold are refused.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        return json_safe(value.value, field)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return wire_number(to_decimal(value, field), field)
    if isinstance(value, datetime):
        return check_datetime(value, field)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise invalid(field, "expected a mapping with string keys")
        return {key: json_safe(item, f"{field}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item, f"{field}[{i}]") for i, item in enumerate(value)]
    raise invalid(field, f"{type(value).__name__} cannot be sent as JSON")


# -- choosing a check by type -------------------------------------------------------------


def _optional(inner: Check) -> Check:
    def check(value: Any, field: str) -> Any:
        return None if value is None else inner(value, field)

    return check


def _sequence(inner: Check) -> Check:
    def check(value: Any, field: str) -> list[Any]:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            raise invalid(field, f"expected a list, got {type(value).__name__}")
        return [inner(item, f"{field}[{i}]") for i, item in enumerate(value)]

    return check


def _input_record(cls: type[Any]) -> Check:
    """An attrs input class (``NewInvoiceItem``): its fields by type, ``extra`` as given,
    then the class's own ``check_wire(wire, field)`` rule, if it has one."""
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = [f.name for f in attrs.fields(cls) if f.name != "extra"]
    checks = {name: codec_for(hints[name]) for name in fields}

    def check(value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, cls):
            raise invalid(field, f"expected a {cls.__name__}, got {type(value).__name__}")
        wire: dict[str, Any] = {}
        for name in fields:
            item = getattr(value, name)
            if item is not None:
                wire[wire_name(name)] = checks[name](item, f"{field}.{name}")
        extra = getattr(value, "extra", None) or {}
        clashes = sorted(set(extra) & set(wire))
        if clashes:
            raise invalid(f"{field}.extra", f"repeats documented field(s) {', '.join(clashes)}")
        wire.update(json_safe(dict(extra), f"{field}.extra"))
        rule = getattr(cls, "check_wire", None)
        if rule is not None:
            rule(wire, field)
        return wire

    return check


@functools.cache
def codec_for(annotation: Any) -> Check:
    """The check for a filter or field annotated ``annotation`` (built once per type)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *rules = typing.get_args(annotation)
        check = codec_for(base)
        for rule in rules:
            if rule is ID:
                check = check_id
            elif rule is SORT_FIELD:
                check = check_sort_field
            elif rule is DIGITS:
                check = check_digits
            elif rule is CURRENCY:
                check = check_currency
            elif isinstance(rule, Number):
                check = _number_check(rule)
            elif isinstance(rule, OneOf):
                check = _one_of(rule, check)
        return check
    if origin in (types.UnionType, typing.Union):
        args = typing.get_args(annotation)
        if type(None) in args:
            rest = tuple(arg for arg in args if arg is not type(None))
            inner = rest[0] if len(rest) == 1 else functools.reduce(lambda a, b: a | b, rest)
            return _optional(codec_for(inner))
        if any(arg in (Decimal, float) for arg in args):
            return _number_check(Number())
        if set(args) == {int, str}:
            return check_whole_number
        if set(args) == {datetime, date}:
            return check_datetime
        enums = [arg for arg in args if isinstance(arg, type) and issubclass(arg, enum.Enum)]
        if enums:
            return _enum_check(enums[0])
        raise TypeError(f"no input check for {annotation!r}")
    if origin in (list, Sequence, tuple):
        (inner,) = typing.get_args(annotation)[:1]
        return _sequence(codec_for(inner))
    if origin in (dict, Mapping) or annotation is Any:
        return json_safe
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return _enum_check(annotation)
        if attrs.has(annotation):
            return _input_record(annotation)
        simple: dict[type, Check] = {
            bool: check_bool,
            str: check_text,
            int: check_whole_number,
            Decimal: _number_check(Number()),
            float: _number_check(Number()),
            datetime: check_datetime,
            date: check_date,
        }
        for base_type, check in simple.items():
            if annotation is base_type:
                return check
    raise TypeError(f"no input check for {annotation!r}")


def query_value(check: Check, value: Any, field: str) -> str:
    """A checked value as query-string text (booleans as ``true``/``false``)."""
    wire = check(value, field)
    if wire is True:
        return "true"
    if wire is False:
        return "false"
    return str(wire)
