"""Machines and machine types (reference: Machines.md): read-only.

The list's ``name`` filter matches the record's ``machine_name``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Unpack

import attrs

from .._codecs import Id
from .._models import wire_field
from .._options import CallOptions, ListOptions, Sorting
from .._pagination import Paginator
from .._resource import Collection, Lookup, LookupFilters
from .._spec import Listing, ResourceSpec

__all__ = [
    "Machine",
    "MachineFilters",
    "MachineType",
    "Machines",
    "TrackunitData",
]


@attrs.define(slots=True, eq=True)
class TrackunitData:
    """The machine's link to a Trackunit telematics unit (its key is ``id``, not ``_id``)."""

    id: str | None = wire_field("id")
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class Machine:
    """A machine: its meters (hours, mileage), service intervals and prices."""

    id: str
    machine_name: str | None = None
    machine_number: str | None = None
    machine_model: str | None = None
    serial_number: str | None = None
    article_number: str | None = None
    machine_type: str | None = None
    machine_type_name: str | None = None
    machine_group: str | None = None
    hours_used: Decimal | None = None
    last_hours_used_reg_date: datetime | None = None
    mileage: Decimal | None = None
    last_mileage_reg_date: datetime | None = None
    is_active: bool | None = None
    hours_can_be_registered: bool | None = None
    can_be_planned: bool | None = None
    is_invoiceable: bool | None = None
    serviceable: bool | None = None
    service_interval_in_km: Decimal | None = None
    service_interval_in_hours: Decimal | None = None
    service_interval_in_months: int | None = None
    mileage_last_service: Decimal | None = None
    hours_last_service: Decimal | None = None
    last_service_date: datetime | None = None
    purchase_date: datetime | None = None
    unit_price: Decimal | None = None
    unit_cost: Decimal | None = None
    distributor: str | None = None
    distributor_name: str | None = None
    trackunit_data: TrackunitData | None = None
    created_by_user: str | None = None
    created_by_user_name: str | None = None
    create_date: datetime | None = None
    modified_date: datetime | None = None
    machine_log: list[Any] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    custom_fields: list[Any] = attrs.field(factory=list)
    debit_manual_registration_prices: list[Any] = attrs.field(factory=list)
    debit_minimi_prices: list[Any] = attrs.field(factory=list)
    debit_schedule_prices: list[Any] = attrs.field(factory=list)
    is_supplement_for_machines: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class MachineType:
    """A kind of machine."""

    id: str
    name: str | None = None
    is_active: bool | None = None
    create_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class MachineFilters(ListOptions, Sorting, total=False):
    """The documented filters of the machine list."""

    name: str
    machine_number: str
    machine_type_name: str
    machine_model: str
    serial_number: str
    serviceable: bool


class Machines(Collection[Machine]):
    """``st.machines``: list and get machines."""

    def list(self, **filters: Unpack[MachineFilters]) -> Paginator[Machine]:
        """A paginator over the machines that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, machine_id: Id, **options: Unpack[CallOptions]) -> Machine:
        """One machine by its ``_id``."""
        return await self._ops.get(machine_id, options, id_name="machine_id")


MACHINES = ResourceSpec(
    path="machines",
    record=Machine,
    facade=Machines,
    list=Listing(filters=MachineFilters),
    # The HTTP Request line says /machine/<_id>; the examples call /machines/<_id>.
    get=True,
)

MACHINE_TYPES = ResourceSpec(
    path="machineTypes",
    record=MachineType,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
)
