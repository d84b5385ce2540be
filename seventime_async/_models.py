"""What every record module builds on: lenient enums, the calendar-day rule, wire-name
overrides, and the list envelope (``meta``, pages).

Records are attrs classes, declared in ``resources/``, decoded from the wire by
``_converter``. Attribute names are the snake_case form of the API's camelCase keys
(``_id`` -> ``id``, ``OCR`` -> ``ocr``). Every field but the id is optional because the
reference's examples omit fields freely; keys a model does not know are kept, untouched,
in ``extra``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import attrs

__all__ = [
    "API_ZONE",
    "LenientIntEnum",
    "LenientStrEnum",
    "Page",
    "PageMeta",
    "calendar_day",
    "wire_field",
]

T = TypeVar("T")


class LenientIntEnum(enum.IntEnum):
    """A documented set of codes that also decodes codes it does not know, as
    ``UNKNOWN_<n>`` members (``.is_documented`` tells them apart); on input only the
    documented codes are accepted."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return cls._value2member_map_.setdefault(value, member)
        return None

    @property
    def is_documented(self) -> bool:
        """True for the codes the API reference documents."""
        return self.name in type(self).__members__


class LenientStrEnum(enum.StrEnum):
    """Like :class:`LenientIntEnum`, for string codes (``UNKNOWN_<value>`` members)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            member = str.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return cls._value2member_map_.setdefault(value, member)
        return None

    @property
    def is_documented(self) -> bool:
        """True for the values the API reference documents."""
        return self.name in type(self).__members__


API_ZONE = ZoneInfo("Europe/Stockholm")


def calendar_day(moment: datetime) -> date:
    """The calendar day an instant stands for, as the API means it.

    The API stores a date-only value (an invoice date, a project's start date) as the
    instant of local midnight in Stockholm, so ``2020-11-04T23:00:00.000Z`` is
    5 November; cutting the UTC text at ``T`` would give the 4th. The day is taken in
    ``Europe/Stockholm``.
    """
    if moment.tzinfo is None:
        raise ValueError("calendar_day() needs an aware datetime (records always carry one)")
    return moment.astimezone(API_ZONE).date()


def wire_field(key: str, default: Any = None) -> Any:
    """A record field whose wire key breaks the naming rule (``OCRNumber``)."""
    return attrs.field(default=default, metadata={"wire": key})


@attrs.define(slots=True, eq=True)
class PageMeta:
    """The ``meta`` object of a list response."""

    total_resources: int
    total_pages: int
    current_page: int
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(slots=True)
class Page(Generic[T]):
    """One page of a list: its ``meta`` and its decoded ``items``."""

    meta: PageMeta
    items: list[T]
