"""Pydantic v2 twins of ``seventime_async._models``: the competitor in the throughput bench.

The same fields, the same types: camelCase aliases (``_id``, ``OCR`` spelled out), money
as ``Decimal``, timestamps as aware ``datetime``, every field Optional as in the SDK,
nested invoice items and log entries, unknown keys kept (``extra="allow"``, the SDK's
``record.extra``) and the SDK's own enums (their ``_missing_`` accepts unknown values).
"""

from __future__ import annotations

import typing
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.alias_generators import to_camel

from seventime_async import ItemType, SupplierInvoiceStatus
from seventime_async._converter import is_record, record_wire_name
from seventime_async._fastpath import OPEN_TYPES

__all__ = [
    "PydInvoiceItem",
    "PydListPage",
    "PydLogEntry",
    "PydPageMeta",
    "PydSupplierInvoice",
    "twin",
    "twin_page",
]

_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")


class PydInvoiceItem(BaseModel):
    model_config = _CONFIG

    id: str | None = Field(default=None, alias="_id")
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


class PydLogEntry(BaseModel):
    model_config = _CONFIG

    id: str | None = Field(default=None, alias="_id")
    log_type: int | None = None
    description: str | None = None
    user: str | None = None
    user_name: str | None = None
    log_date: datetime | None = None


class PydSupplierInvoice(BaseModel):
    model_config = _CONFIG

    id: str = Field(alias="_id")
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
    ocr: str | None = Field(default=None, alias="OCR")
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
    self_billing_time_log_ids: list[str] = Field(default_factory=list)
    self_billing_expense_ids: list[str] = Field(default_factory=list)
    invoice_items: list[PydInvoiceItem] = Field(default_factory=list)
    supplier_invoice_log_entries: list[PydLogEntry] = Field(default_factory=list)
    documents: list[Any] = Field(default_factory=list)
    footer_text: str | None = None
    footer_info_text: str | None = None


class PydPageMeta(BaseModel):
    model_config = _CONFIG

    total_resources: int
    total_pages: int
    current_page: int


class PydListPage(BaseModel):
    """A whole list response: ``{"meta": {...}, "data": [...]}``."""

    meta: PydPageMeta
    data: list[PydSupplierInvoice]


# -- twins generated from the SDK's record classes (the second record shape) -----------------

_TWIN_CONFIG = ConfigDict(populate_by_name=True, extra="allow")
_twins: dict[type[Any], type[BaseModel]] = {}


def _twin_type(type_: Any) -> Any:
    if type_ in OPEN_TYPES:
        return Any
    if is_record(type_):
        return twin(type_)
    args = typing.get_args(type_)
    if typing.get_origin(type_) is list:
        return list[_twin_type(args[0])]  # type: ignore[misc]
    if args and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _twin_type(inner) | None
    return type_


def twin(cls: type[Any]) -> type[BaseModel]:
    """A pydantic model with the fields, types, wire names and defaults of an SDK record
    class (unknown keys kept, as the SDK's ``extra``)."""
    if cls in _twins:
        return _twins[cls]
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        alias = record_wire_name(field)
        if field.default is attrs.NOTHING:
            default = Field(alias=alias)
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            default = Field(default_factory=field.default.factory, alias=alias)
        else:
            default = Field(default=field.default, alias=alias)
        fields[field.name] = (_twin_type(hints[field.name]), default)
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"Twin{cls.__name__}", __config__=_TWIN_CONFIG, **fields
    )
    _twins[cls] = model
    return model


def twin_page(cls: type[Any]) -> type[BaseModel]:
    """A list page (``meta``, ``data``) of :func:`twin` records."""
    page: type[BaseModel] = create_model(
        f"TwinPage{cls.__name__}", meta=(PydPageMeta, ...), data=(list[twin(cls)], ...)
    )
    return page
