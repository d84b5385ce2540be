"""Pure response decoding: status -> typed error, body -> JSON -> records.

Nothing here does I/O. Every failure is a typed SDK error with the request's method and
path and a short excerpt of the body; never a raw JSON or cattrs exception.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import attrs
import cattrs

from ._converter import structure, wire_path
from ._exceptions import (
    APIStatusError,
    RateLimitError,
    UnexpectedResponseError,
    body_excerpt,
    status_error_class,
)
from ._models import PageMeta

__all__ = [
    "RawPage",
    "Response",
    "decode_envelope_page",
    "decode_record",
    "iter_records",
    "parse_json",
    "parse_retry_after",
    "status_error",
]

T = TypeVar("T")


@attrs.frozen(slots=True)
class Response:
    """What the transport hands back: status, headers (lower-case names) and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    method: str
    path: str


@attrs.frozen(slots=True)
class RawPage:
    """A list page whose meta is decoded and whose records are still wire dicts."""

    meta: PageMeta
    records: list[Any]
    source: Response


def _unexpected(response: Response, message: str, field: str | None = None) -> Exception:
    return UnexpectedResponseError(
        message,
        method=response.method,
        path=response.path,
        status=response.status,
        field=field,
        body_excerpt=body_excerpt(response.body),
    )


def parse_json(response: Response) -> Any:
    """The body as JSON (floats as exact ``Decimal``), or :class:`UnexpectedResponseError`."""
    try:
        return json.loads(response.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        content_type = response.headers.get("content-type", "")
        if "html" in content_type or response.body.lstrip()[:1] == b"<":
            problem = "expected JSON, got an HTML page"
        elif not response.body.strip():
            problem = "expected JSON, got an empty body"
        else:
            problem = f"invalid or truncated JSON ({exc})"
        raise _unexpected(response, problem) from None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now (it may be seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        current = time.time() if now is None else now
        seconds = when.timestamp() - current
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def status_error(response: Response) -> APIStatusError:
    """The typed error for a response with status >= 400."""
    error_message: str | None = None
    try:
        payload = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if isinstance(payload, dict):
        message = payload.get("errorMessage") or payload.get("message")
        if message is not None:
            error_message = str(message)
    excerpt = "" if error_message else body_excerpt(response.body)
    cls = status_error_class(response.status)
    if cls is RateLimitError:
        return RateLimitError(
            method=response.method,
            path=response.path,
            status=response.status,
            error_message=error_message,
            body_excerpt=excerpt,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    return cls(
        status=response.status,
        method=response.method,
        path=response.path,
        error_message=error_message,
        body_excerpt=excerpt,
    )


def _structure(response: Response, data: Any, cls: type[T], path: str) -> T:
    try:
        return structure(data, cls)
    except cattrs.BaseValidationError as exc:
        first = cattrs.transform_error(exc, path=path, format_exception=_describe)[0]
        message, _, cattrs_path = first.rpartition(" @ ")
        field = wire_path(cattrs_path)
        raise _unexpected(response, f"{message} at {field}", field) from None
    except (ValueError, TypeError, KeyError) as exc:
        message = f"cannot decode {cls.__name__} at {path}: {exc}"
        raise _unexpected(response, message, path) from None


def _describe(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, KeyError):
        return f"required field {exc} missing"
    return str(exc) or type(exc).__name__


def decode_record(response: Response, cls: type[T]) -> T:
    """One record from a get/create/update/delete body: ``{"data": {...}}`` or bare."""
    payload = parse_json(response)
    path = "$"
    if isinstance(payload, dict) and isinstance(payload.get("data"), dict) and "_id" not in payload:
        payload, path = payload["data"], "$.data"
    if not isinstance(payload, dict):
        raise _unexpected(response, f"expected a JSON object, got {type(payload).__name__}")
    return _structure(response, payload, cls, path)


def decode_envelope_page(response: Response) -> RawPage:
    """The ``meta`` and the undecoded ``data`` list of a list response."""
    payload = parse_json(response)
    if not isinstance(payload, dict) or "meta" not in payload or "data" not in payload:
        raise _unexpected(response, "expected a list response with 'meta' and 'data'")
    records = payload["data"]
    if not isinstance(records, list):
        raise _unexpected(response, "'data' is not a list", "$.data")
    meta = _structure(response, payload["meta"], PageMeta, "$.meta")
    return RawPage(meta=meta, records=records, source=response)


def iter_records(page: RawPage, cls: type[T]) -> Iterator[T]:
    """Decode a page's wire dicts one at a time, as the caller asks for them."""
    for index, record in enumerate(page.records):
        yield _structure(page.source, record, cls, f"$.data[{index}]")
