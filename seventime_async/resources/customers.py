"""Customers (reference: Customers.md): list, get, create, update.

The delete is commented out in the reference and not offered. ``billing_settings`` is an
object on input and output (with ROT/RUT deduction shares); ``delivery_address`` is an
input the examples never echo, kept on the record when the server sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Required, Unpack

import attrs

from .._codecs import Id, Number, OneOf
from .._models import LenientIntEnum, wire_field
from .._options import CallOptions, ListOptions, Sorting, WriteOptions
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec, Write
from .common import Address, DeductionItem, NewAddress

__all__ = [
    "BillingSettings",
    "Customer",
    "CustomerCreateFields",
    "CustomerFilters",
    "CustomerType",
    "CustomerUpdateFields",
    "Customers",
    "NewBillingSettings",
    "NewDeductionItem",
]


class CustomerType(LenientIntEnum):
    """``type_of_customer``: a company or a private person."""

    COMPANY = 10
    PRIVATE = 20


@attrs.define(slots=True, eq=True)
class BillingSettings:
    """How a customer is invoiced: address, e-mail, delivery, ROT/RUT, price list."""

    use_separate_billing_address: bool | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    use_separate_billing_email: bool | None = None
    invoice_email: str | None = None
    invoice_delivery_type: int | None = None
    default_email_subject: str | None = None
    is_construction_company: bool | None = None
    is_rot_customer: bool | None = wire_field("isROTCustomer")
    is_rut_customer: bool | None = wire_field("isRUTCustomer")
    type_of_property: int | None = None
    property_description: str | None = None
    housing_society_number: str | None = None
    apartment_number: str | None = None
    personal_number: str | None = None
    deduction_distribution: list[DeductionItem] = attrs.field(factory=list)
    expense_discount: Decimal | None = None
    expense_custom_profit_margin: Decimal | None = None
    markup_percent_supplier_invoice: Decimal | None = None
    price_list: str | None = None
    price_list_name: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class Customer:
    """A customer (company or private person)."""

    id: str
    name: str | None = None
    customer_number: str | None = None
    type_of_customer: CustomerType | None = None
    organization_number: str | None = None
    vat_number: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    delivery_address: Address | None = None
    billing_settings: BillingSettings | None = None
    billing_method: str | None = None
    price_per_hour: Decimal | None = None
    payment_days: int | None = None
    notes: str | None = None
    is_active: bool | None = None
    created_date: datetime | None = None
    modified_date: datetime | None = None
    last_modified: datetime | None = None
    documents: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(slots=True, kw_only=True)
class NewDeductionItem:
    """A person's share of a house-work deduction (all three required)."""

    user_name: str
    personal_number: str
    distribution_percent: Annotated[Decimal | int | str, Number(minimum=1)]
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(slots=True, kw_only=True)
class NewBillingSettings:
    """``billing_settings`` to send with a customer's create or update."""

    use_separate_billing_address: bool | None = None
    address: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    use_separate_billing_email: bool | None = None
    invoice_email: str | None = None
    #: 0 (or empty) e-mail, 10 postal letter, 20 Svefaktura.
    invoice_delivery_type: Annotated[int, OneOf((0, 10, 20))] | None = None
    default_email_subject: str | None = None
    is_construction_company: bool | None = None
    is_rot_customer: bool | None = None
    is_rut_customer: bool | None = None
    #: 1 a detached property, 2 a condominium.
    type_of_property: Annotated[int, OneOf((1, 2))] | None = None
    property_description: str | None = None
    housing_society_number: str | None = None
    apartment_number: str | None = None
    deduction_distribution: Sequence[NewDeductionItem] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    @staticmethod
    def check_wire(wire: dict[str, Any], field: str) -> None:
        """The ROT/RUT keys break the camelCase rule: send them as the API names them."""
        for name, key in (("isRotCustomer", "isROTCustomer"), ("isRutCustomer", "isRUTCustomer")):
            if name in wire:
                wire[key] = wire.pop(name)


class CustomerFilters(ListOptions, Sorting, total=False):
    """The documented filters of the customer list."""

    name: str
    customer_number: str
    organization_number: str
    city: str
    last_modified: datetime | date


class _CustomerFields(WriteOptions, total=False):
    customer_number: str
    type_of_customer: CustomerType | int
    address: str
    address2: str
    zip_code: str
    city: str
    country: str
    phone: str
    email: str
    organization_number: str
    vat_number: str
    payment_days: int
    delivery_address: NewAddress
    billing_settings: NewBillingSettings


class CustomerCreateFields(_CustomerFields, total=False):
    """The fields of a new customer (``created_by_user`` and ``name`` required)."""

    created_by_user: Required[Id]
    name: Required[str]


class CustomerUpdateFields(_CustomerFields, total=False):
    """The fields an update may change (``modified_by_user`` required)."""

    modified_by_user: Required[Id]
    name: str


class Customers(Collection[Customer]):
    """``st.customers``: list, get, create and update customers (no delete)."""

    def list(self, **filters: Unpack[CustomerFilters]) -> Paginator[Customer]:
        """A paginator over the customers that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, customer_id: Id, **options: Unpack[CallOptions]) -> Customer:
        """One customer by its ``_id``."""
        return await self._ops.get(customer_id, options, id_name="customer_id")

    async def create(self, **fields: Unpack[CustomerCreateFields]) -> Customer:
        """Create a customer."""
        return await self._ops.create(fields)

    async def update(self, customer_id: Id, **changes: Unpack[CustomerUpdateFields]) -> Customer:
        """Change the given fields (and only those) of a customer."""
        return await self._ops.update(customer_id, changes, id_name="customer_id")


CUSTOMERS = ResourceSpec(
    path="customers",
    record=Customer,
    facade=Customers,
    list=Listing(filters=CustomerFilters),
    get=True,
    create=Write(fields=CustomerCreateFields),
    update=Write(fields=CustomerUpdateFields),
    sort_field="createdDate",
)
