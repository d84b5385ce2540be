"""Work schedules (reference: WorkSchedules.md): nested weeks, days and breaks.

``work_schedule_days[0]`` is Monday and ``[6]`` Sunday. The list takes no documented
filter and is not paged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Unpack

import attrs

from .._codecs import Id
from .._options import CallOptions, ListOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec

__all__ = [
    "WorkSchedule",
    "WorkScheduleBreak",
    "WorkScheduleDay",
    "WorkScheduleFilters",
    "WorkScheduleWeek",
    "WorkSchedules",
]


@attrs.define(slots=True, eq=True)
class WorkScheduleBreak:
    """A break within a working day, in hours of the day."""

    break_start_hour: Decimal | None = None
    break_end_hour: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class WorkScheduleDay:
    """One day of a schedule week: its hours and breaks."""

    start_hour: Decimal | None = None
    end_hour: Decimal | None = None
    number_of_work_hours: Decimal | None = None
    breaks: list[WorkScheduleBreak] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class WorkScheduleWeek:
    """One week of a schedule: seven days, Monday first."""

    work_schedule_days: list[WorkScheduleDay] = attrs.field(factory=list)
    number_of_work_hours: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class WorkSchedule:
    """A work schedule: one or more weeks that repeat."""

    id: str
    name: str | None = None
    description: str | None = None
    is_active: bool | None = None
    work_schedule_weeks: list[WorkScheduleWeek] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class WorkScheduleFilters(ListOptions, total=False):
    """The list documents no filter (and no sort)."""


class WorkSchedules(Collection[WorkSchedule]):
    """``st.work_schedules``: list and get work schedules."""

    def list(self, **options: Unpack[WorkScheduleFilters]) -> Paginator[WorkSchedule]:
        """Every work schedule (one page: the list is not paged)."""
        return self._ops.list(options)

    async def get(self, work_schedule_id: Id, **options: Unpack[CallOptions]) -> WorkSchedule:
        """One work schedule by its ``_id``."""
        return await self._ops.get(work_schedule_id, options, id_name="work_schedule_id")


WORK_SCHEDULES = ResourceSpec(
    path="workSchedules",
    record=WorkSchedule,
    facade=WorkSchedules,
    list=Listing(filters=WorkScheduleFilters, paged=False),
    get=True,
    sort_field=None,
)
