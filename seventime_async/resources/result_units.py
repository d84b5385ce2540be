"""Result units (reference: ResultUnits.md): a lookup with get. Unlike departments and
price lists, its list is answered without ``meta`` (one page)."""

from __future__ import annotations

from typing import Any

import attrs

from .._resource import Lookup, LookupFilters
from .._spec import Listing, ResourceSpec

__all__ = ["ResultUnit"]


@attrs.define(slots=True, eq=True)
class ResultUnit:
    """A result unit (a cost centre), by name and code."""

    id: str
    name: str | None = None
    code: str | None = None
    is_active: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


RESULT_UNITS = ResourceSpec(
    path="resultUnits",
    record=ResultUnit,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    get=True,
)
