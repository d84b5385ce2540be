"""Invoices and invoice tags (reference: Invoices.md).

The input ``name`` comes back as ``invoice_name``; the list's ``ocr_number`` filter and
the record's ``ocr_number`` are ``OCRNumber`` on the wire. Rows are the supplier
invoices' (``NewInvoiceItem`` in, ``InvoiceItem`` out; row tax 0, 6, 12 or 25).

An update replaces the invoice's rows wholesale, and the reference requires
``multiple_taxes_on_rows`` and the full ``invoice_items`` on every update (Invoices:850-
854). The SDK makes the caller pass them (``update`` refuses without them): a partial
update that silently dropped rows is impossible. To change a field and keep the rows,
send back the rows you read: ``[NewInvoiceItem.from_item(i) for i in inv.invoice_items]``.
A fetch-and-merge inside ``update`` would race with other writers and hide a second
request. The delete is commented out in the reference and not offered; the update
example's ``invoiceStatus: 'Support'`` is not a documented status (1-4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Required, Unpack

import attrs

from .._codecs import DIGITS, CurrencyCode, Id, Number, OneOf, invalid
from .._models import LenientIntEnum, wire_field
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection, Lookup, LookupFilters
from .._spec import Listing, ResourceSpec, Write
from .common import Address, HouseProperties, LogEntry, NewAddress
from .customers import NewDeductionItem
from .projects import CustomFieldValue
from .supplier_invoices import InvoiceItem, NewInvoiceItem

__all__ = [
    "Invoice",
    "InvoiceCreateFields",
    "InvoiceFilters",
    "InvoiceStatus",
    "InvoiceTag",
    "InvoiceType",
    "InvoiceUpdateFields",
    "Invoices",
    "NewHouseProperties",
]


class InvoiceStatus(LenientIntEnum):
    """An invoice's status (a create takes DRAFT or SENT only)."""

    DRAFT = 1
    SENT = 2
    PAID = 3
    OBLITERATED = 4


class InvoiceType(LenientIntEnum):
    """Normal, ROT or RUT (house-work deduction), or construction (reverse VAT)."""

    NORMAL = 0
    ROT = 1
    RUT = 2
    CONSTRUCTION = 3


@attrs.define(slots=True, eq=True)
class Invoice:
    """A customer invoice. ``invoice_date``/``due_date`` are days: ``calendar_day(...)``."""

    id: str
    invoice_number: str | None = None
    #: The input ``name``.
    invoice_name: str | None = None
    invoice_status: InvoiceStatus | None = None
    invoice_type: InvoiceType | None = None
    invoice_date: datetime | None = None
    due_date: datetime | None = None
    sent_date: datetime | None = None
    payment_date: datetime | None = None
    reminder_date: datetime | None = None
    ocr_number: str | None = wire_field("OCRNumber")
    language: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    customer_number: str | None = None
    customer_address: str | None = None
    customer_email: str | None = None
    customer_org_no: str | None = None
    customer_vat: str | None = wire_field("customerVAT")
    contact_person: str | None = None
    contact_person_name: str | None = None
    our_reference: str | None = None
    our_reference_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    work_order: str | None = None
    work_order_number: str | None = None
    quote: str | None = None
    quote_number: str | None = None
    supplement_order: str | None = None
    supplement_order_number: str | None = None
    result_unit: str | None = None
    result_unit_name: str | None = None
    price_list: str | None = None
    price_list_name: str | None = None
    marking: str | None = None
    your_order_number: str | None = None
    notes: str | None = None
    description: str | None = None
    header_text: str | None = None
    footer_text: str | None = None
    footer_info_text: str | None = None
    delivery_address: Address | None = None
    house_properties: HouseProperties | None = None
    multiple_taxes_on_rows: bool | None = None
    show_price_incl_taxes_on_rows: bool | None = None
    tax_percent: Decimal | None = None
    currency_code: str | None = None
    currency_rate: Decimal | None = None
    discount_in_percent: Decimal | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    total_amount_rounding: Decimal | None = None
    total_cost: Decimal | None = None
    house_deduction_amount: Decimal | None = None
    house_deduction_basis_amount: Decimal | None = None
    is_credit_invoice: bool | None = None
    is_credited: bool | None = None
    credit_for_invoice: str | None = None
    credit_for_invoice_number: str | None = None
    credit_invoice: str | None = None
    credit_invoice_number: str | None = None
    partially_paid: bool | None = None
    payment_plan: str | None = None
    payment_plan_row_id: str | None = None
    exported_to_economy: bool | None = None
    archived: bool | None = None
    archived_date: datetime | None = None
    created_by_user: str | None = None
    created_by_user_name: str | None = None
    create_date: datetime | None = None
    invoice_items: list[InvoiceItem] = attrs.field(factory=list)
    invoice_log_entries: list[LogEntry] = attrs.field(factory=list)
    custom_fields: list[CustomFieldValue] = attrs.field(factory=list)
    tags: list[str] = attrs.field(factory=list)
    work_order_ids: list[str] = attrs.field(factory=list)
    time_log_ids: list[Any] = attrs.field(factory=list)
    expense_ids: list[Any] = attrs.field(factory=list)
    driver_journal_ids: list[Any] = attrs.field(factory=list)
    machine_time_log_ids: list[Any] = attrs.field(factory=list)
    supplier_invoice_ids: list[Any] = attrs.field(factory=list)
    supplement_orders: list[Any] = attrs.field(factory=list)
    external_system_export: list[Any] = attrs.field(factory=list)
    partial_payments: list[Any] = attrs.field(factory=list)
    check_lists: list[Any] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class InvoiceTag:
    """An invoice tag."""

    id: str
    tag_name: str | None = None
    color: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(slots=True, kw_only=True)
