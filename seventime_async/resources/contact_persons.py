"""Contact persons of customers (reference: ContactPersons.md).

The list's filter is ``customer_id`` (``customerId``); the record and the create call it
``customer``. Neither write takes an acting user.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec, Write

__all__ = [
    "ContactPerson",
    "ContactPersonCreateFields",
    "ContactPersonFilters",
    "ContactPersonUpdateFields",
    "ContactPersons",
]


@attrs.define(slots=True, eq=True)
class ContactPerson:
    """A contact person at a customer."""

    id: str
    name: str | None = None
    title: str | None = None
    work_phone: str | None = None
    cell_phone: str | None = None
    email: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    main_contact: bool | None = None
    is_active: bool | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class ContactPersonFilters(ListOptions, Sorting, total=False):
    """``customer_id``: whose contact persons (all when left out); ``name``."""

    customer_id: Id
    name: str


class _ContactPersonFields(WriteOptions, total=False):
    title: str
    work_phone: str
    cell_phone: str
    email: str
    is_active: bool
    main_contact: bool


class ContactPersonCreateFields(_ContactPersonFields, total=False):
    """The fields of a new contact person (``customer`` and ``name`` required)."""

    customer: Required[Id]
    name: Required[str]


class ContactPersonUpdateFields(_ContactPersonFields, total=False):
    """The fields an update may change (no acting user is documented)."""

    customer: Id
    name: str


class ContactPersons(Collection[ContactPerson]):
    """``st.contact_persons``: list, get, create and update contact persons."""

    def list(self, **filters: Unpack[ContactPersonFilters]) -> Paginator[ContactPerson]:
        """A paginator over the contact persons that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, contact_person_id: Id, **options: Unpack[CallOptions]) -> ContactPerson:
        """One contact person by its ``_id``."""
        return await self._ops.get(contact_person_id, options, id_name="contact_person_id")

    async def create(self, **fields: Unpack[ContactPersonCreateFields]) -> ContactPerson:
        """Create a contact person."""
        return await self._ops.create(fields)

    async def update(
        self, contact_person_id: Id, **changes: Unpack[ContactPersonUpdateFields]
    ) -> ContactPerson:
        """Change the given fields (and only those) of a contact person."""
        return await self._ops.update(contact_person_id, changes, id_name="contact_person_id")


CONTACT_PERSONS = ResourceSpec(
    path="contactPersons",
    record=ContactPerson,
    facade=ContactPersons,
    list=Listing(filters=ContactPersonFilters),
    get=True,
    create=Write(fields=ContactPersonCreateFields),
    update=Write(fields=ContactPersonUpdateFields),
    sort_field="createdDate",
)
