"""The collections of the API, one small module per family; :data:`REGISTRY` lists them.

Each module declares its records, its filter and field TypedDicts and one
:class:`~seventime_async._spec.ResourceSpec` per URL collection. The client, the CLI,
the sandbox and the registry-wide tests are all built from :data:`REGISTRY`;
:class:`Collections` only gives each collection's client attribute its static type (a
test checks that it matches the registry, name for name and facade for facade).
"""

from __future__ import annotations

from .._resource import Lookup, Send
from .._spec import ResourceSpec
from .contact_persons import CONTACT_PERSONS, ContactPersons
from .custom_fields import CUSTOM_FIELDS, CustomFields
from .customers import CUSTOMERS, Customers
from .departments import DEPARTMENTS, Department
from .distributors import (
    DISTRIBUTOR_CONTACT_PERSONS,
    DISTRIBUTORS,
    DistributorContactPersons,
    Distributors,
)
from .documents import DOCUMENTS, Documents
from .driver_journals import (
    DRIVER_JOURNAL_TYPES,
    DRIVER_JOURNALS,
    DriverJournals,
    DriverJournalType,
)
from .expenses import EXPENSE_ITEMS, EXPENSES, ExpenseItems, Expenses
from .invoices import INVOICE_TAGS, INVOICES, Invoices, InvoiceTag
from .machine_time_logs import MACHINE_TIME_LOGS, MachineTimeLogs
from .machines import MACHINE_TYPES, MACHINES, Machines, MachineType
from .price_lists import PRICE_LISTS, PriceList
from .projects import (
    PROJECT_STATUSES,
    PROJECT_TAGS,
    PROJECT_TYPES,
    PROJECTS,
    Projects,
    ProjectStatus,
    ProjectTag,
    ProjectType,
)
from .purchase_orders import PURCHASE_ORDERS, PurchaseOrders
from .quotes import (
    QUOTE_CATEGORIES,
    QUOTE_TEMPLATES,
    QUOTES,
    QuoteCategories,
    Quotes,
    QuoteTemplates,
)
from .result_units import RESULT_UNITS, ResultUnit
from .supplement_orders import SUPPLEMENT_ORDERS, SupplementOrders
from .supplier_invoices import SUPPLIER_INVOICES, SupplierInvoices
from .tasks import TASKS, Tasks
from .time_logs import TIME_CATEGORIES, TIME_LOGS, TimeCategory, TimeLogs
from .timers import TIMERS, Timers
from .users import (
    DEFAULT_SALARY_TYPES,
    USER_ROLES,
    USER_SKILLS,
    USER_WORK_TYPES,
    USERS,
    DefaultSalaryType,
    UserRole,
    Users,
    UserSkill,
    UserWorkType,
)
from .vehicles import VEHICLES, Vehicle
from .work_orders import (
    WORK_ORDER_STATUSES,
    WORK_ORDER_TAGS,
    WORK_ORDER_TYPES,
    WORK_ORDERS,
    WorkOrders,
    WorkOrderStatus,
    WorkOrderTag,
    WorkOrderType,
)
from .work_schedules import WORK_SCHEDULES, WorkSchedules

__all__ = ["REGISTRY", "Collections"]

#: Every implemented collection, in the order the client lists them.
REGISTRY: tuple[ResourceSpec, ...] = (
    SUPPLIER_INVOICES,
    DEPARTMENTS,
    TIME_LOGS,
    TIME_CATEGORIES,
    MACHINES,
    MACHINE_TYPES,
    MACHINE_TIME_LOGS,
    VEHICLES,
    TASKS,
    DISTRIBUTORS,
    DISTRIBUTOR_CONTACT_PERSONS,
    DRIVER_JOURNALS,
    DRIVER_JOURNAL_TYPES,
    SUPPLEMENT_ORDERS,
    PURCHASE_ORDERS,
    QUOTES,
    QUOTE_TEMPLATES,
    QUOTE_CATEGORIES,
    WORK_SCHEDULES,
    CUSTOM_FIELDS,
    TIMERS,
    DOCUMENTS,
    PRICE_LISTS,
    RESULT_UNITS,
    USERS,
    USER_ROLES,
    DEFAULT_SALARY_TYPES,
    USER_SKILLS,
    USER_WORK_TYPES,
    CUSTOMERS,
    CONTACT_PERSONS,
    PROJECTS,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    PROJECT_TAGS,
    WORK_ORDERS,
    WORK_ORDER_TYPES,
    WORK_ORDER_TAGS,
    WORK_ORDER_STATUSES,
    EXPENSES,
    EXPENSE_ITEMS,
    INVOICES,
    INVOICE_TAGS,
)


class Collections:
    """The client's collection attributes: ``st.time_logs``, ``st.departments``, ..."""

    supplier_invoices: SupplierInvoices
    departments: Lookup[Department]
    time_logs: TimeLogs
    time_categories: Lookup[TimeCategory]
    machines: Machines
    machine_types: Lookup[MachineType]
    machine_time_logs: MachineTimeLogs
    vehicles: Lookup[Vehicle]
    tasks: Tasks
    distributors: Distributors
    distributor_contact_persons: DistributorContactPersons
    driver_journals: DriverJournals
    driver_journal_types: Lookup[DriverJournalType]
    supplement_orders: SupplementOrders
    purchase_orders: PurchaseOrders
    quotes: Quotes
    quote_templates: QuoteTemplates
    quote_categories: QuoteCategories
    work_schedules: WorkSchedules
    custom_fields: CustomFields
    timers: Timers
    documents: Documents
    price_lists: Lookup[PriceList]
    result_units: Lookup[ResultUnit]
    users: Users
    user_roles: Lookup[UserRole]
    default_salary_types: Lookup[DefaultSalaryType]
    user_skills: Lookup[UserSkill]
    user_work_types: Lookup[UserWorkType]
    customers: Customers
    contact_persons: ContactPersons
    projects: Projects
    project_statuses: Lookup[ProjectStatus]
    project_types: Lookup[ProjectType]
    project_tags: Lookup[ProjectTag]
    work_orders: WorkOrders
    work_order_types: Lookup[WorkOrderType]
    work_order_tags: Lookup[WorkOrderTag]
    work_order_statuses: Lookup[WorkOrderStatus]
    expenses: Expenses
    expense_items: ExpenseItems
    invoices: Invoices
    invoice_tags: Lookup[InvoiceTag]

    def _bind_collections(
        self,
        send: Send,
        base_url: str,
        rate: float | None,
        key_id: str = "",
        idle_guesses: bool = True,
    ) -> None:
        for spec in REGISTRY:
            facade = spec.facade(spec, send, base_url, rate, key_id, idle_guesses)
            setattr(self, spec.name, facade)
