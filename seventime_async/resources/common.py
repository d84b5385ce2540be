"""Records that several families share: what a delete answers, a geo point, addresses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from .._models import LenientIntEnum

__all__ = [
    "Address",
    "BudgetCalculation",
    "DeductionItem",
    "Deleted",
    "Document",
    "GeoPoint",
    "HouseProperties",
    "InvoicingStatus",
    "LogEntry",
    "NewAddress",
    "OrderRow",
]


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
    entry_id: str | None = None
    additional_data: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class OrderRow:
    """One row of a quote or a supplement order (rows have ``_id: null`` in the
    reference). Quantities and money are ``Decimal``."""

    id: str | None = None
    item_type: str | None = None
    item_id: str | None = None
    item_order: int | None = None
    name: str | None = None
    description: str | None = None
    article_number: str | None = None
    time_category: str | None = None
    category_name: str | None = None
    expense_item: str | None = None
    expense_item_name: str | None = None
    driver_journal_item_type: str | None = None
    driver_journal_item_type_name: str | None = None
    machine: str | None = None
    machine_name: str | None = None
    price_list: str | None = None
    price_list_name: str | None = None
    unit: str | None = None
    number_of_items: Decimal | None = None
    unit_price: Decimal | None = None
    unit_cost: Decimal | None = None
    discount_in_percent: Decimal | None = None
    discount_percent: Decimal | None = None
    supplement_charge_percent: Decimal | None = None
    tax_percent: Decimal | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    total_cost: Decimal | None = None
    house_work_flag: bool | None = None
    house_work_type_of_work: int | None = None
    selected_flag: bool | None = None
    stock_location: str | None = None
    create_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class DeductionItem:
    """One person's share of a ROT/RUT house-work deduction."""

    id: str | None = None
    item_id: str | None = None
    user_name: str | None = None
    personal_number: str | None = None
    distribution_percent: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class HouseProperties:
    """The property a ROT/RUT house-work deduction is for, and how it is shared."""

    type_of_property: int | None = None
    property_description: str | None = None
    housing_society_number: str | None = None
    apartment_number: str | None = None
    max_deduction_amount: Decimal | None = None
    personal_number: str | None = None
    deduction_distribution: list[DeductionItem] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class Document:
    """A stored file as records embed it (a quote template's logo)."""

    id: str | None = None
    name: str | None = None
    content_type: str | None = None
    size: int | None = None
    user: str | None = None
    user_name: str | None = None
    create_date: datetime | None = None
    modified_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class BudgetCalculation:
    """A budget calculation: its rows and totals."""

    invoice_items: list[Any] = attrs.field(factory=list)
    total_benefit_amount: Decimal | None = None
    total_cost_amount: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class InvoicingStatus(LenientIntEnum):
    """How far a project or work order is invoiced (the reference's table)."""

    NONE = 0
    NOT_INVOICEABLE = 5
    READY_TO_BE_INVOICED = 10
    PARTLY_INVOICED = 20
    FULLY_INVOICED = 30
