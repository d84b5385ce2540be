"""Purchase orders (reference: PurchaseOrders.md): list, get, create, update, delete.

Rows on input are a subset of supplier-invoice rows (six item types, no cost or tax).
The reference elides the rows of its example responses, so a record's ``invoice_items``
are kept whole as the server sends them. Dates (``purchase_order_date``,
``desired_delivery_date``) are days sent as Stockholm midnight: ``calendar_day(...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Required, Unpack

import attrs

from .._codecs import Id, Money, OneOf, invalid
from .._models import LenientIntEnum, wire_field
from .._naming import wire_name
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec, Write
from .common import Address, LogEntry, NewAddress
from .supplier_invoices import ItemType

__all__ = [
    "DeletedPurchaseOrder",
    "NewPurchaseOrderItem",
    "PurchaseOrder",
    "PurchaseOrderCreateFields",
    "PurchaseOrderDeleteFields",
    "PurchaseOrderFilters",
    "PurchaseOrderStatus",
    "PurchaseOrderUpdateFields",
    "PurchaseOrders",
]


class PurchaseOrderStatus(LenientIntEnum):
    """Status of a purchase order (the reference's table)."""

    DRAFT = 1
    SENT = 2
    OBLITERATED = 3
    CONFIRMED = 4
    DELIVERED = 10


@attrs.define(slots=True, eq=True)
class PurchaseOrder:
    """A purchase order to a distributor."""

    id: str
    purchase_order_number: str | None = None
    purchase_order_name: str | None = None
    purchase_order_info_name: str | None = None
    purchase_order_status: PurchaseOrderStatus | None = None
    language: str | None = None
    distributor: str | None = None
    distributor_name: str | None = None
    distributor_address: str | None = None
    distributor_vat: str | None = wire_field("distributorVAT")
    our_customer_number: str | None = None
    contact_person_distributor: str | None = None
    contact_person_distributor_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    project_number: str | None = None
    work_order: str | None = None
    work_order_name: str | None = None
    work_order_number: str | None = None
    purchase_order_date: datetime | None = None
    desired_delivery_date: datetime | None = None
    expected_delivery_date: datetime | None = None
    sent_date: datetime | None = None
    confirmation_date: datetime | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    tax_percent: Decimal | None = None
    total_cost: Decimal | None = None
    currency_code: str | None = None
    currency_rate: Decimal | None = None
    payment_days: int | None = None
    marking: str | None = None
    delivery_attention: str | None = None
    delivery_phone: str | None = None
    delivery_address: Address | None = None
    invoice_address: Address | None = None
    header_text: str | None = None
    footer_text: str | None = None
    footer_info_text: str | None = None
    our_reference: str | None = None
    our_reference_name: str | None = None
    approved_by: str | None = None
    approved_by_name: str | None = None
    archived: bool | None = None
    archived_date: datetime | None = None
    public_link: str | None = None
    created_by_user: str | None = None
    created_by_user_name: str | None = None
    create_date: datetime | None = None
    invoice_items: list[Any] = attrs.field(factory=list)
    purchase_order_log_entries: list[LogEntry] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class DeletedPurchaseOrder:
    """What the server answers for a deleted purchase order."""

    id: str
    purchase_order_name: str | None = None
    purchase_order_number: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


_ROW_TYPES = ("expense", "timeLog", "general", "blank", "text", "onlyamount")
_ROW_ID_FOR_TYPE = {"expense": "expense_item", "timeLog": "time_category"}


@attrs.frozen(slots=True, kw_only=True)
class NewPurchaseOrderItem:
    """A purchase-order row to send: ``expense_item`` is required for expense rows,
    ``time_category`` for time-log rows."""

    item_type: Annotated[ItemType | str, OneOf(_ROW_TYPES)]
    expense_item: Id | None = None
    time_category: Id | None = None
    number_of_items: Money | None = None
    unit: str | None = None
    unit_price: Money | None = None
    price_per_hour: Money | None = None
    total_amount: Money | None = None
    discount_percent: Money | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    @staticmethod
    def check_wire(wire: Mapping[str, Any], field: str) -> None:
        """The id that goes with the item type is required (the reference's table)."""
        required = _ROW_ID_FOR_TYPE.get(wire["itemType"])
        if required is not None and wire.get(wire_name(required)) is None:
            raise invalid(f"{field}.{required}", f"is required for {wire['itemType']} rows")


class PurchaseOrderFilters(ListOptions, Sorting, total=False):
    """The documented filters of the purchase-order list."""

    purchase_order_name: str
    purchase_order_info_name: str
    purchase_order_number: int | str
    purchase_order_status: PurchaseOrderStatus | int
    distributor: Id
    project: Id
    work_order: Id
    work_order_number: int


class _PurchaseOrderFields(WriteOptions, total=False):
    language: str
    purchase_order_name: str
    purchase_order_info_name: str
    purchase_order_status: PurchaseOrderStatus | int
    contact_person_distributor: Id | None
    purchase_order_date: date
    work_order: Id | None
    project: Id | None
    desired_delivery_date: date
    delivery_address: NewAddress
    delivery_attention: Id | None
    delivery_phone: str
    invoice_address: NewAddress
    marking: str
    payment_days: int
    invoice_items: Sequence[NewPurchaseOrderItem]
    header_text: str
    footer_text: str
    footer_info_text: str


class PurchaseOrderCreateFields(_PurchaseOrderFields, total=False):
    """The fields of a new purchase order (``created_by_user`` and ``distributor``)."""

    created_by_user: Required[Id]
    distributor: Required[Id]


class PurchaseOrderUpdateFields(_PurchaseOrderFields, total=False):
    """The fields an update may change (``modified_by_user`` required)."""

    modified_by_user: Required[Id]
    distributor: Id


class PurchaseOrderDeleteFields(WriteOptions, total=False):
    """``deleted_by_user``: the table lists only ``_id``; the examples send it too."""

    deleted_by_user: Id


class PurchaseOrders(Collection[PurchaseOrder]):
    """``st.purchase_orders``: list, get, create, update and delete purchase orders."""

    def list(self, **filters: Unpack[PurchaseOrderFilters]) -> Paginator[PurchaseOrder]:
        """A paginator over the purchase orders that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, purchase_order_id: Id, **options: Unpack[CallOptions]) -> PurchaseOrder:
        """One purchase order by its ``_id``."""
        return await self._ops.get(purchase_order_id, options, id_name="purchase_order_id")

    async def create(self, **fields: Unpack[PurchaseOrderCreateFields]) -> PurchaseOrder:
        """Create a purchase order."""
        return await self._ops.create(fields)

    async def update(
        self, purchase_order_id: Id, **changes: Unpack[PurchaseOrderUpdateFields]
    ) -> PurchaseOrder:
        """Change the given fields (and only those) of a purchase order."""
        return await self._ops.update(purchase_order_id, changes, id_name="purchase_order_id")

    async def delete(
        self, purchase_order_id: Id, **fields: Unpack[PurchaseOrderDeleteFields]
    ) -> DeletedPurchaseOrder:
        """Delete a purchase order; returns its ``_id``, name and number."""
        result: DeletedPurchaseOrder = await self._ops.delete(
            purchase_order_id, fields, id_name="purchase_order_id"
        )
        return result


PURCHASE_ORDERS = ResourceSpec(
    path="purchaseOrders",
    record=PurchaseOrder,
    facade=PurchaseOrders,
    list=Listing(filters=PurchaseOrderFilters),
    get=True,
    create=Write(fields=PurchaseOrderCreateFields),
    update=Write(fields=PurchaseOrderUpdateFields),
    delete=Write(fields=PurchaseOrderDeleteFields, result=DeletedPurchaseOrder),
)
