"""Timers (reference: Timer.md): the active timers, and the two actions that start and
stop one. Stopping answers the time log it created, not a timer. A user has at most one
active timer. Neither action is ever sent twice (like a create, it is not retried once it
may have reached the server).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id, invalid
from .._options import CallOptions, ListOptions, Sorting
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Action, Listing, ResourceSpec
from .common import GeoPoint
from .time_logs import TimeLog

__all__ = [
    "Timer",
    "TimerFilters",
    "TimerStartFields",
    "TimerStopFields",
    "Timers",
]


@attrs.define(slots=True, eq=True)
class Timer:
    """An active timer: who started it, when, for what."""

    id: str
    user: str | None = None
    customer: str | None = None
    project: str | None = None
    work_order: str | None = None
    time_category: str | None = None
    task: str | None = None
    start_timestamp: datetime | None = None
    real_start_timestamp: datetime | None = None
    start_location: GeoPoint | None = None
    machine_time_supplements: list[Any] = attrs.field(factory=list)
    machine_time_prices: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class TimerFilters(ListOptions, Sorting, total=False):
    """The documented filters of the active-timer list."""

    user: Id
    customer: Id
    project: Id
    task: Id
    time_category: Id
    work_order: Id


class TimerStartFields(CallOptions, total=False):
    """``user`` is required; the rest say what the time is for."""

    user: Required[Id]
    customer: Id
    project: Id
    work_order: Id
    time_category: Id
    task: Id


class TimerStopFields(CallOptions, total=False):
    """The timer's ``_id`` (``timer_id``) or its ``user``: one of the two is required."""

    timer_id: Id
    user: Id


def _timer_or_user(wire: Any, action: str) -> None:
    if "_id" not in wire and "user" not in wire:
        raise invalid("timer_id", "or user is required to stop a timer")


class Timers(Collection[Timer]):
    """``st.timers``: the active timers; ``start`` and ``stop`` one."""

    def list(self, **filters: Unpack[TimerFilters]) -> Paginator[Timer]:
        """A paginator over the active timers that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def start(self, **fields: Unpack[TimerStartFields]) -> Timer:
        """Start a timer for ``user``; answers the timer. Sent once, never retried after
        it may have reached the server."""
        timer: Timer = await self._ops.action("start", fields)
        return timer

    async def stop(self, **fields: Unpack[TimerStopFields]) -> TimeLog:
        """Stop a timer (by ``timer_id`` or ``user``); answers the time log it created.
        Sent once, never retried after it may have reached the server."""
        log: TimeLog = await self._ops.action("stop", fields)
        return log


TIMERS = ResourceSpec(
    path="timers",
    record=Timer,
    facade=Timers,
    list=Listing(filters=TimerFilters),
    actions={
        # The HTTP Request line says POST /timers/; the examples POST /startTimer/, which
        # matches the stop action's /stopTimer/: the examples are taken.
        "start": Action(fields=TimerStartFields, path="startTimer", result=Timer, effect="create"),
        "stop": Action(
            fields=TimerStopFields,
            path="stopTimer",
            result=TimeLog,
            rules=(_timer_or_user,),
            effect="remove",
        ),
    },
    wire_names={"timer_id": "_id"},
)
