"""seventime_async: an asyncio-first SDK for the Seven Time API.

Start with :class:`SevenTime`; everything public is importable from this package.
"""

from ._client import DEFAULT_BASE_URL, ClientStats, SevenTime
from ._converter import dumps_json, to_wire
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ErrorResponse,
    EventLoopError,
    InvalidRequestError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    ResponseTooLargeError,
    ServerError,
    SevenTimeError,
    UnexpectedResponseError,
)
from ._models import Page, PageMeta, calendar_day
from ._options import SortDirection
from ._pagination import Checkpoint, Paginator, PaginatorStats
from ._ratelimit import RateLimiter
from ._resource import RawResponse
from ._retry import RetryPolicy
from ._transport import Timeouts, Transport, TransportFailure
from .resources.supplier_invoices import (
    DeletedSupplierInvoice,
    InvoiceItem,
    ItemType,
    NewInvoiceItem,
    SupplierInvoice,
    SupplierInvoiceCreateFields,
    SupplierInvoiceFilters,
    SupplierInvoiceLogEntry,
    SupplierInvoices,
    SupplierInvoiceStatus,
    SupplierInvoiceUpdateFields,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Checkpoint",
    "ClientClosedError",
    "ClientStats",
    "DeletedSupplierInvoice",
    "ErrorResponse",
    "EventLoopError",
    "InvalidRequestError",
    "InvoiceItem",
    "ItemType",
    "NewInvoiceItem",
    "NotFoundError",
    "Page",
    "PageMeta",
    "PaginationError",
    "Paginator",
    "PaginatorStats",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimiter",
    "RawResponse",
    "RedirectError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "SevenTime",
    "SevenTimeError",
    "SortDirection",
    "SupplierInvoice",
    "SupplierInvoiceCreateFields",
    "SupplierInvoiceFilters",
    "SupplierInvoiceLogEntry",
    "SupplierInvoiceStatus",
    "SupplierInvoiceUpdateFields",
    "SupplierInvoices",
    "Timeouts",
    "Transport",
    "TransportFailure",
    "UnexpectedResponseError",
    "__version__",
    "calendar_day",
    "dumps_json",
    "to_wire",
]
