"""Supplier invoices (reference: SupplierInvoices.md), on v2 JSON and the v1 form create.

The rules that are this resource's own: the currency pair (a rate is required with a
foreign ``currency_code`` and must be 1 with SEK), the id each invoice-row type needs,
and the documented row tax rates. ``supplierInvoiceNumber`` is a Number on input but a
string in responses; ``OCR`` likewise (``""`` when empty): both are kept as strings on
the record, and OCR is sent as the digits given (leading zeros kept).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Required, Unpack

import attrs

from .._codecs import DIGITS, CurrencyCode, Id, Money, Number, OneOf, invalid
from .._models import LenientIntEnum, LenientStrEnum
from .._naming import wire_name
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec, Write

__all__ = [
    "DeletedSupplierInvoice",
    "InvoiceItem",
    "ItemType",
    "NewInvoiceItem",
    "SupplierInvoice",
    "SupplierInvoiceCreateFields",
    "SupplierInvoiceFilters",
    "SupplierInvoiceLogEntry",
    "SupplierInvoiceStatus",
    "SupplierInvoiceUpdateFields",
    "SupplierInvoices",
]


class SupplierInvoiceStatus(LenientIntEnum):
    """Status of a supplier invoice. Values the SDK does not know decode to ``UNKNOWN_<n>``."""

    REGISTERED = 1
    DRAFT = 5
    SENT = 7
    INVOICED = 10


class ItemType(LenientStrEnum):
    """Type of an invoice row. Values the SDK does not know decode to ``UNKNOWN_<value>``."""

    EXPENSE = "expense"
    TIME_LOG = "timeLog"
    GENERAL = "general"
    BLANK = "blank"
    TEXT = "text"
    ONLY_AMOUNT = "onlyamount"
    MACHINE_TIME_LOG = "machineTimeLog"
    DRIVER_JOURNAL = "driverJournal"
    #: Seen in the reference's responses for time-log rows, not in its list of input types.
    TIME = "time"

    @property
    def is_documented(self) -> bool:
        """True for the item types the API reference lists as input."""
        return self.name in type(self).__members__ and self is not ItemType.TIME


@attrs.define(slots=True, eq=True)
class InvoiceItem:
    """One row of a supplier invoice (or an invoice) as the server returns it."""

    id: str | None = None
    item_type: ItemType | None = None
    name: str | None = None
    description: str | None = None
    article_number: str | None = None
    item_id: str | None = None
    item_order: Decimal | None = None
    number_of_items: Decimal | None = None
    unit: str | None = None
    unit_cost: Decimal | None = None
    unit_price: Decimal | None = None
    price_per_hour: Decimal | None = None
    discount_percent: Decimal | None = None
    tax_percent: Decimal | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    total_cost: Decimal | None = None
    expense_item: str | None = None
    expense_item_name: str | None = None
    time_category: str | None = None
    machine: str | None = None
    driver_journal_item_type: str | None = None
    category_name: str | None = None
    house_work_flag: bool | None = None
    house_work_type_of_work: int | None = None
    create_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class SupplierInvoiceLogEntry:
    """One entry of ``supplierInvoiceLogEntries``: who did what, when."""

    id: str | None = None
    log_type: int | None = None
    description: str | None = None
    user: str | None = None
    user_name: str | None = None
    log_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class SupplierInvoice:
    """A supplier invoice. Money is ``Decimal`` (exact), timestamps are aware ``datetime``."""

    id: str
    supplier_invoice_number: str | None = None
    supplier_invoice_status: SupplierInvoiceStatus | None = None
    distributor: str | None = None
    distributor_name: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    work_order: str | None = None
    work_order_title: str | None = None
    work_order_number: int | None = None
    department: str | None = None
    department_name: str | None = None
    result_unit: str | None = None
    invoice_date: datetime | None = None
    due_date: datetime | None = None
    payment_date: datetime | None = None
    create_date: datetime | None = None
    last_modified: datetime | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    total_amount_to_invoice: Decimal | None = None
    tax_percent: Decimal | None = None
    tax_type: int | None = None
    markup_percent: Decimal | None = None
    currency_code: str | None = None
    currency_rate: Decimal | None = None
    ocr: str | None = None
    our_reference: str | None = None
    your_reference: str | None = None
    notes: str | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    is_credit_invoice: bool | None = None
    credit_for_invoice_number: str | None = None
    is_booked: bool | None = None
    exported_to_economy: bool | None = None
    economy_system_status: int | None = None
    economy_system_ref: str | None = None
    imported_from: str | None = None
    expenses_created_from_invoice_items: bool | None = None
    supplement_order: bool | None = None
    supplement_order_id: str | None = None
    supplement_order_number: str | None = None
    invoice: str | None = None
    invoice_number: str | None = None
    is_self_billing_invoice: bool | None = None
    self_billing_invoice: str | None = None
    self_billing_invoice_number: str | None = None
    self_billing_invoice_status: int | None = None
    self_billing_time_log_ids: list[str] = attrs.field(factory=list)
    self_billing_expense_ids: list[str] = attrs.field(factory=list)
    invoice_items: list[InvoiceItem] = attrs.field(factory=list)
    supplier_invoice_log_entries: list[SupplierInvoiceLogEntry] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    footer_text: str | None = None
    footer_info_text: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class DeletedSupplierInvoice:
    """What the server returns for a deleted supplier invoice."""

    id: str
    supplier_invoice_number: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(slots=True, kw_only=True)
class NewInvoiceItem:
    """An invoice row to send with ``create``/``update``.

    The id that goes with the item type is required: ``expense_item`` for
    ``ItemType.EXPENSE``, ``time_category`` for ``TIME_LOG``, ``machine`` for
    ``MACHINE_TIME_LOG`` and ``driver_journal_item_type`` for ``DRIVER_JOURNAL``. Money
    and quantities take ``Decimal``, ``int`` or a numeric ``str``. ``extra`` is sent as
    given, for fields the reference does not document.
    """

    item_type: ItemType | str
    expense_item: Id | None = None
    time_category: Id | None = None
    machine: Id | None = None
    driver_journal_item_type: Id | None = None
    number_of_items: Money | None = None
    unit: str | None = None
    unit_cost: Money | None = None
    unit_price: Money | None = None
    price_per_hour: Money | None = None
    total_amount: Money | None = None
    discount_percent: Money | None = None
    tax_percent: Annotated[Money, OneOf((0, 6, 12, 25))] | None = None
    house_work_type_of_work: int | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def from_item(cls, item: InvoiceItem) -> NewInvoiceItem:
        """The row to send for a row as read: an invoice's update replaces every row,
        so the rows it keeps are sent again (``[NewInvoiceItem.from_item(i) for i in
        invoice.invoice_items]``). Keys the model does not know go along in ``extra``."""
        sent = {name for name in attrs.fields_dict(cls) if name not in ("extra", "item_type")}
        values = {name: getattr(item, name) for name in sent}
        # A row's text is not among the documented inputs: it goes along as it came.
        text = {
            wire_name(name): getattr(item, name)
            for name in ("name", "description")
            if getattr(item, name) is not None
        }
        item_type = item.item_type if item.item_type is not None else ItemType.GENERAL
        return cls(item_type=item_type, extra={**text, **item.extra}, **values)

    @staticmethod
    def check_wire(wire: Mapping[str, Any], field: str) -> None:
        """The id that goes with the item type is required (the reference's table)."""
        required = _ITEM_ID_FOR_TYPE.get(ItemType(wire["itemType"]))
        if required is not None and wire.get(wire_name(required)) is None:
            raise invalid(f"{field}.{required}", f"is required for {wire['itemType']} rows")


_ITEM_ID_FOR_TYPE = {
    ItemType.EXPENSE: "expense_item",
    ItemType.TIME_LOG: "time_category",
    ItemType.MACHINE_TIME_LOG: "machine",
    ItemType.DRIVER_JOURNAL: "driver_journal_item_type",
}

NonNegative = Annotated[Decimal | int | float | str, Number(minimum=0)]


class SupplierInvoiceFilters(ListOptions, Sorting, total=False):
    """The documented query filters of the supplier-invoice list."""

    supplier_invoice_number: int | str
    supplier_invoice_status: SupplierInvoiceStatus | int
    project: Id
    customer: Id
    work_order: Id
    work_order_number: int
    distributor: Id
    from_invoice_date: date
    to_invoice_date: date
    is_invoiceable: bool
    is_self_billing_invoice: bool
    exported_to_economy: bool
    last_modified: datetime | date


class _SupplierInvoiceFields(WriteOptions, total=False):
    customer: Id | None
    project: Id | None
    work_order: Id | None
    result_unit: Id | None
    supplier_invoice_status: SupplierInvoiceStatus | int
    tax_percent: NonNegative
    markup_percent: Money
    invoice_date: date
    due_date: date
    exported_to_economy: bool
    ocr: Annotated[str | int, DIGITS] | None
    currency_code: CurrencyCode
    currency_rate: NonNegative
    supplement_order: bool
    supplement_order_id: Id | None
    our_reference: str | None
    your_reference: str | None
    notes: str | None
    is_invoiceable: bool
    invoice_items: Sequence[NewInvoiceItem]


class SupplierInvoiceCreateFields(_SupplierInvoiceFields, total=False):
    """The fields of a new supplier invoice (the first four are required)."""

    supplier_invoice_number: Required[int | str]
    created_by_user: Required[Id]
    distributor: Required[Id]
    total_amount_incl_tax: Required[Money]


class SupplierInvoiceUpdateFields(_SupplierInvoiceFields, total=False):
    """The fields an update may change: every create field but ``created_by_user``."""

    modified_by_user: Required[Id]
    supplier_invoice_number: int | str
    distributor: Id
    total_amount_incl_tax: Money


class SupplierInvoiceDeleteFields(WriteOptions, total=False):
    """``deleted_by_user``: who deleted it (the examples send it)."""

    deleted_by_user: Required[Id]


def _currency_pair(wire: Mapping[str, Any], operation: str) -> None:
    """On create the currency is what is given (SEK when left out), so the pair is
    checked; an update can only be checked when it gives both (the stored currency of
    the invoice is unknown here: a rate-only update of a EUR invoice is fine)."""
    code, rate = wire.get("currencyCode"), wire.get("currencyRate")
    if rate is not None and rate == 0:
        raise invalid("currency_rate", "must be greater than 0")
    if operation == "update" and (code is None or rate is None):
        return
    if code is not None and code != "SEK":
        if rate is None:
            raise invalid("currency_rate", f"is required when currency_code is {code}")
    elif rate is not None and rate != 1:
        raise invalid("currency_rate", "must be 1 (or left out) when the currency is SEK")


class SupplierInvoices(Collection[SupplierInvoice]):
    """``st.supplier_invoices``: list, get, create, update and delete supplier invoices.

    Every method validates its input first and raises :class:`InvalidRequestError`
    before anything is sent. ``timeout`` and ``retry`` override the client's settings
    for one call.
    """

    def list(self, **filters: Unpack[SupplierInvoiceFilters]) -> Paginator[SupplierInvoice]:
        """A paginator over the supplier invoices that match ``filters`` (no request yet).

        ``limit`` is the page size (1..500; the largest page makes the fewest requests
        under the rate limit). ``pages=range(a, b)`` walks only pages a..b-1, so workers can
        split an export; ``max_items`` stops after that many records. ``concurrency`` pages
        are requested at once (1 walks strictly one page after the other), as soon as the
        first page's meta is known; ``speculative=True`` requests the first ``concurrency``
        pages at once, before that, which saves a round trip on a long export and wastes
        up to ``concurrency - 1`` requests on a short list. ``dedupe`` drops a record whose
        ``_id`` was already yielded (pages shift when invoices are added or deleted during
        a walk). ``resume`` continues from a :class:`Checkpoint`.
        """
        return self._ops.list(filters)

    async def get(self, invoice_id: str, **options: Unpack[CallOptions]) -> SupplierInvoice:
        """One supplier invoice by its ``_id``."""
        return await self._ops.get(invoice_id, options, id_name="invoice_id")

    async def create(
        self,
        *,
        api_version: Literal[1, 2] = 2,
        **fields: Unpack[SupplierInvoiceCreateFields],
    ) -> SupplierInvoice:
        """Create a supplier invoice and return it as the server stored it.

        ``supplier_invoice_number``, ``created_by_user``, ``distributor`` and
        ``total_amount_incl_tax`` are required. ``api_version=1`` posts the documented v1
        form body instead of v2 JSON. A create is retried only where that cannot create a
        second invoice (see the README).
        """
        if api_version not in (1, 2) or isinstance(api_version, bool):
            raise invalid("api_version", f"must be 1 or 2, got {api_version!r}")
        return await self._ops.create(fields, form=api_version == 1)

    async def update(
        self, invoice_id: str, **changes: Unpack[SupplierInvoiceUpdateFields]
    ) -> SupplierInvoice:
        """Change the given fields (and only those) of a supplier invoice.

        ``modified_by_user`` is required. Passing ``None`` for an optional reference
        (``project=None``) clears it.
        """
        return await self._ops.update(invoice_id, changes, id_name="invoice_id")

    async def delete(
        self, invoice_id: str, **fields: Unpack[SupplierInvoiceDeleteFields]
    ) -> DeletedSupplierInvoice:
        """Delete a supplier invoice (``deleted_by_user`` required); returns its ``_id``
        and number."""
        result: DeletedSupplierInvoice = await self._ops.delete(
            invoice_id, fields, id_name="invoice_id"
        )
        return result


SUPPLIER_INVOICES = ResourceSpec(
    path="supplierInvoices",
    record=SupplierInvoice,
    facade=SupplierInvoices,
    list=Listing(filters=SupplierInvoiceFilters),
    get=True,
    # The reference documents both: v2 JSON, and the v1 form for a create.
    create=Write(fields=SupplierInvoiceCreateFields, rules=(_currency_pair,), form_version=1),
    # One update example says ``-X POST``; the HTTP Request line and the JS say PUT.
    update=Write(fields=SupplierInvoiceUpdateFields, rules=(_currency_pair,)),
    delete=Write(fields=SupplierInvoiceDeleteFields, result=DeletedSupplierInvoice),
)