class NewHouseProperties:
    """The property of a ROT/RUT invoice: a detached property (1) needs its
    ``property_description``, a condominium (2) its housing society and apartment."""

    type_of_property: Annotated[int, OneOf((1, 2))]
    property_description: str | None = None
    housing_society_number: str | None = None
    apartment_number: str | None = None
    deduction_distribution: Sequence[NewDeductionItem] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    @staticmethod
    def check_wire(wire: dict[str, Any], field: str) -> None:
        """What each type of property needs (the reference's table)."""
        needs = {1: ("propertyDescription",), 2: ("housingSocietyNumber", "apartmentNumber")}
        for key in needs[wire["typeOfProperty"]]:
            if wire.get(key) is None:
                name = "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
                raise invalid(
                    f"{field}.{name}", f"is required for type_of_property {wire['typeOfProperty']}"
                )


RowTax = Annotated[Decimal | int | float | str, Number(), OneOf((0, 6, 12, 25))]


class InvoiceFilters(ListOptions, Sorting, total=False):
    """The documented filters of the invoice list (date ranges on or after / before)."""

    invoice_number: int | str
    ocr_number: Annotated[str | int, DIGITS]
    customer_number: str
    from_invoice_date: date
    to_invoice_date: date
    from_due_date: date
    to_due_date: date


class _InvoiceFields(WriteOptions, total=False):
    name: str
    invoice_date: date
    due_date: date
    project: Id | None
    marking: str
    your_order_number: str
    contact_person: Id | None
    our_reference: Id | None
    delivery_address: NewAddress
    work_order: Id | None
    result_unit: Id | None
    invoice_type: InvoiceType | int
    house_properties: NewHouseProperties
    price_list: Id | None
    currency_code: CurrencyCode
    currency_rate: Annotated[Decimal | int | float | str, Number(minimum=0)]
    notes: str
    tags: Sequence[Id]
    use_footer_from_settings: bool
    footer_text: str


class InvoiceCreateFields(_InvoiceFields, total=False):
    """The fields of a new invoice (``customer``, ``created_by_user``, ``language``)."""

    customer: Required[Id]
    created_by_user: Required[Id]
    language: Required[str]
    invoice_status: Annotated[InvoiceStatus | int, OneOf((1, 2))]
    multiple_taxes_on_rows: bool
    tax_percent: RowTax
    invoice_items: Sequence[NewInvoiceItem]


class InvoiceUpdateFields(_InvoiceFields, total=False):
    """An update replaces the rows: ``multiple_taxes_on_rows`` and the full
    ``invoice_items`` are required, and ``tax_percent`` without multiple taxes."""

    modified_by_user: Required[Id]
    multiple_taxes_on_rows: Required[bool]
    invoice_items: Required[Sequence[NewInvoiceItem]]
    tax_percent: RowTax
    invoice_status: InvoiceStatus | int
    customer: Id
    language: str


def _house_properties(wire: Any, operation: str) -> None:
    if wire.get("invoiceType") in (1, 2) and "houseProperties" not in wire:
        raise invalid("house_properties", "is required for a ROT or RUT invoice")


def _tax_without_row_taxes(wire: Any, operation: str) -> None:
    single_tax = wire.get("multipleTaxesOnRows") is False
    if operation == "update" and single_tax and wire.get("taxPercent") is None:
        raise invalid("tax_percent", "is required when multiple_taxes_on_rows is False")


class Invoices(Collection[Invoice]):
    """``st.invoices``: list, get, create and update invoices (no delete)."""

    def list(self, **filters: Unpack[InvoiceFilters]) -> Paginator[Invoice]:
        """A paginator over the invoices that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, invoice_id: Id, **options: Unpack[CallOptions]) -> Invoice:
        """One invoice by its ``_id``."""
        return await self._ops.get(invoice_id, options, id_name="invoice_id")

    async def create(self, **fields: Unpack[InvoiceCreateFields]) -> Invoice:
        """Create an invoice (a ROT/RUT invoice needs ``house_properties``)."""
        return await self._ops.create(fields)

    async def update(self, invoice_id: Id, **changes: Unpack[InvoiceUpdateFields]) -> Invoice:
        """Update an invoice. Its rows are replaced by ``invoice_items``: pass every row
        it should keep (see the module docstring)."""
        return await self._ops.update(invoice_id, changes, id_name="invoice_id")


INVOICES = ResourceSpec(
    path="invoices",
    record=Invoice,
    facade=Invoices,
    list=Listing(filters=InvoiceFilters),
    get=True,
    create=Write(fields=InvoiceCreateFields, rules=(_house_properties,)),
    update=Write(fields=InvoiceUpdateFields, rules=(_house_properties, _tax_without_row_taxes)),
    wire_names={"ocr_number": "OCRNumber"},
    output_names={"name": "invoiceName"},
)

INVOICE_TAGS = ResourceSpec(
    path="invoiceTags",
    record=InvoiceTag,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    sort_field=None,
)
