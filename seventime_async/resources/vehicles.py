"""Vehicles (reference: Vehicles.md): a paged, read-only list with get."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._resource import Lookup, LookupFilters
from .._spec import Listing, ResourceSpec

__all__ = [
    "Vehicle",
]


@attrs.define(slots=True, eq=True)
class Vehicle:
    """A vehicle of the company (driver journals refer to it)."""

    id: str
    name: str | None = None
    registration_number: str | None = None
    is_active: bool | None = None
    create_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


VEHICLES = ResourceSpec(
    path="vehicles",
    record=Vehicle,
    facade=Lookup,
    list=Listing(filters=LookupFilters),
    # The HTTP Request line says /vehicle/<_id>; the examples call /vehicles/<_id>, like
    # every other collection: the examples win.
    get=True,
)
