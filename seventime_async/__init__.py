"""seventime_async: an asyncio-first SDK for the Seven Time API.

Start with :class:`SevenTime`; everything public is importable from this package.
"""

from . import resources
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
from ._incremental import ChangeFeed, ChangeStats
from ._models import Page, PageMeta, calendar_day
from ._options import SortDirection
from ._pagination import Checkpoint, Paginator, PaginatorStats
from ._ratelimit import IdleOnly, KeyLimiter, Limiter, RateLimiter
from ._redis_limiter import RedisRateLimiter, SharedSchedule
from ._resource import RawResponse
from ._retry import RetryPolicy
from ._shards import Shard
from ._sync_state import FileSyncState, RedisSyncState, SyncState, Watermark
from ._transport import Timeouts, Transport, TransportFailure
from .resources.common import *  # noqa: F403
from .resources.contact_persons import *  # noqa: F403
from .resources.custom_fields import *  # noqa: F403
from .resources.customers import *  # noqa: F403
from .resources.departments import *  # noqa: F403
from .resources.distributors import *  # noqa: F403
from .resources.documents import *  # noqa: F403
from .resources.driver_journals import *  # noqa: F403
from .resources.expenses import *  # noqa: F403
from .resources.invoices import *  # noqa: F403
from .resources.machine_time_logs import *  # noqa: F403
from .resources.machines import *  # noqa: F403
from .resources.price_lists import *  # noqa: F403
from .resources.projects import *  # noqa: F403
from .resources.purchase_orders import *  # noqa: F403
from .resources.quotes import *  # noqa: F403
from .resources.result_units import *  # noqa: F403
from .resources.supplement_orders import *  # noqa: F403
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
from .resources.tasks import *  # noqa: F403
from .resources.time_logs import *  # noqa: F403
from .resources.timers import *  # noqa: F403
from .resources.users import *  # noqa: F403
from .resources.vehicles import *  # noqa: F403
from .resources.work_orders import *  # noqa: F403
from .resources.work_schedules import *  # noqa: F403

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChangeFeed",
    "ChangeStats",
    "Checkpoint",
    "ClientClosedError",
    "ClientStats",
    "DeletedSupplierInvoice",
    "ErrorResponse",
    "EventLoopError",
    "FileSyncState",
    "IdleOnly",
    "InvalidRequestError",
    "InvoiceItem",
    "ItemType",
    "KeyLimiter",
    "Limiter",
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
    "RedisRateLimiter",
    "RedisSyncState",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "SevenTime",
    "SevenTimeError",
    "Shard",
    "SharedSchedule",
    "SortDirection",
    "SupplierInvoice",
    "SupplierInvoiceCreateFields",
    "SupplierInvoiceFilters",
    "SupplierInvoiceLogEntry",
    "SupplierInvoiceStatus",
    "SupplierInvoiceUpdateFields",
    "SupplierInvoices",
    "SyncState",
    "Timeouts",
    "Transport",
    "TransportFailure",
    "UnexpectedResponseError",
    "Watermark",
    "__version__",
    "calendar_day",
    "dumps_json",
    "to_wire",
]
# Every collection's records, enums, facades and TypedDicts, flat.
__all__ += resources.common.__all__
__all__ += resources.contact_persons.__all__
__all__ += resources.custom_fields.__all__
__all__ += resources.customers.__all__
__all__ += resources.departments.__all__
__all__ += resources.documents.__all__
__all__ += resources.distributors.__all__
__all__ += resources.driver_journals.__all__
__all__ += resources.expenses.__all__
__all__ += resources.invoices.__all__
__all__ += resources.machine_time_logs.__all__
__all__ += resources.machines.__all__
__all__ += resources.projects.__all__
__all__ += resources.purchase_orders.__all__
__all__ += resources.price_lists.__all__
__all__ += resources.quotes.__all__
__all__ += resources.result_units.__all__
__all__ += resources.users.__all__
__all__ += resources.supplement_orders.__all__
__all__ += resources.tasks.__all__
__all__ += resources.time_logs.__all__
__all__ += resources.timers.__all__
__all__ += resources.vehicles.__all__
__all__ += resources.work_orders.__all__
__all__ += resources.work_schedules.__all__
