"""Seeded, deterministic and deliberately messy supplier-invoice data.

The records look like the API reference's responses: Swedish text, ``null`` next to ``""``,
money with up to three decimals, ``supplierInvoiceNumber`` as a string but
``workOrderNumber`` as a number, the undocumented ``"time"`` item type, and keys an SDK
does not model (``__v``, ``customFieldValues``). The same ``seed`` always gives the same
records, whatever the wall clock says.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._wire import format_timestamp, new_object_id, parse_timestamp, wire_number

__all__ = [
    "DOCUMENTED_ITEM_TYPES",
    "ITEM_ID_FIELDS",
    "ROW_ATTRIBUTES",
    "STATUSES",
    "TOP_LEVEL_KEYS",
    "Named",
    "Pools",
    "Row",
    "WorkOrder",
    "expand",
    "generate_rows",
    "log_entry",
    "make_pools",
    "seeded_row",
]

#: The documented statuses: 1 Registered, 5 Draft, 7 Sent, 10 Invoiced.
STATUSES = (1, 5, 7, 10)

#: Item types accepted on input (the reference's list; ``"time"`` is only ever returned).
DOCUMENTED_ITEM_TYPES = (
    "expense",
    "timeLog",
    "general",
    "blank",
    "text",
    "onlyamount",
    "machineTimeLog",
    "driverJournal",
)

#: The id field an item of a given type must carry.
ITEM_ID_FIELDS = {
    "expense": "expenseItem",
    "timeLog": "timeCategory",
    "time": "timeCategory",
    "machineTimeLog": "machine",
    "driverJournal": "driverJournalItemType",
}

#: Every top-level key of a stored invoice, in the order the server sends them.
TOP_LEVEL_KEYS = (
    "_id",
    "isInvoiceable",
    "isInvoiced",
    "selfBillingTimeLogIds",
    "selfBillingExpenseIds",
    "invoiceItems",
    "documents",
    "supplierInvoiceLogEntries",
    "distributor",
    "distributorName",
    "supplierInvoiceNumber",
    "yourReference",
    "ourReference",
    "createDate",
    "invoiceDate",
    "dueDate",
    "paymentDate",
    "totalAmount",
    "totalTaxAmount",
    "totalAmountInclTax",
    "totalAmountToInvoice",
    "taxPercent",
    "taxType",
    "markupPercent",
    "currencyCode",
    "currencyRate",
    "OCR",
    "economySystemStatus",
    "expensesCreatedFromInvoiceItems",
    "notes",
    "isCreditInvoice",
    "creditForInvoiceNumber",
    "isBooked",
    "economySystemRef",
    "importedFrom",
    "supplierInvoiceStatus",
    "workOrder",
    "workOrderTitle",
    "workOrderNumber",
    "project",
    "projectName",
    "supplementOrderId",
    "supplementOrderNumber",
    "customer",
    "customerName",
    "department",
    "departmentName",
    "resultUnit",
    "supplementOrder",
    "invoice",
    "invoiceNumber",
    "isSelfBillingInvoice",
    "selfBillingInvoiceStatus",
    "exportedToEconomy",
    "selfBillingInvoice",
    "selfBillingInvoiceNumber",
    "footerText",
    "footerInfoText",
    "customFieldValues",
    "lastModified",
    "__v",
)

_DISTRIBUTOR_NAMES = (
    "Bygg & Måleri i Växjö AB",
    "Ahlsell Sverige AB",
    "Elektroskandia Sverige AB",
    "Jönköpings Rör & Värme AB",
    "Göteborgs Plåtslageri HB",
    "Örebro Maskinuthyrning AB",
    "Ståhls Åkeri",
    "Luleå Järnhandel",
    "20200828",
    "Company AB",
    "Malmö Städ & Fönsterputs",
    "Säkerhetsdörrar i Norrland AB",
)
_CUSTOMER_NAMES = (
    "Company",
    "Brf Solgläntan",
    "Västerås Stad",
    "Fastighets AB Älvstranden",
    "Hälsans Hus i Skövde",
    "Kommunfastigheter i Umeå",
    "Åre Fjällby AB",
    "Öresundskraft",
)
_PROJECT_NAMES = (
    "Stambyte Björkvägen 4",
    "Ombyggnad kök, Storgatan 12",
    "Nybyggnation förskola Ängen",
    "Renovering badrum lgh 1102",
    "Fasadmålning Kv. Trädgården",
    "Takbyte Sjöviksskolan",
    "Elrevision 2020",
    "Solceller Lagerhall Ö",
    "Fönsterbyte etapp 2",
    "Markarbeten Hagaparken",
)
_WORK_ORDER_TITLES = (
    "Återkommande 20200116 - 234556565656",
    "Service ventilation våning 3",
    "Felanmälan: läckage under diskbänk",
    "Byte av blandare",
    "Årlig kontroll brandlarm",
    "Snöröjning Januari",
    "Montering köksluckor",
    "Åtgärda fuktskada i källare",
    "Besiktning hiss",
    "Återkommande service",
)
_USER_NAMES = (
    "Anna Andersson",
    "Tommy Hellström",
    "Åsa Öberg",
    "Jörgen Ämtegård",
    "Lars Nilsson",
    "Maria Ödmark",
)
_DEPARTMENT_NAMES = ("Service Syd", "Projekt Norr", "Måleri")
_TIME_CATEGORIES = ("Beredskap normal", "Arbetstid", "Övertid 50%", "Restid", "Jour helg")
_EXPENSE_NAMES = ("Material", "Förbrukningsmaterial", "Frakt", "Parkering", "Kakel och fog")
_MACHINE_NAMES = ("Minigrävare 1,8 t", "Lift 12 m", "Betongblandare", "Släpvagn")
_DRIVER_JOURNAL_NAMES = ("Milersättning", "Körning egen bil", "Trängselskatt")
_NOTES = (
    "",
    "",
    "",
    "Självfaktura",
    "Återkommande service",
    "Material till badrumsrenovering, Östra gatan 12",
    "Avser vecka 37",
    "Frakt ingår ej – se bifogad följesedel",
    "Kreditering av faktura 1234",
)
_GENERAL_TEXTS = ("Etablering", "Städning efter utfört arbete", "Övrigt", "Fri text: åtgärd")
_TEXT_ROWS = ("Enligt offert 2020-114", "Arbetet utfört vecka 12–13", "Ärende: 4471")
_UNITS = ("st", "st", "tim", "h", "m", "m²", "km", "mil", "")
_FOOTER_TEXT = (
    "<table width=\"100%\"><tr><td style='vertical-align: top;'>Första</td>"
    "<td style='vertical-align: top;'>Andra</td>"
    "<td style='vertical-align: top;'>Tredje</td></tr></table>"
)
_CURRENCIES = (("SEK", 1), ("SEK", 1), ("SEK", 1), ("SEK", 1), ("EUR", 11.47), ("NOK", 0.983))
_ITEM_TYPES = (
    "expense",
    "expense",
    "expense",
    "timeLog",
    "time",
    "time",
    "general",
    "blank",
    "text",
    "onlyamount",
    "machineTimeLog",
    "driverJournal",
)
_STATUS_WEIGHTS = (1, 1, 5, 5, 5, 7, 7, 10)
_TAX_PERCENTS = (25, 25, 25, 25, 25, 12, 6, 0)

# Records are spread over 2019-01-01 .. 2025-01-01; lastModified never goes past 2025-06-01.
_START_MS = 1_546_300_800_000
_SPAN_MS = 189_388_800_000
_END_MS = 1_748_736_000_000
_DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Named:
    """An id with a display name (distributor, customer, user, ...)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class WorkOrder:
    """A work order of the pool, possibly tied to a project."""

    id: str
    title: str
    number: int
    project: Named | None


