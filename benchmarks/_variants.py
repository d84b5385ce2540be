"""Variants of SDK internals, built or monkeypatched inside the benchmark process only.

Nothing in ``seventime_async`` is changed on disk. Each variant is a change the SDK did
*not* make, kept so that ``RESULTS.md`` shows the figures behind that decision:

* :func:`build_converter`: the SDK's own ``_converter.build_converter`` over copies of the
  record classes (:func:`copy_classes`, optionally ``attrs.frozen``) and/or with cattrs'
  ``detailed_validation=False``; :func:`structure_without_detail` structures with the
  latter and falls back to the SDK's converter on failure, so errors keep their paths;
* :func:`cattrs_only_converter` (``build_converter(fast_path=False)``): the converter
  without its generated fast path;
* :func:`orjson_decode_envelope_page` (+ :func:`orjson_parse_json`): a list body parsed
  whole by ``orjson.loads`` (the converter's ``_decimal`` hook turns floats into
  ``Decimal(repr(f))``); :func:`json_decode_envelope_page`: parsed whole by
  ``json.loads(parse_float=Decimal)`` (what the SDK did before it parsed records lazily).
"""

from __future__ import annotations

import contextlib
import functools
import json
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

import attrs
import cattrs
from _common import patched

import seventime_async._converter as sdk_converter
import seventime_async._decode as sdk_decode
from seventime_async import _models
from seventime_async._decode import RawPage, Response
from seventime_async.resources.supplier_invoices import (
    InvoiceItem,
    SupplierInvoice,
    SupplierInvoiceLogEntry,
)

#: The record classes of the throughput bench, nested classes first.
SDK_CLASSES: tuple[type[Any], ...] = (InvoiceItem, SupplierInvoiceLogEntry, SupplierInvoice)


# -- record classes and converters ------------------------------------------------------------


def _set_extra_only(self: Any, name: str, value: Any) -> None:
    # A frozen copy still takes ``extra``, which the SDK's converter sets after building
    # the record (a frozen SDK would use object.__setattr__ there; same cost, one call).
    if name != "extra":
        raise attrs.exceptions.FrozenInstanceError
    object.__setattr__(self, name, value)


def copy_classes(*, frozen: bool) -> dict[type[Any], type[Any]]:
    """attrs copies of the SDK's record classes (same fields, defaults, slots, eq), with
    nested record types pointing at the copies; ``{sdk_class: copy}``. A frozen copy
    refuses every assignment but ``extra``'s."""
    mapping: dict[type[Any], type[Any]] = {}
    for cls in SDK_CLASSES:
        hints = typing.get_type_hints(cls)
        fields: dict[str, Any] = {}
        for field in attrs.fields(cls):
            type_ = hints[field.name]
            if typing.get_origin(type_) is list:
                (inner,) = typing.get_args(type_)
                type_ = list[mapping.get(inner, inner)]  # type: ignore[misc]
            fields[field.name] = attrs.field(default=field.default, type=type_, repr=field.repr)
        prefix = "Frozen" if frozen else "Mutable"
        copy = attrs.make_class(prefix + cls.__name__, fields, frozen=frozen, slots=True, eq=True)
        if frozen:
            copy.__setattr__ = _set_extra_only  # type: ignore[method-assign,assignment]
        mapping[cls] = copy
    return mapping


def build_converter(
    classes: Iterable[type[Any]] = SDK_CLASSES,
    *,
    fast_path: bool = True,
    detailed_validation: bool = True,
) -> cattrs.Converter:
    """``seventime_async._converter.build_converter(fast_path=...)`` itself, with
    ``cattrs.Converter(detailed_validation=...)``. The converter builds hooks by type,
    for any record class it is asked for (``classes`` are built here, up front)."""
    cattrs_module = types.SimpleNamespace(
        Converter=functools.partial(cattrs.Converter, detailed_validation=detailed_validation)
    )
    with patched(sdk_converter, "cattrs", cattrs_module):
        conv: cattrs.Converter = sdk_converter.build_converter(fast_path=fast_path)
        for cls in classes:
            conv.get_structure_hook(cls)
    assert conv.detailed_validation is detailed_validation
    return conv


