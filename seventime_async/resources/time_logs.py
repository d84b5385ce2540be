"""Time logs and time categories (reference: TimeLogs.md).

The list also returns absences (``is_absence``). Inputs ``timestamp``/``endTimestamp``
are moments (the reference writes them as naive local strings; the SDK sends UTC, like
every moment it sends). ``time`` is typed String in the reference but is hours: it is
sent as an exact number.
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
from .common import Deleted, GeoPoint

__all__ = [
    "TimeCategory",
    "TimeLog",
    "TimeLogCreateFields",
    "TimeLogFilters",
    "TimeLogUpdateFields",
    "TimeLogs",
    "UnsocialHoursCost",
]


@attrs.define(slots=True, eq=True)
class UnsocialHoursCost:
    """One row of ``unSocialHoursCosts``: unsocial-hours pay on a time log."""

    id: str | None = None
    salary_type: str | None = None
    salary_type_name: str | None = None
    cost_per_hour: Decimal | None = None
    time: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class TimeLog:
    """A time log (or an absence). Hours (``time``) and money are ``Decimal``."""

    id: str
    user: str | None = None
    user_name: str | None = None
    timestamp: datetime | None = None
    end_timestamp: datetime | None = None
    real_timestamp: datetime | None = None
    real_end_timestamp: datetime | None = None
    time: Decimal | None = None
    invoiceable_time: Decimal | None = None
    all_day: bool | None = None
    status: int | None = None
    customer: str | None = None
    project: str | None = None
    time_category: str | None = None
    work_order: str | None = None
    description: str | None = None
    internal_description: str | None = None
    cost: Decimal | None = None
    price: Decimal | None = None
    price_per_hour: Decimal | None = None
    is_work_time: bool | None = None
    is_absence: bool | None = None
    is_invoiceable: bool | None = None
    is_invoiced: bool | None = None
    supplement_order: bool | None = None
    create_date: datetime | None = None
    last_modified: datetime | None = None
    start_location: GeoPoint | None = None
    stop_location: GeoPoint | None = None
    un_social_hours_costs: list[UnsocialHoursCost] = attrs.field(factory=list)
    machine_time_prices: list[Any] = attrs.field(factory=list)
    machine_time_supplements: list[Any] = attrs.field(factory=list)
    custom_fields: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class TimeCategory:
    """A time category (a kind of work or absence), with its price per hour."""

    id: str
    name: str | None = None
    description: str | None = None
    article_number: str | None = None
    color: str | None = None
    price_per_hour: Decimal | None = None
    presence_code: str | None = None
    is_absence_type: bool | None = None
    is_unsocial_hour: bool | None = None
    is_invoiceable: bool | None = None
    is_work_time: bool | None = None
    is_active: bool | None = None
    is_vacation: bool | None = None
    is_machine_time: bool | None = None
    require_pre_attest: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class TimeLogFilters(ListOptions, Sorting, total=False):
    """The documented filters of the time-log list."""

    user: Id
    customer: Id
    project: Id
    task: Id
    category: Id
    work_order: Id
    work_order_number: int
    timestamp: datetime
    end_timestamp: datetime
    invoiced_date: datetime
    is_absence: bool
    last_modified: datetime | date


class _TimeLogFields(WriteOptions, total=False):
    end_timestamp: datetime
    time: Money
    invoiceable_time: Money
    customer: Id | None
    project: Id | None
    time_category: Id | None
    work_order: Id | None
    price_per_hour: Money
    description: str | None
    internal_description: str | None
    supplement_order: bool
    is_invoiceable: bool
    is_absence: bool


class TimeLogCreateFields(_TimeLogFields, total=False):
    """The fields of a new time log: ``end_timestamp`` or ``time`` is required too."""

    created_by_user: Required[Id]
    user: Required[Id]
    timestamp: Required[datetime]


class TimeLogUpdateFields(_TimeLogFields, total=False):
    """The fields an update may change; ``modified_by_user`` and ``user`` are required."""

    modified_by_user: Required[Id]
    user: Required[Id]
    timestamp: datetime


class TimeLogDeleteFields(WriteOptions, total=False):
    """``deleted_by_user``: the table lists only ``_id``; the examples send it too."""

    deleted_by_user: Id


def _end_or_time(wire: Any, operation: str) -> None:
    if "endTimestamp" not in wire and "time" not in wire:
        raise invalid("end_timestamp", "or time is required to create a time log")


class TimeLogs(Collection[TimeLog]):
    """``st.time_logs``: list, get, create, update and delete time logs (and absences)."""

    def list(self, **filters: Unpack[TimeLogFilters]) -> Paginator[TimeLog]:
        """A paginator over the time logs that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, time_log_id: str, **options: Unpack[CallOptions]) -> TimeLog:
        """One time log by its ``_id``."""
        return await self._ops.get(time_log_id, options)

    async def create(self, **fields: Unpack[TimeLogCreateFields]) -> TimeLog:
        """Create a time log; ``end_timestamp`` or ``time`` (hours) is required."""
        return await self._ops.create(fields)

    async def update(self, time_log_id: str, **changes: Unpack[TimeLogUpdateFields]) -> TimeLog:
        """Change the given fields (and only those) of a time log."""
        return await self._ops.update(time_log_id, changes)

    async def delete(self, time_log_id: str, **fields: Unpack[TimeLogDeleteFields]) -> Deleted:
        """Delete a time log; returns its ``_id``."""
        result: Deleted = await self._ops.delete(time_log_id, fields)
        return result


TIME_LOGS = ResourceSpec(
    path="timeLogs",
    record=TimeLog,
    facade=TimeLogs,
    list=Listing(filters=TimeLogFilters),
    get=True,
    create=Write(fields=TimeLogCreateFields, rules=(_end_or_time,)),
    update=Write(fields=TimeLogUpdateFields),
    delete=Write(fields=TimeLogDeleteFields, result=Deleted),
)

TIME_CATEGORIES = ResourceSpec(
    path="timeCategories",
    record=TimeCategory,
    facade=Lookup,
    list=Listing(filters=LookupFilters, paged=False),
    get=True,
)