@dataclass(frozen=True, slots=True)
class Pools:
    """The small sets of related ids the invoices point at, so filters return subsets."""

    distributors: tuple[Named, ...]
    customers: tuple[Named, ...]
    projects: tuple[tuple[Named, Named], ...]  # (project, its customer)
    work_orders: tuple[WorkOrder, ...]
    users: tuple[Named, ...]
    departments: tuple[Named, ...]
    time_categories: tuple[Named, ...]
    expense_items: tuple[Named, ...]
    machines: tuple[Named, ...]
    driver_journal_item_types: tuple[Named, ...]
    custom_fields: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict, compare=False)
    work_orders_by_id: dict[str, WorkOrder] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        named = [
            *self.distributors,
            *self.customers,
            *(project for project, _ in self.projects),
            *self.users,
            *self.departments,
            *self.time_categories,
            *self.expense_items,
            *self.machines,
            *self.driver_journal_item_types,
        ]
        self.names.update((entry.id, entry.name) for entry in named)
        self.work_orders_by_id.update((order.id, order) for order in self.work_orders)

    def name_of(self, id_: Any) -> str | None:
        """The display name of a pool id (distributor, customer, project, user, ...)."""
        return self.names.get(id_) if isinstance(id_, str) else None


@dataclass(slots=True, eq=False)
class Row:
    """One stored invoice: the values filters look at, and its document or how to make it.

    A seeded row keeps only these values and a ``seed``; its full document is generated
    from them on demand (so 100,000 records cost little memory). Once written, a row keeps
    its document in ``doc``. ``body`` caches the encoded JSON of the document.
    """

    id: str
    number: Any
    status: Any
    distributor: Any
    customer: Any
    project: Any
    work_order: Any
    work_order_number: Any
    create_date: Any
    invoice_date: Any
    is_invoiceable: Any
    is_self_billing: Any
    exported: Any
    last_modified: Any
    last_modified_ms: int | None
    seed: int | None = None
    doc: dict[str, Any] | None = None
    body: bytes | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Row:
        """A row for a full document (``doc`` is kept, not copied)."""
        get = doc.get
        return cls(
            id=str(get("_id")),
            number=get("supplierInvoiceNumber"),
            status=get("supplierInvoiceStatus"),
            distributor=get("distributor"),
            customer=get("customer"),
            project=get("project"),
            work_order=get("workOrder"),
            work_order_number=get("workOrderNumber"),
            create_date=get("createDate"),
            invoice_date=get("invoiceDate"),
            is_invoiceable=get("isInvoiceable"),
            is_self_billing=get("isSelfBillingInvoice"),
            exported=get("exportedToEconomy"),
            last_modified=get("lastModified"),
            last_modified_ms=parse_timestamp(get("lastModified")),
            doc=doc,
        )