def structure_without_detail(*, fast_path: bool = True) -> Callable[[Any, type[Any]], Any]:
    """``structure`` through a converter without cattrs' detailed validation; on any
    failure the SDK's own (detailed) converter runs again, so errors read as today."""
    fast = build_converter(fast_path=fast_path, detailed_validation=False)
    detailed = sdk_converter.structure

    def structure(data: Any, cls: type[Any]) -> Any:
        try:
            return fast.structure(data, cls)
        except Exception:
            return detailed(data, cls)

    return structure


def cattrs_only_converter() -> cattrs.Converter:
    """The SDK's converter without its generated fast path."""
    return sdk_converter.build_converter(fast_path=False)


@contextlib.contextmanager
def use_cattrs_only() -> Iterator[None]:
    conv = cattrs_only_converter()
    with patched(sdk_converter, "converter", lambda: conv):
        yield


# -- JSON parsing -----------------------------------------------------------------------------


def orjson_parse_json(response: Response) -> Any:
    """``parse_json`` with orjson; anything orjson refuses goes the SDK's way (same errors)."""
    import orjson

    try:
        return orjson.loads(response.body)
    except orjson.JSONDecodeError:
        return _SDK_PARSE_JSON(response)


_SDK_PARSE_JSON = sdk_decode.parse_json
_SDK_DECODE_ENVELOPE_PAGE = sdk_decode.decode_envelope_page


def _whole_page(response: Response, payload: Any) -> RawPage | None:
    if not isinstance(payload, dict) or "meta" not in payload:
        return None
    records = payload.get("data")
    if not isinstance(records, list):
        return None
    meta = sdk_decode._structure(response, payload["meta"], _models.PageMeta, "$.meta")
    return RawPage(meta=meta, records=records, source=response)


def orjson_decode_envelope_page(response: Response) -> RawPage:
    """The whole list body parsed at once by orjson (floats; the converter's ``_decimal``
    hook makes them ``Decimal(repr(f))``); anything unusual goes the SDK's way."""
    import orjson

    try:
        page = _whole_page(response, orjson.loads(response.body))
    except orjson.JSONDecodeError:
        page = None
    return page if page is not None else _SDK_DECODE_ENVELOPE_PAGE(response)


def json_decode_envelope_page(response: Response) -> RawPage:
    """The whole list body parsed at once by ``json.loads(parse_float=Decimal)`` (what
    the SDK did before its records were parsed lazily)."""
    try:
        page = _whole_page(response, json.loads(response.body, parse_float=Decimal))
    except ValueError:
        page = None
    return page if page is not None else _SDK_DECODE_ENVELOPE_PAGE(response)


@contextlib.contextmanager
def use_orjson() -> Iterator[None]:
    with (
        patched(sdk_decode, "parse_json", orjson_parse_json),
        patched(sdk_decode, "decode_envelope_page", orjson_decode_envelope_page),
    ):
        yield


@contextlib.contextmanager
def use_whole_page_json() -> Iterator[None]:
    with patched(sdk_decode, "decode_envelope_page", json_decode_envelope_page):
        yield


@contextlib.contextmanager
def use_converter_only() -> Iterator[None]:
    """No native (msgspec) decoding: every list record takes the converter's road, as
    before the SDK decoded natively."""
    with patched(sdk_decode, "native_decoder", lambda cls: None):
        yield


VARIANTS: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
    "converter": use_converter_only,
    "cattrs-only": use_cattrs_only,
    "orjson": use_orjson,
    "whole-page-json": use_whole_page_json,
}


@contextlib.contextmanager
def use(*names: str) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for name in names:
            stack.enter_context(VARIANTS[name]())
        yield
