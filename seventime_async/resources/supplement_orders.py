"""Supplement orders (reference: SupplementOrders.md): read-only, listed per project.

The list requires ``project``. The get's request line says ``/supplementOrder/<_id>``;
the examples use the plural, like every other collection: the plural is taken.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id
from .._options import CallOptions, ListOptions, Sorting
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec
from .common import LogEntry, OrderRow

__all__ = [
    "SupplementOrder",
    "SupplementOrderFilters",
    "SupplementOrders",
]


@attrs.define(slots=True, eq=True)
class SupplementOrder:
    """A supplement order (ÄTA) on a fixed-price project: its rows, totals and log."""

    id: str
    supplement_order_number: int | None = None
    supplement_order_type: int | None = None
    status: int | None = None
    title: str | None = None
    description: str | None = None
    header_text: str | None = None
    footer_text: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    project_number: str | None = None
    billing_method: str | None = None
    price_list: str | None = None
    price_list_name: str | None = None
    tax_percent: Decimal | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    contracted_amount: Decimal | None = None
    accepted_date: datetime | None = None
    accepted_with_signature: bool | None = None
    signature_path: str | None = None
    deviation: str | None = None
    deviation_number: int | None = None
    public_link: str | None = None
    created_by_user: str | None = None
    created_by_user_name: str | None = None
    create_date: datetime | None = None
    modified_date: datetime | None = None
    invoice_items: list[OrderRow] = attrs.field(factory=list)
    supplement_order_log_entries: list[LogEntry] = attrs.field(factory=list)
    deviations: list[Any] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    work_order_ids: list[str] = attrs.field(factory=list)
    invoice_ids: list[str] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class SupplementOrderFilters(ListOptions, Sorting, total=False):
    """``project`` (its ``_id``) is required."""

    project: Required[Id]


class SupplementOrders(Collection[SupplementOrder]):
    """``st.supplement_orders``: list (per project) and get supplement orders."""

    def list(self, **filters: Unpack[SupplementOrderFilters]) -> Paginator[SupplementOrder]:
        """A paginator over the supplement orders of ``project`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, supplement_order_id: Id, **options: Unpack[CallOptions]) -> SupplementOrder:
        """One supplement order by its ``_id``."""
        return await self._ops.get(supplement_order_id, options, id_name="supplement_order_id")


SUPPLEMENT_ORDERS = ResourceSpec(
    path="supplementOrders",
    record=SupplementOrder,
    facade=SupplementOrders,
    list=Listing(filters=SupplementOrderFilters),
    get=True,
)
