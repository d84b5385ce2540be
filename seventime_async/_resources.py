"""Resource methods: validate and build a request, send it, decode the answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Unpack

from . import _requests as build
from ._decode import RawPage, Response, decode_envelope_page, decode_record
from ._exceptions import InvalidRequestError
from ._models import DeletedSupplierInvoice, SupplierInvoice
from ._pagination import Checkpoint, Paginator, PaginatorStats
from ._requests import (
    MAX_PAGE_SIZE,
    Request,
    SupplierInvoiceCreateFields,
    SupplierInvoiceFilters,
    SupplierInvoiceUpdateFields,
)
from ._transport import Timeouts

if TYPE_CHECKING:
    from ._retry import RetryPolicy

__all__ = ["SupplierInvoices"]

T = TypeVar("T")
Send = Callable[..., Awaitable[Response]]

#: Pages requested at once by a list walk: 4 covers the 4 req/s limit up to ~750 ms of
#: server latency per page (see benchmarks/RESULTS.md); more only costs memory.
DEFAULT_LIST_CONCURRENCY = 4


class SupplierInvoices:
    """``client.supplier_invoices``: list, get, create, update and delete supplier invoices.

    Every method validates its input first and raises :class:`InvalidRequestError`
    before anything is sent. ``timeout`` (a :class:`Timeouts`) and ``retry`` (a
    :class:`RetryPolicy`) override the client's settings for one call.
    """

    def __init__(self, send: Send) -> None:
        self._send = send

    def list(
        self,
        *,
        limit: int = MAX_PAGE_SIZE,
        pages: range | None = None,
        max_items: int | None = None,
        concurrency: int = DEFAULT_LIST_CONCURRENCY,
        speculative: bool = False,
        dedupe: bool = True,
        on_progress: Callable[[PaginatorStats], None] | None = None,
        resume: Checkpoint | None = None,
        timeout: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        **filters: Unpack[SupplierInvoiceFilters],
    ) -> Paginator[SupplierInvoice]:
        """A paginator over the supplier invoices that match ``filters`` (no request yet).

        ``limit`` is the page size (1..500; the largest page makes the fewest requests
        under the rate limit). ``pages=range(a, b)`` walks only pages a..b-1, so workers can
        split an export; ``max_items`` stops after that many records. ``concurrency`` pages
        are requested at once (1 walks strictly one page after the other), as soon as the
        first page's meta is known; ``speculative=True`` requests the first ``concurrency``
        pages at once, before that, which saves a round trip on a long export and wastes
        up to ``concurrency - 1`` requests on a short list. ``dedupe``
        drops a record whose ``_id`` was already yielded (pages shift when invoices are
        added or deleted during a walk). ``resume`` continues from a :class:`Checkpoint`.
        """
        first_page, stop_page = 1, None
        if resume is not None:
            if filters or pages is not None:
                raise InvalidRequestError(
                    "resume carries its own filters and pages; pass neither with it",
                    field="resume",
                )
            params, limit = resume.filters, resume.limit
            first_page, stop_page = resume.next_page, resume.stop_page
        else:
            params = build.validate_filters(filters)
            if pages is not None:
                if not isinstance(pages, range) or pages.step != 1:
                    raise InvalidRequestError("pages must be a range with step 1", field="pages")
                first_page, stop_page = pages.start, pages.stop
        build.validate_page_size(limit)

        async def fetch_page(params: tuple[tuple[str, str], ...], page: int, limit: int) -> RawPage:
            request = build.list_request(params, page=page, limit=limit)
            response = await self._send(request, timeout=timeout, retry=retry)
            return decode_envelope_page(response)

        return Paginator(
            fetch_page,
            SupplierInvoice,
            params,
            limit=limit,
            first_page=first_page,
            stop_page=stop_page,
            max_items=max_items,
            concurrency=concurrency,
            speculative=speculative,
            dedupe=dedupe,
            on_progress=on_progress,
            checkpoint=resume,
        )

    async def get(
        self,
        invoice_id: str,
        *,
        timeout: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> SupplierInvoice:
        """One supplier invoice by its ``_id``."""
        return await self._call(build.get_request(invoice_id), SupplierInvoice, timeout, retry)

    async def create(
        self,
        *,
        supplier_invoice_number: int | str,
        created_by_user: str,
        distributor: str,
        total_amount_incl_tax: build.Money,
        api_version: Literal[1, 2] = 2,
        timeout: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        **fields: Unpack[SupplierInvoiceCreateFields],
    ) -> SupplierInvoice:
        """Create a supplier invoice and return it as the server stored it.

        ``api_version=1`` posts the documented v1 form body instead of v2 JSON. A create
        is retried only where that cannot create a second invoice (see the README).
        """
        body: dict[str, Any] = {
            "supplier_invoice_number": supplier_invoice_number,
            "created_by_user": created_by_user,
            "distributor": distributor,
            "total_amount_incl_tax": total_amount_incl_tax,
            **fields,
        }
        request = build.create_request(body, api_version=api_version)
        return await self._call(request, SupplierInvoice, timeout, retry)

    async def update(
        self,
        invoice_id: str,
        *,
        modified_by_user: str,
        timeout: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        **changes: Unpack[SupplierInvoiceUpdateFields],
    ) -> SupplierInvoice:
        """Change the given fields (and only those) of a supplier invoice.

        Passing ``None`` for an optional reference (``project=None``) clears it.
        """
        request = build.update_request(invoice_id, modified_by_user, dict(changes))
        return await self._call(request, SupplierInvoice, timeout, retry)

    async def delete(
        self,
        invoice_id: str,
        *,
        deleted_by_user: str,
        timeout: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> DeletedSupplierInvoice:
        """Delete a supplier invoice; returns its ``_id`` and number."""
        request = build.delete_request(invoice_id, deleted_by_user)
        return await self._call(request, DeletedSupplierInvoice, timeout, retry)

    async def _call(
        self,
        request: Request,
        record_type: type[T],
        timeout: Timeouts | None,
        retry: RetryPolicy | None,
    ) -> T:
        response = await self._send(request, timeout=timeout, retry=retry)
        return decode_record(response, record_type)
