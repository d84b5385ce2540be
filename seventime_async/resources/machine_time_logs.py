"""Machine time logs (reference: MachineTimeLogs.md): a paged, read-only list with get."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Unpack

import attrs

from .._codecs import Id
from .._options import CallOptions, ListOptions, Sorting
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec

__all__ = [
    "MachineTimeLog",
    "MachineTimeLogFilters",
    "MachineTimeLogs",
]


@attrs.define(slots=True, eq=True)
class MachineTimeLog:
    """Hours a machine was used (``time``), by whom, for which customer and project."""

    id: str
    machine: str | None = None
    machine_name: str | None = None
    user: str | None = None
    user_name: str | None = None
    department: str | None = None
    department_name: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    work_order: str | None = None
    work_order_title: str | None = None
    work_order_number: int | None = None
    timestamp: datetime | None = None
    time: Decimal | None = None
    invoiceable_time: Decimal | None = None
    description: str | None = None
    internal_description: str | None = None
    price_per_hour: Decimal | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    status: int | None = None
    is_invoiced: bool | None = None
    is_invoiceable: bool | None = None
    attested_by: str | None = None
    invoice: str | None = None
    create_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class MachineTimeLogFilters(ListOptions, Sorting, total=False):
    """``from_date``/``to_date``: logs registered on or after / on or before the day."""

    from_date: date
    to_date: date


class MachineTimeLogs(Collection[MachineTimeLog]):
    """``st.machine_time_logs``: list and get machine time logs."""

    def list(self, **filters: Unpack[MachineTimeLogFilters]) -> Paginator[MachineTimeLog]:
        """A paginator over the machine time logs in the date range (no request yet)."""
        return self._ops.list(filters)

    async def get(self, machine_time_log_id: Id, **options: Unpack[CallOptions]) -> MachineTimeLog:
        """One machine time log by its ``_id``."""
        return await self._ops.get(machine_time_log_id, options, id_name="machine_time_log_id")


MACHINE_TIME_LOGS = ResourceSpec(
    path="machineTimeLogs",
    record=MachineTimeLog,
    facade=MachineTimeLogs,
    list=Listing(filters=MachineTimeLogFilters),
    # The HTTP Request line says /machineTimeLog/<_id> and its examples even call
    # /machines/<_id>; the plural of the list, as every other collection, is taken.
    get=True,
)
