"""Departments (reference: Departments.md): a paged lookup with get."""

from __future__ import annotations

from typing import Any

import attrs

from .._resource import Lookup, LookupFilters
from .._spec import Listing, ResourceSpec

__all__ = [
    "Department",
]


@attrs.define(slots=True, eq=True)
class Department:
    """A department of the company."""

    id: str
    name: str | None = None
    department_number: str | None = None
    is_active: bool | None = None
    manager_ids: list[str] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


DEPARTMENTS = ResourceSpec(
    path="departments",
    record=Department,
    list=Listing(filters=LookupFilters),
    get=True,
    facade=Lookup,
)
