"""Pure response decoding: status -> typed error, body -> JSON -> records.

Nothing here does I/O. Every failure is a typed SDK error with the request's method and
path and a short excerpt of the body; never a raw JSON or cattrs exception.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator, Mapping
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import attrs
import cattrs
import msgspec

from ._converter import structure, wire_path
from ._exceptions import (
    APIStatusError,
    ErrorResponse,
    RateLimitError,
    RedirectError,
    UnexpectedResponseError,
    body_excerpt,
    status_error_class,
)
from ._models import PageMeta
from ._native import NativeDecoder, Refused, native_decoder, prepare_native, split_list_body

__all__ = [
    "LazyRecords",
    "RawPage",
    "Response",
    "decode_envelope_page",
    "decode_list_page",
    "decode_record",
    "iter_records",
    "parse_json",
    "parse_retry_after",
    "redirect_error",
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
    #: The event loop's time when the status and headers arrived, before the body was
    #: read (None: the transport does not say). Paces the client: see ``Sender.send``.
    answered_at: float | None = None
    #: The event loop's time when the request left: its headers were handed to the
    #: connection, after any wait for one and its set-up (None: the transport does not say).
    sent_at: float | None = None


@attrs.frozen(slots=True)
class RawPage:
    """A list page whose meta is decoded and whose records are not decoded yet.

    ``records`` is a list of wire dicts, a :class:`RawRecords` (split natively, decoded
    later) or a :class:`LazyRecords` that parses them one at a time; any of them is true
    when the page has records.
    """

    meta: PageMeta
    records: list[Any] | RawRecords | LazyRecords
    source: Response


_WHITESPACE = frozenset(" \t\n\r")
_RECORD_DECODER = json.JSONDecoder(parse_float=Decimal)


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


class RawRecords:
    """The ``data`` array of a list body, split in one native scan as the page arrives
    (``_native``: raw JSON views of the body, no text decoded) and decoded when
    :func:`iter_records` gets to it, natively, a chunk at a time. Iterated directly, it
    gives the wire dicts."""

    __slots__ = ("raws",)

    def __init__(self, raws: list[msgspec.Raw]) -> None:
        self.raws = raws

    def __bool__(self) -> bool:
        return bool(self.raws)

    def __iter__(self) -> Iterator[Any]:
        for raw in self.raws:
            yield json.loads(bytes(raw), parse_float=Decimal)


class LazyRecords:
    """The ``data`` array of a list body, each record parsed only when iterated to.

    Parsing a 500-record page at once holds the event loop for ~10 ms; one record at a
    time, interleaved with the paginator's loop turns, keeps every stall short. The text
    was checked to end the array and the body before this is built.
    """

    __slots__ = ("_start", "_text")

    def __init__(self, text: str, start: int) -> None:
        self._text = text
        self._start = start  # index just past the array's "["

    def __bool__(self) -> bool:
        index = _skip_space(self._text, self._start)
        return index < len(self._text) and self._text[index] != "]"

    def __iter__(self) -> Iterator[Any]:
        text, decode = self._text, _RECORD_DECODER.raw_decode
        index = _skip_space(text, self._start)
        if text[index] == "]":
            return
        while True:
            record, index = decode(text, index)
            yield record
            index = _skip_space(text, index)
            if text[index] == "]":
                return
            if text[index] != ",":
                raise ValueError(f"expected ',' or ']' at character {index}")
            index = _skip_space(text, index + 1)


def _split_list_body(body: bytes) -> tuple[Any, str, int] | None:
    """``(meta, text, index after "data": [)`` for a body shaped like the reference's
    ``{"meta": {...}, "data": [...]}`` (meta first, data last); None for any other shape,
    which then gets a plain full parse."""
    tail = body.rstrip()
    if not tail.endswith(b"}") or not tail[:-1].rstrip().endswith(b"]"):
        return None  # data is not last, or the body is cut short: parse it all
    try:
        text = body.decode()
        index = _skip_space(text, 0)
        if text[index] != "{":
            return None
        meta: Any = None
        index = _skip_space(text, index + 1)
        while text[index] == '"':
            key, index = _RECORD_DECODER.raw_decode(text, index)
            index = _skip_space(text, index)
            if text[index] != ":":
                return None
            index = _skip_space(text, index + 1)
            if key == "data":
                if meta is None or text[index] != "[":
                    return None
                return meta, text, index + 1
            value, index = _RECORD_DECODER.raw_decode(text, index)
            if key == "meta":
                meta = value
            index = _skip_space(text, index)
            if text[index] != ",":
                return None
            index = _skip_space(text, index + 1)
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return None


def _kept(response: Response) -> ErrorResponse:
    return ErrorResponse(response.status, response.headers, response.body)


def _unexpected(response: Response, message: str, field: str | None = None) -> Exception:
    return UnexpectedResponseError(
        message,
        method=response.method,
        path=response.path,
        status=response.status,
        field=field,
        body_excerpt=body_excerpt(response.body),
        response=_kept(response),
    )


def redirect_error(response: Response) -> RedirectError:
    """The error for a 3xx answer (the API never redirects)."""
    return RedirectError(
        method=response.method,
        path=response.path,
        status=response.status,
        location=response.headers.get("location"),
        response=_kept(response),
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
            response=_kept(response),
        )
    return cls(
        status=response.status,
        method=response.method,
        path=response.path,
        error_message=error_message,
        body_excerpt=excerpt,
        response=_kept(response),
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
    """The ``meta`` and the undecoded ``data`` list of a list response.

    For the usual shape the records are split natively and decoded later
    (:class:`RawRecords`: a ~1.3 ms scan of a 1.3 MB page, measured against decoding its
    text for the stdlib, which costs more and holds the loop longer); a body msgspec will
    not read has its records parsed one by one by the stdlib (:class:`LazyRecords`,
    which finds the error where it is); any other shape is parsed whole and checked here.
    """
    native = split_list_body(response.body)
    if native is not None:
        raw_meta, raws = native
        meta_data = json.loads(bytes(raw_meta), parse_float=Decimal)
        meta = _structure(response, meta_data, PageMeta, "$.meta")
        return RawPage(meta=meta, records=RawRecords(raws), source=response)
    split = _split_list_body(response.body)
    if split is not None:
        raw_meta, text, start = split
        meta = _structure(response, raw_meta, PageMeta, "$.meta")
        return RawPage(meta=meta, records=LazyRecords(text, start), source=response)
    payload = parse_json(response)
    if not isinstance(payload, dict) or "meta" not in payload or "data" not in payload:
        raise _unexpected(response, "expected a list response with 'meta' and 'data'")
    records = payload["data"]
    if not isinstance(records, list):
        raise _unexpected(response, "'data' is not a list", "$.data")
    meta = _structure(response, payload["meta"], PageMeta, "$.meta")
    return RawPage(meta=meta, records=records, source=response)


def decode_list_page(response: Response, *, paged: bool = True) -> RawPage:
    """A list page: :func:`decode_envelope_page` for a paged list, or the ``data`` array
    of an unpaged one (``{"data": [...]}``, no ``meta``) as its only page."""
    if paged:
        return decode_envelope_page(response)
    payload = parse_json(response)
    records = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(records, list):
        raise _unexpected(response, "expected a list response with 'data'", "$.data")
    meta = PageMeta(total_resources=len(records), total_pages=1, current_page=1)
    return RawPage(meta=meta, records=records, source=response)


#: Records decoded natively at once (~0.3 ms of supplier invoices), so that the
#: paginator's turns of ~0.5 ms of the event loop stay short.
NATIVE_CHUNK = 12


async def prepare_decoding(cls: type[Any]) -> None:
    """Make what decoding ``cls`` natively needs (once per class and process, a few ms
    in short loop turns), so that a walk's first page does not hold the event loop for
    all of it at once. Never fails: whatever went wrong here goes wrong again, and is
    reported, where the page is decoded."""
    with contextlib.suppress(Exception):  # only a head start: decoding reports errors
        await prepare_native(cls)


def iter_records(page: RawPage, cls: type[T]) -> Iterator[T]:
    """Decode a page's records as the caller asks for them: natively, a chunk at a time
    (``_native``), where the page and the record class allow; else one at a time."""
    if isinstance(page.records, RawRecords):
        decoder = native_decoder(cls)
        if decoder is not None:
            yield from _native_records(page, cls, decoder, page.records.raws)
            return
    records = iter(page.records)
    index = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except ValueError as exc:  # a lazily parsed record that is not valid JSON
            raise _unexpected(page.source, f"invalid JSON in $.data[{index}] ({exc})") from None
        yield _structure(page.source, record, cls, f"$.data[{index}]")
        index += 1


def _native_records(
    page: RawPage, cls: type[T], decoder: NativeDecoder, raws: list[Any]
) -> Iterator[T]:
    for start in range(0, len(raws), NATIVE_CHUNK):
        chunk = raws[start : start + NATIVE_CHUNK]
        try:
            records = decoder.decode(chunk)
        except (msgspec.ValidationError, msgspec.DecodeError, Refused, ValueError):
            # One of them needs the converter: record by record, natively where possible.
            records = [
                _careful_record(page, cls, decoder, raw, start + offset)
                for offset, raw in enumerate(chunk)
            ]
        yield from records


def _careful_record(page: RawPage, cls: type[T], decoder: NativeDecoder, raw: Any, index: int) -> T:
    record: T | None = decoder.decode_one(raw)
    if record is not None:
        return record
    try:
        data = json.loads(bytes(raw), parse_float=Decimal)
    except ValueError as exc:
        raise _unexpected(page.source, f"invalid JSON in $.data[{index}] ({exc})") from None
    if decoder.learn(data):  # a new key: this record and the next ones with it stay native
        record = decoder.decode_one(raw)
        if record is not None:
            return record
    return _structure(page.source, data, cls, f"$.data[{index}]")
