"""Expenses and expense items (reference: Expenses.md).

The expense-item list is documented at ``/expenses``; its examples call
``/expenseItems/``, which is taken (``/expenses`` is the expenses' own list). The input
``tax_percent`` comes back as ``unit_tax_percent``. A new expense needs ``expense_item``,
or else a free-text ``name`` with ``unit_cost``, ``unit_price``, ``discount_percent`` and
``tax_percent``; an update needs ``user`` as well as ``modified_by_user``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id, Money, invalid
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec, Write
from .common import Deleted

__all__ = [
    "Expense",
    "ExpenseCreateFields",
    "ExpenseDeleteFields",
    "ExpenseFilters",
    "ExpenseItem",
    "ExpenseItemFilters",
    "ExpenseItems",
    "ExpenseUpdateFields",
    "Expenses",
]


@attrs.define(slots=True, eq=True)
class Expense:
    """An expense: an article used, with its cost, price and tax."""

    id: str
    user: str | None = None
    user_name: str | None = None
    expense_item: str | None = None
    name: str | None = None
    article_number: str | None = None
    description: str | None = None
    timestamp: datetime | None = None
    number_of_items: Decimal | None = None
    unit: str | None = None
    unit_cost: Decimal | None = None
    unit_price: Decimal | None = None
    unit_price_incl_tax: Decimal | None = None
    unit_price_after_discount: Decimal | None = None
    unit_tax: Decimal | None = None
    #: The input ``tax_percent``.
    unit_tax_percent: Decimal | None = None
    discount_percent: Decimal | None = None
    total_amount: Decimal | None = None
    total_amount_after_discount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    total_cost: Decimal | None = None
    customer: str | None = None
    customer_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    work_order: str | None = None
    work_order_number: int | None = None
    work_order_title: str | None = None
    distributor: str | None = None
    distributor_name: str | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    is_attested: bool | None = None
    attested_by: str | None = None
    do_reimburse: bool | None = None
    supplement_order: bool | None = None
    salary_compilation: str | None = None
    verification_number: str | None = None
    create_date: datetime | None = None
    last_modified: datetime | None = None
    bundled_articles: list[Any] = attrs.field(factory=list)
    custom_fields: list[Any] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class ExpenseItem:
    """An article (expense item) of the register, with its cost and price."""

    id: str
    name: str | None = None
    article_number: str | None = None
    description: str | None = None
    unit: str | None = None
    unit_cost: Decimal | None = None
    unit_price: Decimal | None = None
    unit_price_incl_tax: Decimal | None = None
    tax: Decimal | None = None
    is_invoiceable: bool | None = None
    is_category: bool | None = None
    is_active: bool | None = None
    is_inventory_item: bool | None = None
    always_reimburse: bool | None = None
    parent_expense_item: str | None = None
    parent_expense_item_name: str | None = None
    category_group_number: str | None = None
    article_group_number: str | None = None
    distributor: str | None = None
    distributor_name: str | None = None
    bundled_articles: list[Any] = attrs.field(factory=list)
    create_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class ExpenseFilters(ListOptions, Sorting, total=False):
    """The documented filters of the expense list (dates on or after / before)."""

    name: str
    article_number: str
    customer: Id
    project: Id
    distributor: Id
    from_date: date
    to_date: date
    last_modified: datetime | date


class ExpenseItemFilters(ListOptions, Sorting, total=False):
    """The documented filters of the expense-item list."""

    name: str
    article_number: str
    distributor_name: str
    description: str
    parent_expense_item_name: str
    is_invoiceable: bool
    is_active: bool
    favorite: bool


class _ExpenseFields(WriteOptions, total=False):
    expense_item: Id
    name: str
    work_order: Id | None
    customer: Id | None
    project: Id | None
    distributor: Id | None
    number_of_items: Money
    unit: str
    unit_cost: Money
    unit_price: Money
    discount_percent: Money
    tax_percent: Money
    timestamp: datetime
    description: str
    is_invoiceable: bool
    do_reimburse: bool


class ExpenseCreateFields(_ExpenseFields, total=False):
    """The fields of a new expense; ``expense_item`` or a free-text ``name`` (with its
    cost, price, discount and tax) is required too."""

    created_by_user: Required[Id]
    user: Required[Id]


class ExpenseUpdateFields(_ExpenseFields, total=False):
    """The fields an update may change; ``modified_by_user`` and ``user`` are required."""

    modified_by_user: Required[Id]
    user: Required[Id]


class ExpenseDeleteFields(WriteOptions, total=False):
    """``deleted_by_user`` is required (the only delete whose table lists it)."""

    deleted_by_user: Required[Id]


_FREE_TEXT_NEEDS = (
    ("unitCost", "unit_cost"),
    ("unitPrice", "unit_price"),
    ("discountPercent", "discount_percent"),
    ("taxPercent", "tax_percent"),
)


def _item_or_free_text(wire: Any, operation: str) -> None:
    if "expenseItem" in wire:
        return
    if "name" not in wire:
        raise invalid("expense_item", "or a free-text name is required to create an expense")
    for key, name in _FREE_TEXT_NEEDS:
        if key not in wire:
            raise invalid(name, "is required for a free-text expense (no expense_item)")


class Expenses(Collection[Expense]):
    """``st.expenses``: list, get, create, update and delete expenses."""

    def list(self, **filters: Unpack[ExpenseFilters]) -> Paginator[Expense]:
        """A paginator over the expenses that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, expense_id: Id, **options: Unpack[CallOptions]) -> Expense:
        """One expense by its ``_id``."""
        return await self._ops.get(expense_id, options, id_name="expense_id")

    async def create(self, **fields: Unpack[ExpenseCreateFields]) -> Expense:
        """Create an expense (see the module for what it needs)."""
        return await self._ops.create(fields)

    async def update(self, expense_id: Id, **changes: Unpack[ExpenseUpdateFields]) -> Expense:
        """Change the given fields (and only those) of an expense."""
        return await self._ops.update(expense_id, changes, id_name="expense_id")

    async def delete(self, expense_id: Id, **fields: Unpack[ExpenseDeleteFields]) -> Deleted:
        """Delete an expense; returns its ``_id``."""
        result: Deleted = await self._ops.delete(expense_id, fields, id_name="expense_id")
        return result


class ExpenseItems(Collection[ExpenseItem]):
    """``st.expense_items``: list and get the article register."""

    def list(self, **filters: Unpack[ExpenseItemFilters]) -> Paginator[ExpenseItem]:
        """A paginator over the expense items that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, expense_item_id: Id, **options: Unpack[CallOptions]) -> ExpenseItem:
        """One expense item by its ``_id``."""
        return await self._ops.get(expense_item_id, options, id_name="expense_item_id")


EXPENSES = ResourceSpec(
    path="expenses",
    record=Expense,
    facade=Expenses,
    list=Listing(filters=ExpenseFilters),
    get=True,
    create=Write(fields=ExpenseCreateFields, rules=(_item_or_free_text,)),
    update=Write(fields=ExpenseUpdateFields),
    delete=Write(fields=ExpenseDeleteFields, result=Deleted),
    output_names={"taxPercent": "unitTaxPercent"},
)

EXPENSE_ITEMS = ResourceSpec(
    path="expenseItems",
    record=ExpenseItem,
    facade=ExpenseItems,
    list=Listing(filters=ExpenseItemFilters),
    get=True,
)
