"""Projects and their lookups: statuses, types and tags (reference: Projects.md).

``start_date``/``end_date`` are days on input (``YYYY-MM-DD``) and come back as the
instant of Stockholm midnight: ``calendar_day(project.start_date)`` gives the day. The
input ``project_tags`` comes back as ``tags``. The update is documented with everything
in the query string, but its examples send a JSON body, like every other update: the body
is used. The delete is commented out in the reference and not offered. A billing method
needs its price: ``price_per_hour`` for HOURLY, ``fixed_price`` for FIXED_PRICE,
``time_category_price_list`` for PRICELIST.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id, Money, invalid
from .._models import LenientStrEnum, wire_field
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection, Lookup, LookupFilters
from .._spec import Listing, ResourceSpec, Write
from .common import Address, BudgetCalculation, InvoicingStatus, NewAddress

__all__ = [
    "BillingMethod",
    "Budget",
    "CustomFieldValue",
    "Permissions",
    "Project",
    "ProjectCreateFields",
    "ProjectFilters",
    "ProjectStatus",
    "ProjectTag",
    "ProjectTimeNotification",
    "ProjectType",
    "ProjectUpdateFields",
    "Projects",
    "RecurringBudget",
    "StaffLedger",
]


class BillingMethod(LenientStrEnum):
    """How a project (or work order) is billed."""

    ACCORDING_TO_CUSTOMER = "ACCORDING_TO_CUSTOMER"
    HOURLY = "HOURLY"
    PERUSER = "PERUSER"
    HOURLY_PER_TIMECATEGORY = "HOURLY_PER_TIMECATEGORY"
    FIXED_PRICE = "FIXED_PRICE"
    PRICELIST = "PRICELIST"


@attrs.define(slots=True, eq=True)
class Permissions:
    """Who may see a record: users, roles, departments."""

    permission_flag: int | None = None
    perm_users: list[Any] = attrs.field(factory=list)
    perm_roles: list[Any] = attrs.field(factory=list)
    perm_departments: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class RecurringBudget:
    """A budget that repeats (time and amount per period)."""

    budget_type: int | None = None
    budget_time: Decimal | None = None
    budget_amount: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class Budget:
    """A project's budget: benefits and costs."""

    type_of_benefit_calc: int | None = None
    benefits: list[Any] = attrs.field(factory=list)
    benefit_total: Decimal | None = None
    type_of_cost_calc: int | None = None
    costs: list[Any] = attrs.field(factory=list)
    cost_total: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class StaffLedger:
    """Staff-ledger (personalliggare) details of a construction project."""

    work_place_id_number: str | None = wire_field("workPlaceIDNumber")
    developer_name: str | None = None
    developer_org_number: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class ProjectTimeNotification:
    """A notification when the logged time reaches a share of the estimate."""

    sent: bool | None = None
    notify_at_percent: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class CustomFieldValue:
    """A custom field's value on a record; ``value`` is kept as the server sends it (a
    string on projects, an object on invoices)."""

    id: str | None = None
    field_id: str | None = None
    value: Any = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class Project:
    """A project."""

    id: str
    name: str | None = None
    project_number: str | None = None
    project_status: int | None = None
    project_status_ref: str | None = None
    project_type: str | None = None
    project_type_name: str | None = None
    billing_method: BillingMethod | None = None
    price_per_hour: Decimal | None = None
    fixed_price: Decimal | None = None
    fixed_price_invoiced: bool | None = None
    fixed_price_left_to_invoice: Decimal | None = None
    fixed_price_expense_item: str | None = None
    time_category_price_list: str | None = None
    estimated_time: Decimal | None = None
    recurring_budget_type: int | None = None
    recurring_budget: RecurringBudget | None = None
    result_unit: str | None = None
    result_unit_name: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    contact_person: str | None = None
    contact_person_name: str | None = None
    project_leader: str | None = None
    project_leader_name: str | None = None
    quote: str | None = None
    quote_number: str | None = None
    department: str | None = None
    department_name: str | None = None
    marking: str | None = None
    your_order_number: str | None = None
    delivery_address: Address | None = None
    invoice_status: InvoicingStatus | None = None
    notes: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    budget: Budget | None = None
    budget_calculation: BudgetCalculation | None = None
    enable_construction_diary: bool | None = None
    enable_payment_plans: bool | None = None
    staff_ledger: StaffLedger | None = None
    project_time_notification: ProjectTimeNotification | None = None
    work_rule_start_of_day: Any = None
    work_rule_end_of_day: Any = None
    time_should_not_be_work_time: bool | None = None
    enable_portal_access: bool | None = None
    color: str | None = None
    is_active: bool | None = None
    permissions: Permissions | None = None
    #: The input ``project_tags``.
    tags: list[Any] = attrs.field(factory=list)
    time_category_items: list[Any] = attrs.field(factory=list)
    expense_item_items: list[Any] = attrs.field(factory=list)
    time_log_registration_methods: list[Any] = attrs.field(factory=list)
    project_resources: list[Any] = attrs.field(factory=list)
    check_lists: list[Any] = attrs.field(factory=list)
    comments: list[Any] = attrs.field(factory=list)
    custom_fields: list[CustomFieldValue] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    created_date: datetime | None = None
    modified_date: datetime | None = None
    last_modified: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class ProjectStatus:
    """A project status."""

    id: str
    status_name: str | None = None
    color: str | None = None
    in_progress_status: bool | None = None
    closed_status: bool | None = None
    is_active: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class ProjectType:
    """A project type."""

    id: str
    project_type_name: str | None = None
    is_active: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class ProjectTag:
    """A project tag."""

    id: str
    tag_name: str | None = None
    color: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class ProjectFilters(ListOptions, Sorting, total=False):
    """The documented filters of the project list."""

    name: str
    project_number: int | str
    last_modified: datetime | date


