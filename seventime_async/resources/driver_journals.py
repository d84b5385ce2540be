"""Driver journals and driver journal types (reference: DriverJournals.md).

The list filters by names (``project_name``, ``customer_name``), not ids. The input
``vehicle`` comes back as ``car``. A new journal needs ``vehicle`` or
``car_registration_number``; an update needs ``user`` as well as ``modified_by_user``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id, Money, invalid
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection, Lookup, LookupFilters
from .._spec import Listing, ResourceSpec, Write
from .common import Deleted

__all__ = [
    "DriverJournal",
    "DriverJournalCreateFields",
    "DriverJournalDeleteFields",
    "DriverJournalFilters",
    "DriverJournalType",
    "DriverJournalUpdateFields",
    "DriverJournals",
]


@attrs.define(slots=True, eq=True)
class DriverJournal:
    """A trip: odometer readings, distance, price and cost per km."""

    id: str
    name: str | None = None
    user: str | None = None
    user_name: str | None = None
    #: The vehicle's ``_id`` (the input ``vehicle``).
    car: str | None = None
    car_registration_number: str | None = None
    driver_journal_item_type: str | None = None
    driver_journal_item_type_name: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    work_order: str | None = None
    work_order_title: str | None = None
    work_order_number: int | None = None
    start_address: str | None = None
    end_address: str | None = None
    travel_purpose: str | None = None
    description: str | None = None
    timestamp: datetime | None = None
    start_odometer: Decimal | None = None
    end_odometer: Decimal | None = None
    total_distance: Decimal | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    total_amount: Decimal | None = None
    total_cost: Decimal | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    is_salary_compensated: bool | None = None
    invoice: str | None = None
    create_date: datetime | None = None
    modified_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class DriverJournalType:
    """A kind of trip, with its price and cost per km and salary compensation."""

    id: str
    name: str | None = None
    article_number: str | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    is_invoiceable: bool | None = None
    is_default: bool | None = None
    is_active: bool | None = None
    salary_compensation_type: int | None = None
    salary_type: str | None = None
    salary_type_name: str | None = None
    salary_code: str | None = None
    create_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class DriverJournalFilters(ListOptions, Sorting, total=False):
    """The documented filters of the driver-journal list (names, not ids)."""

    project_name: str
    customer_name: str
    driver_journal_item_type_name: str
    is_invoiceable: bool
    work_order_title: str
    work_order_number: int
    car_registration_number: str
    start_address: str
    end_address: str
    from_date: date
    to_date: date


class _DriverJournalFields(WriteOptions, total=False):
    vehicle: Id
    car_registration_number: str
    customer: Id | None
    project: Id | None
    work_order: Id | None
    price: Money
    cost: Money
    description: str | None
    is_invoiceable: bool
    is_salary_compensated: bool


class DriverJournalCreateFields(_DriverJournalFields, total=False):
    """The fields of a new driver journal; ``vehicle`` or ``car_registration_number``
    is required too."""

    created_by_user: Required[Id]
    user: Required[Id]
    driver_journal_item_type: Required[Id]
    start_address: Required[str]
    end_address: Required[str]
    travel_purpose: Required[str]
    start_odometer: Required[Money]
    end_odometer: Required[Money]


class DriverJournalUpdateFields(_DriverJournalFields, total=False):
    """The fields an update may change; ``modified_by_user`` and ``user`` are required."""

    modified_by_user: Required[Id]
    user: Required[Id]
    driver_journal_item_type: Id
    start_address: str
    end_address: str
    travel_purpose: str
    start_odometer: Money
    end_odometer: Money


class DriverJournalDeleteFields(WriteOptions, total=False):
    """``deleted_by_user``: the table lists only ``_id``; the examples send it too."""

    deleted_by_user: Id


def _vehicle_or_registration(wire: Any, operation: str) -> None:
    if "vehicle" not in wire and "carRegistrationNumber" not in wire:
        raise invalid("vehicle", "or car_registration_number is required")


class DriverJournals(Collection[DriverJournal]):
    """``st.driver_journals``: list, get, create, update and delete driver journals."""

    def list(self, **filters: Unpack[DriverJournalFilters]) -> Paginator[DriverJournal]:
        """A paginator over the driver journals that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, driver_journal_id: Id, **options: Unpack[CallOptions]) -> DriverJournal:
        """One driver journal by its ``_id``."""
        return await self._ops.get(driver_journal_id, options, id_name="driver_journal_id")

    async def create(self, **fields: Unpack[DriverJournalCreateFields]) -> DriverJournal:
        """Create a driver journal (``vehicle`` or ``car_registration_number`` needed)."""
        return await self._ops.create(fields)

    async def update(
        self, driver_journal_id: Id, **changes: Unpack[DriverJournalUpdateFields]
    ) -> DriverJournal:
        """Change the given fields (and only those) of a driver journal."""
        return await self._ops.update(driver_journal_id, changes, id_name="driver_journal_id")

    async def delete(
        self, driver_journal_id: Id, **fields: Unpack[DriverJournalDeleteFields]
    ) -> Deleted:
        """Delete a driver journal; returns its ``_id``."""
        result: Deleted = await self._ops.delete(
            driver_journal_id, fields, id_name="driver_journal_id"
        )
        return result


DRIVER_JOURNALS = ResourceSpec(
    path="driverJournals",
    record=DriverJournal,
    facade=DriverJournals,
    list=Listing(filters=DriverJournalFilters),
    get=True,
    create=Write(fields=DriverJournalCreateFields, rules=(_vehicle_or_registration,)),
    update=Write(fields=DriverJournalUpdateFields),
    delete=Write(fields=DriverJournalDeleteFields, result=Deleted),
    output_names={"vehicle": "car"},
)

DRIVER_JOURNAL_TYPES = ResourceSpec(
    path="driverJournalTypes",
    record=DriverJournalType,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
)
