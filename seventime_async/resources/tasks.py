"""Tasks (reference: Tasks.md): list, get, create, update, delete.

The list's date filters take a moment (``'YYYY-MM-DD HH:MM'``, sent in UTC like every
moment the SDK sends); the create's ``start_date``/``due_date`` are days. ``completed``
is an input the examples never echo back. Example ids are not hex: ids stay opaque.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id
from .._models import wire_field
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec, Write
from .common import Deleted

__all__ = [
    "Task",
    "TaskCreateFields",
    "TaskDeleteFields",
    "TaskFilters",
    "TaskUpdateFields",
    "Tasks",
]


@attrs.define(slots=True, eq=True)
class Task:
    """A task on the task board, optionally tied to a project, work order, quote..."""

    id: str
    title: str | None = None
    task_status_ref: str | None = None
    rank: str | None = None
    start_date: datetime | None = None
    due_date: datetime | None = None
    completed: bool | None = None
    user: str | None = None
    customer: str | None = None
    project: str | None = None
    project_name: str | None = None
    work_order: str | None = None
    work_order_title: str | None = None
    work_order_number: int | None = None
    quote: str | None = None
    invoice: str | None = None
    machine: str | None = None
    created_by_user: str | None = None
    create_date: datetime | None = None
    tags: list[Any] = attrs.field(factory=list)
    depends_on: list[Any] = attrs.field(factory=list)
    dependents: list[Any] = attrs.field(factory=list)
    reminders: list[Any] = attrs.field(factory=list)
    todo_items: list[Any] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    notes: list[Any] = attrs.field(factory=list)
    #: The document version the server keeps (``__v``).
    version: int | None = wire_field("__v")
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class TaskFilters(ListOptions, Sorting, total=False):
    """The documented filters of the task list."""

    title: str
    from_start_date: datetime
    to_start_date: datetime
    from_due_date: datetime
    to_due_date: datetime
    user: Id
    project: Id
    customer: Id
    quote: Id
    work_order: Id
    invoice: Id
    machine: Id
    object_item: Id


class _TaskFields(WriteOptions, total=False):
    start_date: date
    due_date: date
    work_order: Id | None
    user: Id | None
    project: Id | None
    customer: Id | None
    quote: Id | None
    invoice: Id | None
    machine: Id | None
    completed: bool


class TaskCreateFields(_TaskFields, total=False):
    """The fields of a new task (``created_by_user`` and ``title`` required)."""

    created_by_user: Required[Id]
    title: Required[str]


class TaskUpdateFields(_TaskFields, total=False):
    """The fields an update may change (``modified_by_user`` required)."""

    modified_by_user: Required[Id]
    title: str


class TaskDeleteFields(WriteOptions, total=False):
    """``deleted_by_user``: the table lists only ``_id``; the examples send it too."""

    deleted_by_user: Id


class Tasks(Collection[Task]):
    """``st.tasks``: list, get, create, update and delete tasks."""

    def list(self, **filters: Unpack[TaskFilters]) -> Paginator[Task]:
        """A paginator over the tasks that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, task_id: Id, **options: Unpack[CallOptions]) -> Task:
        """One task by its ``_id``."""
        return await self._ops.get(task_id, options, id_name="task_id")

    async def create(self, **fields: Unpack[TaskCreateFields]) -> Task:
        """Create a task."""
        return await self._ops.create(fields)

    async def update(self, task_id: Id, **changes: Unpack[TaskUpdateFields]) -> Task:
        """Change the given fields (and only those) of a task."""
        return await self._ops.update(task_id, changes, id_name="task_id")

    async def delete(self, task_id: Id, **fields: Unpack[TaskDeleteFields]) -> Deleted:
        """Delete a task; returns its ``_id``."""
        result: Deleted = await self._ops.delete(task_id, fields, id_name="task_id")
        return result


TASKS = ResourceSpec(
    path="tasks",
    record=Task,
    facade=Tasks,
    list=Listing(filters=TaskFilters),
    get=True,
    create=Write(fields=TaskCreateFields),
    update=Write(fields=TaskUpdateFields),
    delete=Write(fields=TaskDeleteFields, result=Deleted),
)