class _ProjectFields(WriteOptions, total=False):
    project_number: int | str
    project_status_ref: Id | None
    customer: Id | None
    contact_person: Id | None
    invoice_status: InvoicingStatus | int
    project_leader: Id | None
    project_type: Id | None
    department: Id | None
    start_date: date
    end_date: date
    notes: str
    result_unit: Id | None
    billing_method: BillingMethod | str
    price_per_hour: Money
    fixed_price: Money
    time_category_price_list: Id
    project_tags: Sequence[Id]
    marking: str
    your_order_number: str
    delivery_address: NewAddress


class ProjectCreateFields(_ProjectFields, total=False):
    """The fields of a new project (``created_by_user`` and ``name`` required)."""

    created_by_user: Required[Id]
    name: Required[str]


class ProjectUpdateFields(_ProjectFields, total=False):
    """The fields an update may change (``modified_by_user`` required)."""

    modified_by_user: Required[Id]
    name: str


_PRICE_FOR_METHOD = {
    "HOURLY": ("pricePerHour", "price_per_hour"),
    "FIXED_PRICE": ("fixedPrice", "fixed_price"),
    "PRICELIST": ("timeCategoryPriceList", "time_category_price_list"),
}


def _price_for_method(wire: Any, operation: str) -> None:
    needed = _PRICE_FOR_METHOD.get(wire.get("billingMethod"))
    if needed is not None and wire.get(needed[0]) is None:
        raise invalid(needed[1], f"is required when billing_method is {wire['billingMethod']}")


class Projects(Collection[Project]):
    """``st.projects``: list, get, create and update projects (no delete)."""

    def list(self, **filters: Unpack[ProjectFilters]) -> Paginator[Project]:
        """A paginator over the projects that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, project_id: Id, **options: Unpack[CallOptions]) -> Project:
        """One project by its ``_id``."""
        return await self._ops.get(project_id, options, id_name="project_id")

    async def create(self, **fields: Unpack[ProjectCreateFields]) -> Project:
        """Create a project (a billing method needs its price, see the module)."""
        return await self._ops.create(fields)

    async def update(self, project_id: Id, **changes: Unpack[ProjectUpdateFields]) -> Project:
        """Change the given fields (and only those) of a project."""
        return await self._ops.update(project_id, changes, id_name="project_id")


PROJECTS = ResourceSpec(
    path="projects",
    record=Project,
    facade=Projects,
    list=Listing(filters=ProjectFilters),
    get=True,
    create=Write(fields=ProjectCreateFields, rules=(_price_for_method,)),
    update=Write(fields=ProjectUpdateFields, rules=(_price_for_method,)),
    output_names={"projectTags": "tags"},
    sort_field="createdDate",
)

PROJECT_STATUSES = ResourceSpec(
    path="projectStatuses",
    record=ProjectStatus,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    sort_field=None,
)

PROJECT_TYPES = ResourceSpec(
    path="projectTypes",
    record=ProjectType,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    sort_field=None,
)

PROJECT_TAGS = ResourceSpec(
    path="projectTags",
    record=ProjectTag,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    sort_field=None,
)
