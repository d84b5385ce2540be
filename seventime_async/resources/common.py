"""Records that several families share: what a delete answers, a geo point, addresses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["Address", "Deleted", "GeoPoint", "LogEntry", "NewAddress"]


@attrs.define(slots=True, eq=True)
class Deleted:
    """What the server answers for a deleted record: its ``_id`` (other keys in ``extra``)."""

    id: str
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class GeoPoint:
    """A GeoJSON point: ``{"type": "Point", "coordinates": [longitude, latitude]}``."""

    type: str | None = None
    coordinates: list[Decimal] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class Address:
    """A postal address (delivery, invoice or work address; each adds a few keys)."""

    name: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(slots=True, kw_only=True)
class NewAddress:
    """An address to send (delivery or invoice address); ``country`` as a code (SE)."""

    name: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.define(slots=True, eq=True)
class LogEntry:
    """One entry of a record's log (``...LogEntries``): who did what, when."""

    id: str | None = None
    log_type: int | None = None
    description: str | None = None
    user: str | None = None
    user_name: str | None = None
    log_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)
