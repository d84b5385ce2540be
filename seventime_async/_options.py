"""The keyword options every resource method takes besides its filters or fields.

The filter and field TypedDicts of the resources inherit these, so one ``**kwargs``
carries both and the type checker knows every name; the generic operations split them
apart by :data:`OPTION_KEYS`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypedDict

from ._codecs import SORT_FIELD
from ._pagination import Checkpoint, PaginatorStats
from ._retry import RetryPolicy
from ._spec import OPTION_KEYS
from ._transport import Timeouts

__all__ = ["CallOptions", "ListOptions", "SortDirection", "Sorting", "WriteOptions"]


class SortDirection(enum.StrEnum):
    """Sort order for ``sort_by``."""

    ASCENDING = "ascending"
    DESCENDING = "descending"


class CallOptions(TypedDict, total=False):
    """Options of one call: ``timeout`` and ``retry`` override the client's settings."""

    timeout: Timeouts | float
    retry: RetryPolicy


class ListOptions(CallOptions, total=False):
    """Options of a list walk (see ``Paginator``)."""

    limit: int
    pages: range
    max_items: int
    concurrency: int
    speculative: bool
    dedupe: bool
    on_progress: Callable[[PaginatorStats], None]
    resume: Checkpoint


class WriteOptions(CallOptions, total=False):
    """Options of a write: ``extra_fields`` are sent as given (wire names), for fields
    the reference does not document."""

    extra_fields: Mapping[str, Any]


class Sorting(TypedDict, total=False):
    """``sort_by`` (a wire name or the SDK's attribute name) and ``sort_direction``."""

    sort_by: Annotated[str, SORT_FIELD]
    sort_direction: SortDirection | str


OPTION_KEYS.update(ListOptions.__annotations__, WriteOptions.__annotations__)
OPTION_KEYS.discard("extra_fields")  # a field of the body, checked by the builder
