"""Records and enums: plain attrs classes, decoded from the wire by ``_converter``.

Attribute names are the snake_case form of the API's camelCase keys (``_id`` -> ``id``,
``OCR`` -> ``ocr``). Every field is optional because the reference's examples omit fields
freely; keys the model does not know are kept, untouched, in ``extra``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import attrs

__all__ = [
    "DeletedSupplierInvoice",
    "InvoiceItem",
    "ItemType",
    "NewInvoiceItem",
    "Page",
    "PageMeta",
    "SupplierInvoice",
    "SupplierInvoiceLogEntry",
    "SupplierInvoiceStatus",
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


class SupplierInvoiceStatus(enum.IntEnum):
    """Status of a supplier invoice. Values the SDK does not know decode to ``UNKNOWN_<n>``."""

    REGISTERED = 1
    DRAFT = 5
    SENT = 7
    INVOICED = 10

    @classmethod
    def _missing_(cls, value: object) -> SupplierInvoiceStatus | None:
        if isinstance(value, int) and not isinstance(value, bool):
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return cls._value2member_map_.setdefault(value, member)  # type: ignore[return-value]
        return None

    @property
    def is_documented(self) -> bool:
        """True for the four statuses the API reference documents."""
        return self.name in type(self).__members__


class ItemType(enum.StrEnum):
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

    @classmethod
    def _missing_(cls, value: object) -> ItemType | None:
        if isinstance(value, str):
            member = str.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return cls._value2member_map_.setdefault(value, member)  # type: ignore[return-value]
        return None

    @property
    def is_documented(self) -> bool:
        """True for the item types the API reference lists as input."""
        return self.name in type(self).__members__ and self is not ItemType.TIME


def _extra() -> dict[str, Any]:
    return {}


@attrs.define(slots=True, eq=True)
class InvoiceItem:
    """One row of a supplier invoice as the server returns it."""

    id: str | None = None
    item_type: ItemType | None = None
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
    time_category: str | None = None
    machine: str | None = None
    driver_journal_item_type: str | None = None
    category_name: str | None = None
    house_work_type_of_work: int | None = None
    create_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=_extra, repr=False)


@attrs.define(slots=True, eq=True)
class SupplierInvoiceLogEntry:
    """One entry of ``supplierInvoiceLogEntries``: who did what, when."""

    id: str | None = None
    log_type: int | None = None
    description: str | None = None
    user: str | None = None
    user_name: str | None = None
    log_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=_extra, repr=False)


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
    extra: dict[str, Any] = attrs.field(factory=_extra, repr=False)


@attrs.define(slots=True, eq=True)
class DeletedSupplierInvoice:
    """What the server returns for a deleted supplier invoice."""

    id: str
    supplier_invoice_number: str | None = None
    extra: dict[str, Any] = attrs.field(factory=_extra, repr=False)


@attrs.define(slots=True, eq=True)
class PageMeta:
    """The ``meta`` object of a list response."""

    total_resources: int
    total_pages: int
    current_page: int
    extra: dict[str, Any] = attrs.field(factory=_extra, repr=False)


@attrs.frozen(slots=True)
class Page(Generic[T]):
    """One page of a list: its ``meta`` and its decoded ``items``."""

    meta: PageMeta
    items: list[T]


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
    expense_item: str | None = None
    time_category: str | None = None
    machine: str | None = None
    driver_journal_item_type: str | None = None
    number_of_items: Decimal | int | str | None = None
    unit: str | None = None
    unit_cost: Decimal | int | str | None = None
    unit_price: Decimal | int | str | None = None
    price_per_hour: Decimal | int | str | None = None
    total_amount: Decimal | int | str | None = None
    discount_percent: Decimal | int | str | None = None
    tax_percent: Decimal | int | str | None = None
    house_work_type_of_work: int | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)
