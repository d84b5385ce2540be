"""Work orders and their lookups: types, tags and statuses (reference: WorkOrders.md).

``start_date``/``end_date`` are moments on work orders (``YYYY-MM-DD HH:MM``), not days as
on projects. The delete is commented out in the reference (its example even sends
``"id"``) and not offered. FIXED_PRICE billing needs ``fixed_price``; a ``work_address``
needs ``use_other_address``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id, Money, invalid
from .._models import LenientStrEnum
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection, Lookup, LookupFilters
from .._spec import Listing, ResourceSpec, Write
from .common import BudgetCalculation, InvoicingStatus

__all__ = [
    "NewWorkAddress",
    "Reminder",
    "RunningInvoiceSettings",
    "WorkAddress",
    "WorkOrder",
    "WorkOrderBillingMethod",
    "WorkOrderCreateFields",
    "WorkOrderFilters",
    "WorkOrderStatus",
    "WorkOrderTag",
    "WorkOrderType",
    "WorkOrderUpdateFields",
    "WorkOrders",
]


class WorkOrderBillingMethod(LenientStrEnum):
    """How a work order is billed (its own set: not a project's)."""

    RUNNING = "RUNNING"
    FIXED_PRICE = "FIXED_PRICE"
    ACCORDING_TO_QUOTE = "ACCORDING_TO_QUOTE"


@attrs.define(slots=True, eq=True)
class WorkAddress:
    """Where the work is done, when not at the customer's address."""

    use_other_address: bool | None = None
    name: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class Reminder:
    """A reminder on a record: when, and how."""

    id: str | None = None
    item_id: str | None = None
    reminder_type: int | None = None
    reminder_time_type: int | None = None
    reminder_time_value: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class RunningInvoiceSettings:
    """How a running-price work order's invoice rows are written."""

    one_row_text: str | None = None
    time_log_machine_supplement: str | None = None
    time_log_custom_field: str | None = None
    include_description: bool | None = None
    include_date_range: bool | None = None
    include_date: bool | None = None
    include_user: bool | None = None
    machine_from_time_log: bool | None = None
    include_category: bool | None = None
    include_task: bool | None = None
    include_work_order: bool | None = None
    include_project: bool | None = None
    format_type: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class WorkOrder:
    """A work order."""

    id: str
    work_order_number: int | None = None
    title: str | None = None
    description: str | None = None
    status: int | None = None
    status_ref: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    customer_number: str | None = None
    project: str | None = None
    project_name: str | None = None
    contact_person: str | None = None
    work_order_type: str | None = None
    department: str | None = None
    work_leader: str | None = None
    current_owner: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    estimated_time: Decimal | None = None
    billing_method: WorkOrderBillingMethod | None = None
    fixed_price: Decimal | None = None
    invoice_status: InvoicingStatus | None = None
    is_supplement_order: bool | None = None
    enable_portal_access: bool | None = None
    allow_registration_of_times: bool | None = None
    allow_registration_of_expenses: bool | None = None
    marking: str | None = None
    your_order_number: str | None = None
    color: str | None = None
    work_address: WorkAddress | None = None
    running_invoice_settings: RunningInvoiceSettings | None = None
    budget_calculation: BudgetCalculation | None = None
    reminders: list[Reminder] = attrs.field(factory=list)
    users: list[Any] = attrs.field(factory=list)
    machines: list[Any] = attrs.field(factory=list)
    part_time_resources: list[Any] = attrs.field(factory=list)
    tags: list[Any] = attrs.field(factory=list)
    location_coordinates: list[Any] = attrs.field(factory=list)
    custom_fields: list[Any] = attrs.field(factory=list)
    work_order_user_work_types: list[Any] = attrs.field(factory=list)
    work_order_user_skills: list[Any] = attrs.field(factory=list)
    invoice_rows: list[Any] = attrs.field(factory=list)
    todo_items: list[Any] = attrs.field(factory=list)
    check_lists: list[Any] = attrs.field(factory=list)
    comments: list[Any] = attrs.field(factory=list)
    relations: list[Any] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    created_by_user: str | None = None
    created_by_user_name: str | None = None
    create_date: datetime | None = None
    completed_by_user: str | None = None
    completed_by_user_name: str | None = None
    completed_date: datetime | None = None
    in_progress_by_user: str | None = None
    in_progress_by_user_name: str | None = None
    in_progress_date: datetime | None = None
    modified_by_user: str | None = None
    modified_by_user_name: str | None = None
    modified_date: datetime | None = None
    last_modified: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class WorkOrderType:
    """A work order type."""

    id: str
    work_order_type_name: str | None = None
    color: str | None = None
    is_active: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class WorkOrderTag:
    """A work order tag."""

    id: str
    tag_name: str | None = None
    color: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class WorkOrderStatus:
    """A work order status."""

    id: str
    status_name: str | None = None
    color: str | None = None
    in_progress_status: bool | None = None
    closed_status: bool | None = None
    planned_status: bool | None = None
    is_active: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(slots=True, kw_only=True)
class NewWorkAddress:
    """A ``work_address`` to send; ``use_other_address`` is required."""

    use_other_address: bool
    name: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


class WorkOrderFilters(ListOptions, Sorting, total=False):
    """The documented filters of the work-order list."""

    title: str
    work_order_number: int
    project: Id
    user: Id
    customer: Id
    last_modified: datetime


class _WorkOrderFields(WriteOptions, total=False):
    status_ref: Id | None
    project: Id | None
    start_date: datetime
    end_date: datetime
    current_owner: Id | None
    users: Sequence[Id]
    machines: Sequence[Id]
    estimated_time: Money
    contact_person: Id | None
    work_order_type: Id | None
    department: Id | None
    work_leader: Id | None
    description: str
    color: str
    invoice_status: InvoicingStatus | int
    billing_method: WorkOrderBillingMethod | str
    fixed_price: Money
    is_supplement_order: bool
    work_address: NewWorkAddress
    enable_portal_access: bool
    allow_registration_of_times: bool
    allow_registration_of_expenses: bool
    marking: str
    your_order_number: str
    tags: Sequence[Id]


class WorkOrderCreateFields(_WorkOrderFields, total=False):
    """The fields of a new work order (the first three are required)."""

    title: Required[str]
    customer: Required[Id]
    created_by_user: Required[Id]


class WorkOrderUpdateFields(_WorkOrderFields, total=False):
    """The fields an update may change (``modified_by_user`` required)."""

    modified_by_user: Required[Id]
    title: str
    customer: Id


def _fixed_price(wire: Any, operation: str) -> None:
    if wire.get("billingMethod") == "FIXED_PRICE" and wire.get("fixedPrice") is None:
        raise invalid("fixed_price", "is required when billing_method is FIXED_PRICE")


class WorkOrders(Collection[WorkOrder]):
    """``st.work_orders``: list, get, create and update work orders (no delete)."""

    def list(self, **filters: Unpack[WorkOrderFilters]) -> Paginator[WorkOrder]:
        """A paginator over the work orders that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, work_order_id: Id, **options: Unpack[CallOptions]) -> WorkOrder:
        """One work order by its ``_id``."""
        return await self._ops.get(work_order_id, options, id_name="work_order_id")

    async def create(self, **fields: Unpack[WorkOrderCreateFields]) -> WorkOrder:
        """Create a work order."""
        return await self._ops.create(fields)

    async def update(
        self, work_order_id: Id, **changes: Unpack[WorkOrderUpdateFields]
    ) -> WorkOrder:
        """Change the given fields (and only those) of a work order."""
        return await self._ops.update(work_order_id, changes, id_name="work_order_id")


WORK_ORDERS = ResourceSpec(
    path="workOrders",
    record=WorkOrder,
    facade=WorkOrders,
    list=Listing(filters=WorkOrderFilters),
    get=True,
    create=Write(fields=WorkOrderCreateFields, rules=(_fixed_price,)),
    update=Write(fields=WorkOrderUpdateFields, rules=(_fixed_price,)),
)


def _lookup(path: str, record: type) -> ResourceSpec:
    return ResourceSpec(
        path=path,
        record=record,
        facade=Lookup,
        list=Listing(filters=LookupFilters, paged=False),
        sort_field=None,
    )


WORK_ORDER_TYPES = _lookup("workOrderTypes", WorkOrderType)
WORK_ORDER_TAGS = _lookup("workOrderTags", WorkOrderTag)


class NoFilters(ListOptions, total=False):
    """The work-order statuses take no parameter at all ("No parameters")."""


WORK_ORDER_STATUSES = ResourceSpec(
    path="workOrderStatuses",
    record=WorkOrderStatus,
    facade=Lookup,
    list=Listing(filters=NoFilters, paged=False),
    sort_field=None,
)
