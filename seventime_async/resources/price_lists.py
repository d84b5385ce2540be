"""Price lists (reference: PriceLists.md): a paged lookup with get. The records hold
only the list's name and state, not its prices."""

from __future__ import annotations

from typing import Any

import attrs

from .._resource import Lookup, LookupFilters
from .._spec import Listing, ResourceSpec

__all__ = ["PriceList"]


@attrs.define(slots=True, eq=True)
class PriceList:
    """A price list (its prices are not part of the API)."""

    id: str
    name: str | None = None
    is_active: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


PRICE_LISTS = ResourceSpec(
    path="priceLists",
    record=PriceList,
    facade=Lookup,
    list=Listing(filters=LookupFilters),
    get=True,
)
