"""Custom-field definitions (reference: CustomFields.md), listed per entity type.

``entity_type`` defaults to 100 (time logs) on the server; the SDK sends the default
explicitly so the request says what it asks for. ``field_type`` is not documented.
"""

from __future__ import annotations

from typing import Any, Unpack

import attrs

from .._models import LenientIntEnum
from .._options import ListOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec

__all__ = [
    "CustomField",
    "CustomFieldEntityType",
    "CustomFieldFilters",
    "CustomFields",
]


class CustomFieldEntityType(LenientIntEnum):
    """The kinds of record a custom field can belong to (the reference's table)."""

    TIME_LOG = 100
    WORK_ORDER = 200
    TASK = 300
    INVOICE = 400
    PROJECT = 500
    EXPENSE = 600
    MACHINE_TIME_LOG = 700
    DRIVER_JOURNAL = 800
    SALARY_DEVIATION = 900
    USER = 1000
    CUSTOMER = 1100
    ABSENCE = 1200
    WORK_TIME_ABSENCE = 1300
    QUOTE = 1400
    MACHINE = 1500
    OBJECT_ITEM = 1600
    CUSTOMER_SIGNATURE = 1700
    SUPPLEMENT_ORDER = 1800
    CONSTRUCTION_DIARY = 1900
    CHECKLIST = 2000
    PAYMENT_PLAN = 2100


@attrs.define(slots=True, eq=True)
class CustomField:
    """The definition of a custom field: its name, type and choices."""

    id: str
    field_name: str | None = None
    field_type: int | None = None
    include: bool | None = None
    required: bool | None = None
    select_field_data: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class CustomFieldFilters(ListOptions, total=False):
    """``entity_type``: whose custom fields (default ``TIME_LOG``); no sort is documented."""

    entity_type: CustomFieldEntityType | int


class CustomFields(Collection[CustomField]):
    """``st.custom_fields``: the custom-field definitions of one entity type."""

    def list(self, **filters: Unpack[CustomFieldFilters]) -> Paginator[CustomField]:
        """The custom fields of ``entity_type`` (one page: the list is not paged)."""
        return self._ops.list(filters)


CUSTOM_FIELDS = ResourceSpec(
    path="customFields",
    record=CustomField,
    facade=CustomFields,
    list=Listing(
        filters=CustomFieldFilters,
        paged=False,
        defaults={"entity_type": CustomFieldEntityType.TIME_LOG},
    ),
    sort_field=None,
)
