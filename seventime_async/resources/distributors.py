"""Distributors (suppliers) and their contact persons (reference: Distributors.md).

Contact persons are listed per distributor: the ``distributor`` filter is required.
Neither write takes an acting user. The create's table types ``email`` as Number: it is
an e-mail address, sent as a string.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Required, Unpack

import attrs

from .._codecs import Id
from .._models import wire_field
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec, Write

__all__ = [
    "Distributor",
    "DistributorContactPerson",
    "DistributorContactPersonFilters",
    "DistributorContactPersons",
    "DistributorCreateFields",
    "DistributorFilters",
    "DistributorUpdateFields",
    "Distributors",
    "NewSelfBillingSettings",
    "SelfBillingSettings",
]


@attrs.define(slots=True, eq=True)
class SelfBillingSettings:
    """How self-billing invoices to a distributor are numbered and sent."""

    invoice_deduction: int | None = None
    deduction_expense_item: str | None = None
    invoice_number_series: str | None = None
    invoice_counter: int | None = None
    email_for_self_billing: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class Distributor:
    """A distributor (supplier, or a sub-contractor)."""

    id: str
    name: str | None = None
    distributor_number: str | None = None
    address: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    organization_number: str | None = None
    vat_number: str | None = None
    bankgiro: str | None = None
    plusgiro: str | None = None
    notes: str | None = None
    purchase_order_email: str | None = None
    our_customer_number: str | None = None
    payment_days: int | None = None
    is_active: bool | None = None
    is_sub_contractor: bool | None = None
    has_self_billing: bool | None = None
    self_billing_settings: SelfBillingSettings | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    documents: list[Any] = attrs.field(factory=list)
    #: The document version the server keeps (``__v``).
    version: int | None = wire_field("__v")
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class DistributorContactPerson:
    """A contact person at a distributor."""

    id: str
    name: str | None = None
    title: str | None = None
    work_phone: str | None = None
    cell_phone: str | None = None
    email: str | None = None
    distributor: str | None = None
    distributor_name: str | None = None
    main_contact: bool | None = None
    is_active: bool | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(slots=True, kw_only=True)
class NewSelfBillingSettings:
    """``self_billing_settings`` to send with a distributor's create or update."""

    invoice_deduction: int | None = None
    invoice_number_series: str | None = None
    invoice_counter: int | None = None
    email_for_self_billing: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


class DistributorFilters(ListOptions, Sorting, total=False):
    """The documented filter of the distributor list."""

    name: str


class DistributorContactPersonFilters(ListOptions, Sorting, total=False):
    """``distributor`` (its ``_id``) is required."""

    distributor: Required[Id]


class _DistributorFields(WriteOptions, total=False):
    distributor_number: str
    address: str
    zip_code: str
    city: str
    country: str
    email: str
    organization_number: str
    vat_number: str
    bankgiro: str
    plusgiro: str
    notes: str
    purchase_order_email: str
    our_customer_number: str
    payment_days: int
    is_sub_contractor: bool
    has_self_billing: bool
    self_billing_settings: NewSelfBillingSettings
    is_active: bool


class DistributorCreateFields(_DistributorFields, total=False):
    """The fields of a new distributor (``name`` required)."""

    name: Required[str]


class DistributorUpdateFields(_DistributorFields, total=False):
    """The fields an update may change (no acting user is documented)."""

    name: str


class Distributors(Collection[Distributor]):
    """``st.distributors``: list, get, create and update distributors."""

    def list(self, **filters: Unpack[DistributorFilters]) -> Paginator[Distributor]:
        """A paginator over the distributors that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, distributor_id: Id, **options: Unpack[CallOptions]) -> Distributor:
        """One distributor by its ``_id``."""
        return await self._ops.get(distributor_id, options, id_name="distributor_id")

    async def create(self, **fields: Unpack[DistributorCreateFields]) -> Distributor:
        """Create a distributor."""
        return await self._ops.create(fields)

    async def update(
        self, distributor_id: Id, **changes: Unpack[DistributorUpdateFields]
    ) -> Distributor:
        """Change the given fields (and only those) of a distributor."""
        return await self._ops.update(distributor_id, changes, id_name="distributor_id")


class DistributorContactPersons(Collection[DistributorContactPerson]):
    """``st.distributor_contact_persons``: the contact persons of one distributor."""

    def list(
        self, **filters: Unpack[DistributorContactPersonFilters]
    ) -> Paginator[DistributorContactPerson]:
        """Every contact person of ``distributor`` (one page: the list is not paged)."""
        return self._ops.list(filters)


DISTRIBUTORS = ResourceSpec(
    path="distributors",
    record=Distributor,
    facade=Distributors,
    list=Listing(filters=DistributorFilters),
    get=True,
    create=Write(fields=DistributorCreateFields),
    update=Write(fields=DistributorUpdateFields),
    sort_field="createdDate",
)

DISTRIBUTOR_CONTACT_PERSONS = ResourceSpec(
    path="distributorContactPersons",
    record=DistributorContactPerson,
    facade=DistributorContactPersons,
    list=Listing(filters=DistributorContactPersonFilters, paged=False),
    sort_field="createdDate",
)