#: Top-level keys whose values a :class:`Row` holds, and the attribute holding each.
ROW_ATTRIBUTES = {
    "_id": "id",
    "supplierInvoiceNumber": "number",
    "supplierInvoiceStatus": "status",
    "distributor": "distributor",
    "customer": "customer",
    "project": "project",
    "workOrder": "work_order",
    "workOrderNumber": "work_order_number",
    "createDate": "create_date",
    "invoiceDate": "invoice_date",
    "isInvoiceable": "is_invoiceable",
    "isSelfBillingInvoice": "is_self_billing",
    "exportedToEconomy": "exported",
    "lastModified": "last_modified",
}


def _oid(rng: random.Random, epoch_ms: int) -> str:
    return new_object_id(epoch_ms // 1000, rng.getrandbits(64))


def _named(rng: random.Random, names: tuple[str, ...]) -> tuple[Named, ...]:
    return tuple(Named(_oid(rng, _START_MS - _DAY_MS * 400), name) for name in names)


def make_pools(rng: random.Random) -> Pools:
    """Build the related-id pools from ``rng`` (call before generating rows)."""
    customers = _named(rng, _CUSTOMER_NAMES)
    projects = tuple(
        (project, customers[i % len(customers)])
        for i, project in enumerate(_named(rng, _PROJECT_NAMES))
    )
    work_orders = tuple(
        WorkOrder(
            id=_oid(rng, _START_MS - _DAY_MS * 200),
            title=_WORK_ORDER_TITLES[i % len(_WORK_ORDER_TITLES)],
            number=4700 + i * 13,
            project=projects[i % len(projects)][0] if i % 3 else None,
        )
        for i in range(24)
    )
    return Pools(
        distributors=_named(rng, _DISTRIBUTOR_NAMES),
        customers=customers,
        projects=projects,
        work_orders=work_orders,
        users=_named(rng, _USER_NAMES),
        departments=_named(rng, _DEPARTMENT_NAMES),
        time_categories=_named(rng, _TIME_CATEGORIES),
        expense_items=_named(rng, _EXPENSE_NAMES),
        machines=_named(rng, _MACHINE_NAMES),
        driver_journal_item_types=_named(rng, _DRIVER_JOURNAL_NAMES),
        custom_fields=tuple(_oid(rng, _START_MS) for _ in range(3)),
    )


def generate_rows(pools: Pools, rng: random.Random, count: int) -> Iterator[Row]:
    """Yield ``count`` seeded rows in creation order (``createDate`` grows with the index)."""
    step = max(_SPAN_MS // max(count, 1), 1)
    for index in range(count):
        yield seeded_row(pools, rng, _START_MS + index * step + rng.randrange(step))


def seeded_row(pools: Pools, rng: random.Random, created: int) -> Row:
    """A row created at ``created`` (ms since the epoch), its values drawn from ``rng``."""
    random_ = rng.random
    work_order = rng.choice(pools.work_orders) if random_() < 0.6 else None
    project, customer = _project_and_customer(pools, rng, work_order)
    invoice_day = created - rng.randrange(20) * _DAY_MS
    if random_() < 0.5:
        invoice_day -= invoice_day % _DAY_MS
    modified = min(created + rng.randrange(400 * _DAY_MS), _END_MS)
    return Row(
        id=_oid(rng, created),
        number=str(rng.randrange(1000, 99_999)),
        status=rng.choice(_STATUS_WEIGHTS),
        distributor=rng.choice(pools.distributors).id,
        customer=customer.id if customer else None,
        project=project.id if project else None,
        work_order=work_order.id if work_order else None,
        work_order_number=work_order.number if work_order else None,
        create_date=format_timestamp(created),
        invoice_date=format_timestamp(invoice_day),
        is_invoiceable=random_() < 0.7,
        is_self_billing=random_() < 0.2,
        exported=random_() < 0.35,
        last_modified=format_timestamp(modified),
        last_modified_ms=modified,
        seed=rng.getrandbits(64),
    )


def _project_and_customer(
    pools: Pools, rng: random.Random, work_order: WorkOrder | None
) -> tuple[Named | None, Named | None]:
    if work_order is not None and work_order.project is not None:
        project: Named | None = work_order.project
    elif rng.random() < 0.4:
        project = rng.choice(pools.projects)[0]
    else:
        project = None
    customer: Named | None
    if project is not None:
        customer = next(c for p, c in pools.projects if p is project)
    else:
        customer = rng.choice(pools.customers) if rng.random() < 0.6 else None
    return project, customer


def expand(pools: Pools, row: Row) -> dict[str, Any]:
    """The full document of a seeded row, generated from its values and its ``seed``."""
    if row.seed is None:
        raise ValueError(f"row {row.id} has no seed to generate its document from")
    rng = random.Random(row.seed)
    choice, random_ = rng.choice, rng.random
    created = parse_timestamp(row.create_date) or _START_MS
    invoice_day = parse_timestamp(row.invoice_date) or created
    self_billing, exported = row.is_self_billing, row.exported
    work_order = pools.work_orders_by_id.get(row.work_order)
    department = choice(pools.departments) if random_() < 0.3 else None
    currency, rate = choice(_CURRENCIES)
    tax, markup = choice(_TAX_PERCENTS), choice((0, 0, 0, 10, 15))
    total = _money(rng, 50, 60_000)
    tax_amount = wire_number(total * tax / 100)
    invoiced = row.status == 10 and random_() < 0.7
    creator = choice(pools.users)
    return {
        "_id": row.id,
        "isInvoiceable": row.is_invoiceable,
        "isInvoiced": invoiced,
        "selfBillingTimeLogIds": [_oid(rng, created) for _ in range(2)] if self_billing else [],
        "selfBillingExpenseIds": [_oid(rng, created) for _ in range(2)] if self_billing else [],
        "invoiceItems": _items(pools, rng, created),
        "documents": [],
        "supplierInvoiceLogEntries": _log_entries(rng, pools, creator, created, row),
        "distributor": row.distributor,
        "distributorName": pools.name_of(row.distributor),
        "supplierInvoiceNumber": row.number,
        "yourReference": choice(("", "", *_USER_NAMES)),
        "ourReference": choice(("", creator.name)),
        "createDate": row.create_date,
        "invoiceDate": row.invoice_date,
        "dueDate": format_timestamp(invoice_day + choice((10, 20, 30)) * _DAY_MS),
        "paymentDate": format_timestamp(created + 25 * _DAY_MS) if invoiced else None,
        "totalAmount": total,
        "totalTaxAmount": tax_amount,
        "totalAmountInclTax": wire_number(total + tax_amount),
        "totalAmountToInvoice": wire_number(total * (100 + markup) / 100),
        "taxPercent": tax,
        "taxType": choice((1, 1, 1, 0)),
        "markupPercent": markup,
        "currencyCode": currency,
        "currencyRate": rate,
        "OCR": "" if random_() < 0.6 else str(rng.randrange(10**7, 10**15)),
        "economySystemStatus": 1 if exported else 0,
        "expensesCreatedFromInvoiceItems": random_() < 0.2,
        "notes": "Självfaktura" if self_billing else choice(_NOTES),
        "isCreditInvoice": random_() < 0.03,
        "creditForInvoiceNumber": "",
        "isBooked": random_() < 0.25,
        "economySystemRef": f"LF-{rng.randrange(100, 9999)}" if exported else "",
        "importedFrom": choice(("", "", "", "", "Fortnox", "Visma")),
        "supplierInvoiceStatus": row.status,
        "workOrder": row.work_order,
        "workOrderTitle": work_order.title if work_order else "",
        "workOrderNumber": row.work_order_number,
        "project": row.project,
        "projectName": pools.name_of(row.project),
        "supplementOrderId": None,
        "supplementOrderNumber": None,
        "customer": row.customer,
        "customerName": pools.name_of(row.customer) or "",
        "department": department.id if department else None,
        "departmentName": department.name if department else "",
        "resultUnit": None,
        "supplementOrder": False,
        "invoice": _oid(rng, created) if invoiced else None,
        "invoiceNumber": str(rng.randrange(9000, 30_000)) if invoiced else "",
        "isSelfBillingInvoice": self_billing,
        "selfBillingInvoiceStatus": 1 if self_billing else 0,
        "exportedToEconomy": exported,
        "selfBillingInvoice": _oid(rng, created) if self_billing else None,
        "selfBillingInvoiceNumber": str(rng.randrange(20_000, 30_000)) if self_billing else "",
        "footerText": _FOOTER_TEXT if random_() < 0.1 else "",
        "footerInfoText": "Text under..." if random_() < 0.1 else "",
        "customFieldValues": _custom_field_values(pools, rng),
        "lastModified": row.last_modified,
        "__v": rng.randrange(4),
    }


def _money(rng: random.Random, low: int, high: int) -> int | float:
    """An amount with 0, 1 or 2 decimals, like ``7681.7`` or ``550``."""
    cents = rng.randrange(low * 100, high * 100)
    if rng.random() < 0.4:
        cents -= cents % 100
    return wire_number(cents / 100, 2)


def _custom_field_values(pools: Pools, rng: random.Random) -> list[dict[str, Any]]:
    if rng.random() < 0.8:
        return []
    value = f"Lägenhet {rng.randrange(1001, 1299)}"
    return [{"customField": pools.custom_fields[0], "value": value}]


def _log_entries(
    rng: random.Random, pools: Pools, creator: Named, created: int, row: Row
) -> list[dict[str, Any]]:
    entries = [log_entry(_oid(rng, created), creator, created + 1, 1)]
    modified = row.last_modified_ms
    if modified is not None and modified > created and rng.random() < 0.5:
        entries.append(log_entry(_oid(rng, modified), rng.choice(pools.users), modified, 2))
    return entries


def log_entry(entry_id: str, user: Named, when_ms: int, log_type: int) -> dict[str, Any]:
    """One ``supplierInvoiceLogEntries`` element."""
    return {
        "_id": entry_id,
        "logType": log_type,
        "description": "",
        "user": user.id,
        "userName": user.name,
        "logDate": format_timestamp(when_ms),
    }


def _items(pools: Pools, rng: random.Random, created: int) -> list[dict[str, Any]]:
    count = rng.choice((0, 1, 1, 1, 2, 2, 3, 5))
    return [_item(pools, rng, created, rng.choice(_ITEM_TYPES), order) for order in range(count)]


def _item(
    pools: Pools, rng: random.Random, created: int, item_type: str, order: int
) -> dict[str, Any]:
    priced = item_type not in ("blank", "text")
    quantity: int | float = rng.choice((1, 1, 2, 4, 8, 1.5, 0.75)) if priced else 0
    price = _money(rng, 10, 2_000) if priced else 0
    cost = wire_number(price * rng.choice((0.6, 0.8, 0.95, 1)), 2)
    total = wire_number(price * quantity)
    tax = wire_number(total * 25 / 100)
    item: dict[str, Any] = {
        "_id": _oid(rng, created),
        "createDate": format_timestamp(created + 3 + order),
        "articleNumber": rng.choice(("", "", f"{rng.randrange(10_000, 99_999)}")),
        "description": "",
        "itemId": repr(rng.random()),
        "itemOrder": 1024 * (order + 1),
        "unitCost": cost,
        "unitPrice": price,
        "numberOfItems": quantity,
        "totalAmount": total,
        "unit": rng.choice(_UNITS) if priced else "",
        "taxPercent": 25,
        "totalAmountInclTax": wire_number(total + tax),
        "totalTaxAmount": tax,
        "totalCost": wire_number(cost * quantity),
        "itemType": item_type,
    }
    _describe_item(pools, rng, item)
    return item


def _describe_item(pools: Pools, rng: random.Random, item: dict[str, Any]) -> None:
    """Set the type's id field, the description and (for time rows) ``categoryName``."""
    item_type = item["itemType"]
    if item_type in ("timeLog", "time"):
        category = rng.choice(pools.time_categories)
        item.update(timeCategory=category.id, categoryName=category.name)
        item["description"] = category.name
        item["unit"] = "tim"
        if rng.random() < 0.5:
            item["pricePerHour"] = item["unitPrice"]
    elif item_type == "expense":
        expense = rng.choice(pools.expense_items)
        item["expenseItem"] = expense.id
        item["description"] = expense.name
        if rng.random() < 0.15:
            item["discountPercent"] = 10
    elif item_type == "machineTimeLog":
        machine = rng.choice(pools.machines)
        item.update(machine=machine.id, description=machine.name)
    elif item_type == "driverJournal":
        kind = rng.choice(pools.driver_journal_item_types)
        item.update(driverJournalItemType=kind.id, description=kind.name, unit="mil")
    elif item_type == "general":
        item["description"] = rng.choice(_GENERAL_TEXTS)
    elif item_type == "text":
        item["description"] = rng.choice(_TEXT_ROWS)
    elif item_type == "onlyamount":
        item["description"] = "Fast pris enligt avtal"
