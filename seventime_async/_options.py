"""The keyword options every resource method takes besides its filters or fields.

The filter and field TypedDicts of the resources inherit these, so one ``**kwargs``
carries both and the type checker knows every name; the generic operations split them
apart by :data:`OPTION_KEYS`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypedDict

from ._codecs import SORT_FIELD
from ._exceptions import InvalidRequestError
from ._pagination import Checkpoint, PaginatorStats
from ._retry import RetryPolicy
from ._shards import Shard
from ._spec import OPTION_KEYS
from ._transport import Timeouts

__all__ = [
    "CallOptions",
    "ListOptions",
    "SortDirection",
    "Sorting",
    "WriteOptions",
    "check_call_options",
    "check_retry",
    "check_timeout",
]


class SortDirection(enum.StrEnum):
    """Sort order for ``sort_by``."""

    ASCENDING = "ascending"
    DESCENDING = "descending"


class CallOptions(TypedDict, total=False):
    """Options of one call: ``timeout`` (a :class:`Timeouts`, or seconds for the whole
    call) and ``retry`` (a :class:`RetryPolicy`, or how many retries) override the
    client's settings; ``extra_headers`` and ``extra_query`` are sent as given."""

    timeout: Timeouts | float
    retry: RetryPolicy | int
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str | int | bool]


class ListOptions(CallOptions, total=False):
    """Options of a list walk (see ``Paginator``)."""

    limit: int
    pages: range
    max_items: int
    concurrency: int
    speculative: bool | Literal["idle"]
    dedupe: bool
    on_progress: Callable[[PaginatorStats], None]
    resume: Checkpoint
    shard: Shard


class WriteOptions(CallOptions, total=False):
    """Options of a write: ``extra_fields`` are sent as given (wire names), for fields
    the reference does not document."""

    extra_fields: Mapping[str, Any]


class Sorting(TypedDict, total=False):
    """``sort_by`` (a wire name or the SDK's attribute name) and ``sort_direction``."""

    sort_by: Annotated[str, SORT_FIELD]
    sort_direction: SortDirection | str


#: Headers the SDK owns: ``extra_headers`` may not replace them.
_OWN_HEADERS = frozenset({"client-secret", "content-length", "host"})


def _option_error(name: str, problem: str) -> InvalidRequestError:
    return InvalidRequestError(f"{name}: {problem}", field=name)


def check_timeout(value: Any, name: str = "timeout") -> Timeouts:
    """``Timeouts``, or a positive number of seconds (a cap on the whole call)."""
    try:
        return Timeouts.of(value)
    except ValueError as exc:
        raise _option_error(name, str(exc)) from None


def check_retry(value: Any, name: str = "retry") -> RetryPolicy:
    """A ``RetryPolicy``, or a number of retries (``0`` turns retries off), as in
    ``max_retries`` of the OpenAI and Anthropic SDKs."""
    if isinstance(value, RetryPolicy):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _option_error(name, f"expected a RetryPolicy or a number of retries, got {value!r}")
    return RetryPolicy(max_attempts=value + 1)


def _pairs(value: Any, name: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and k for k in value):
        raise _option_error(name, "expected a mapping of names to values")
    pairs = []
    for key, item in value.items():
        if isinstance(item, bool):
            item = "true" if item else "false"
        elif isinstance(item, int):
            item = str(item)
        if not isinstance(item, str) or not (key + item).isprintable():
            raise _option_error(name, f"{key}: expected printable text without CR/LF")
        pairs.append((key, item))
    return tuple(pairs)


def check_call_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The call options normalized (``Timeouts``, ``RetryPolicy``, header and query
    pairs), or :class:`InvalidRequestError` before anything is sent."""
    checked: dict[str, Any] = {}
    if options.get("timeout") is not None:
        checked["timeout"] = check_timeout(options["timeout"])
    if options.get("retry") is not None:
        checked["retry"] = check_retry(options["retry"])
    if options.get("extra_headers"):
        headers = _pairs(options["extra_headers"], "extra_headers")
        owned = sorted(k for k, _ in headers if k.lower() in _OWN_HEADERS)
        if owned:
            raise _option_error("extra_headers", f"{owned[0]} is set by the client")
        checked["extra_headers"] = headers
    if options.get("extra_query"):
        checked["extra_query"] = _pairs(options["extra_query"], "extra_query")
    return checked


OPTION_KEYS.update(ListOptions.__annotations__, WriteOptions.__annotations__)
OPTION_KEYS.discard("extra_fields")  # a field of the body, checked by the builder
