"""Quotes, quote templates and quote categories (reference: Quotes.md): read-only.

A quote is a list of elements (``quote_elements``) whose ``content`` depends on the
element type: a text element (1000) holds ``{text, confirmationText}``, a rows element
(1200) holds rows and totals, and a template's elements carry ``content: null``. The
content is kept whole as the server sends it (nothing lost, whatever the type);
:attr:`QuoteElement.text` and :attr:`QuoteElement.rows` give it typed where the
reference says what it is.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Unpack

import attrs

from .._codecs import Id
from .._converter import structure
from .._models import wire_field
from .._options import CallOptions, ListOptions, Sorting
from .._pagination import Paginator
from .._resource import Collection
from .._spec import Listing, ResourceSpec
from .common import Address, BudgetCalculation, Document, HouseProperties, LogEntry, OrderRow

__all__ = [
    "Quote",
    "QuoteCategories",
    "QuoteCategory",
    "QuoteCategoryFilters",
    "QuoteElement",
    "QuoteElementType",
    "QuoteFilters",
    "QuoteRows",
    "QuoteTemplate",
    "QuoteTemplateFilters",
    "QuoteTemplates",
    "QuoteText",
    "Quotes",
]


class QuoteElementType:
    """The element types whose ``content`` the reference shows."""

    TEXT = 1000
    ROWS = 1200


@attrs.define(slots=True, eq=True)
class QuoteText:
    """The content of a text element."""

    text: str | None = None
    confirmation_text: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class QuoteRows:
    """The content of a rows element: its rows, totals and display options."""

    invoice_items: list[OrderRow] = attrs.field(factory=list)
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    tax_percent: Decimal | None = None
    total_cost: Decimal | None = None
    house_deduction_basis_amount: Decimal | None = None
    house_deduction_amount: Decimal | None = None
    selectable_rows: bool | None = None
    show_only_total_price: bool | None = None
    hidden_columns: list[str] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class QuoteElement:
    """One element of a quote or template; ``content`` is kept as the server sent it."""

    id: str | None = None
    item_id: str | None = None
    element_type_id: int | None = None
    top_margin: int | None = None
    bottom_margin: int | None = None
    background_color: str | None = None
    content: Any = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def text(self) -> QuoteText | None:
        """The content of a text element, typed (``None`` for other elements)."""
        if self.element_type_id != QuoteElementType.TEXT or not isinstance(self.content, dict):
            return None
        return structure(self.content, QuoteText)

    @property
    def rows(self) -> QuoteRows | None:
        """The content of a rows element, typed (``None`` for other elements)."""
        if self.element_type_id != QuoteElementType.ROWS or not isinstance(self.content, dict):
            return None
        return structure(self.content, QuoteRows)


@attrs.define(slots=True, eq=True)
class Quote:
    """A quote. ``quote_date``/``valid_to_date`` are days: ``calendar_day(...)``."""

    id: str
    quote_number: str | None = None
    quote_type: int | None = None
    quote_status: int | None = None
    quote_name: str | None = None
    quote_info_name: str | None = None
    quote_category: str | None = None
    quote_category_name: str | None = None
    quote_template: str | None = None
    language: str | None = None
    description: str | None = None
    header_text: str | None = None
    footer_info_text: str | None = None
    footer_text: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    customer_number: str | None = None
    customer_address: str | None = None
    customer_vat: str | None = wire_field("customerVAT")
    contact_person: str | None = None
    contact_person_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    work_order: str | None = None
    work_order_name: str | None = None
    work_order_number: str | None = None
    our_reference: str | None = None
    our_reference_name: str | None = None
    sales_agent: str | None = None
    sales_agent_name: str | None = None
    quote_date: datetime | None = None
    valid_to_date: datetime | None = None
    delivery_date: datetime | None = None
    delivery_date_end: datetime | None = None
    sent_date: datetime | None = None
    accepted_date: datetime | None = None
    rejected_date: datetime | None = None
    confirmation_date: datetime | None = None
    invoiced_date: datetime | None = None
    archived: bool | None = None
    archived_date: datetime | None = None
    invoice: str | None = None
    invoice_number: str | None = None
    price_list: str | None = None
    price_list_name: str | None = None
    marking: str | None = None
    notes: str | None = None
    currency_code: str | None = None
    currency_rate: Decimal | None = None
    discount_in_percent: Decimal | None = None
    tax_percent: Decimal | None = None
    total_amount: Decimal | None = None
    total_tax_amount: Decimal | None = None
    total_amount_incl_tax: Decimal | None = None
    total_cost: Decimal | None = None
    use_quote_value: bool | None = None
    quote_value: Decimal | None = None
    use_quote_cost: bool | None = None
    quote_cost: Decimal | None = None
    house_deduction_basis_amount: Decimal | None = None
    house_deduction_amount: Decimal | None = None
    house_properties: HouseProperties | None = None
    enable_quote_conditions: bool | None = None
    quote_conditions_content: str | None = None
    multiple_taxes_on_rows: bool | None = None
    show_price_incl_taxes_on_rows: bool | None = None
    confirmation_header_text: str | None = None
    confirmation_footer_info_text: str | None = None
    confirmation_title: str | None = None
    public_link: str | None = None
    use_budget_calculation: bool | None = None
    budget_calculation: BudgetCalculation | None = None
    quote_accept_reason: str | None = None
    quote_accept_reason_name: str | None = None
    quote_decline_reason: str | None = None
    quote_decline_reason_name: str | None = None
    open_notification_sent: bool | None = None
    stock_reservation_is_done: bool | None = None
    delivery_address: Address | None = None
    created_by_user: str | None = None
    created_by_user_name: str | None = None
    create_date: datetime | None = None
    quote_elements: list[QuoteElement] = attrs.field(factory=list)
    quote_log_entries: list[LogEntry] = attrs.field(factory=list)
    invoice_items: list[Any] = attrs.field(factory=list)
    documents: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class QuoteTemplate:
    """A quote template: its elements, footer and logo."""

    id: str
    template_name: str | None = None
    quote_type: int | None = None
    language: str | None = None
    column_contents: list[str] = attrs.field(factory=list)
    quote_elements: list[QuoteElement] = attrs.field(factory=list)
    override_footer: bool | None = None
    footer_text: str | None = None
    footer_num_of_cols: int | None = None
    override_logo_and_address: bool | None = None
    logo: list[Document] = attrs.field(factory=list)
    logotype_width: int | None = None
    logo_position: str | None = None
    quote_address: str | None = None
    created_by_user: str | None = None
    created_by_user_name: str | None = None
    create_date: datetime | None = None
    documents: list[Any] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, eq=True)
class QuoteCategory:
    """A category of quotes."""

    id: str
    quote_category_name: str | None = None
    is_active: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


class QuoteFilters(ListOptions, Sorting, total=False):
    """The documented filters of the quote list (date ranges on or after / before)."""

    quote_name: str
    quote_number: int | str
    from_quote_date: date
    to_quote_date: date
    from_valid_to_date: date
    to_valid_to_date: date


class QuoteTemplateFilters(ListOptions, Sorting, total=False):
    """The documented filter of the quote-template list."""

    template_name: str


class QuoteCategoryFilters(ListOptions, Sorting, total=False):
    """The documented filter of the quote-category list."""

    quote_category_name: str


class Quotes(Collection[Quote]):
    """``st.quotes``: list and get quotes."""

    def list(self, **filters: Unpack[QuoteFilters]) -> Paginator[Quote]:
        """A paginator over the quotes that match ``filters`` (no request yet)."""
        return self._ops.list(filters)

    async def get(self, quote_id: Id, **options: Unpack[CallOptions]) -> Quote:
        """One quote by its ``_id``."""
        return await self._ops.get(quote_id, options, id_name="quote_id")


class QuoteTemplates(Collection[QuoteTemplate]):
    """``st.quote_templates``: every quote template (one page)."""

    def list(self, **filters: Unpack[QuoteTemplateFilters]) -> Paginator[QuoteTemplate]:
        """The quote templates that match ``filters`` (the list is not paged)."""
        return self._ops.list(filters)


class QuoteCategories(Collection[QuoteCategory]):
    """``st.quote_categories``: every quote category (one page)."""

    def list(self, **filters: Unpack[QuoteCategoryFilters]) -> Paginator[QuoteCategory]:
        """The quote categories that match ``filters`` (the list is not paged)."""
        return self._ops.list(filters)


QUOTES = ResourceSpec(
    path="quotes",
    record=Quote,
    facade=Quotes,
    list=Listing(filters=QuoteFilters),
    get=True,
)

QUOTE_TEMPLATES = ResourceSpec(
    path="quoteTemplates",
    record=QuoteTemplate,
    facade=QuoteTemplates,
    list=Listing(filters=QuoteTemplateFilters, paged=False),
)

QUOTE_CATEGORIES = ResourceSpec(
    path="quoteCategories",
    record=QuoteCategory,
    facade=QuoteCategories,
    list=Listing(filters=QuoteCategoryFilters, paged=False),
)
