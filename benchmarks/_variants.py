"""Variants of SDK internals, built or monkeypatched inside the benchmark process only.

Nothing in ``seventime_async`` is changed on disk. Each variant is a candidate change whose
gain the benchmarks measure:

* :func:`build_converter`: a replica of ``_converter.converter()`` over copies of the record
  classes, optionally ``frozen`` and optionally without cattrs' detailed validation;
* :func:`fast_structure`: structure with a ``detailed_validation=False`` converter and fall
  back to the SDK's (detailed) converter only when that fails, so error messages keep
  their field paths;
* :func:`inline_structure`: generated structure functions that call the SDK's hooks only
  for values not already of the field's type, and fall back to the SDK's converter on
  anything unexpected;
* :func:`orjson_decode_envelope_page` (+ :func:`orjson_parse_json`): a list body parsed
  whole by ``orjson.loads`` (the converter's ``_decimal`` hook turns floats into
  ``Decimal(repr(f))``); :func:`json_decode_envelope_page`: parsed whole by
  ``json.loads(parse_float=Decimal)``, whatever the SDK does today;
* :func:`lazy_decode_envelope_page`: a prototype that parses ``meta`` first and the page's
  records one at a time as the paginator asks for them (``raw_decode``), instead of the
  whole 1.3 MB body in one call;
* :func:`deferred_decode_envelope_page` with ``make_run(deferred=True)``: the fetch task
  only reads the body; the paginator decodes the meta, asks for the next pages, then
  parses the records 50 at a time between loop turns, before handing the page out;
* :func:`make_run`: ``Paginator._run`` that tops up the in-flight window as soon as a
  page arrives, before the consumer decodes it (today it tops up afterwards), and
  optionally (``prefetch``) fills the whole window at the start instead of waiting for
  page 1's meta.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import typing
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from json.decoder import scanstring
from typing import Any

import attrs
import cattrs
from _common import patched
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

import seventime_async._converter as sdk_converter
import seventime_async._decode as sdk_decode
import seventime_async._pagination as sdk_pagination
import seventime_async._resources as sdk_resources
from seventime_async import _models
from seventime_async._decode import RawPage, Response

SDK_CLASSES: tuple[type[Any], ...] = (
    _models.InvoiceItem,
    _models.SupplierInvoiceLogEntry,
    _models.SupplierInvoice,
    _models.DeletedSupplierInvoice,
    _models.PageMeta,
)


# -- record classes and converters ------------------------------------------------------------


def copy_classes(*, frozen: bool) -> dict[type[Any], type[Any]]:
    """attrs copies of the SDK's record classes (same fields, defaults, slots, eq), with
    nested record types pointing at the copies; ``{sdk_class: copy}``."""
    mapping: dict[type[Any], type[Any]] = {}
    for cls in SDK_CLASSES:
        hints = typing.get_type_hints(cls)
        fields: dict[str, Any] = {}
        for field in attrs.fields(cls):
            type_ = hints[field.name]
            if typing.get_origin(type_) is list:
                (inner,) = typing.get_args(type_)
                type_ = list[mapping.get(inner, inner)]  # type: ignore[index]
            fields[field.name] = attrs.field(default=field.default, type=type_, repr=field.repr)
        prefix = "Frozen" if frozen else "Mutable"
        mapping[cls] = attrs.make_class(
            prefix + cls.__name__, fields, frozen=frozen, slots=True, eq=True
        )
    return mapping


def _structure_with_extra(
    cls: type[Any], base: Callable[[Any, Any], Any], known: frozenset[str], *, frozen: bool
) -> Callable[[Any, Any], Any]:
    # The SDK's hook, with object.__setattr__ for frozen classes.
    set_extra = object.__setattr__ if frozen else setattr

    def structure_record(data: Any, _: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        record = base(data, cls)
        if len(data) > len(known) or not known.issuperset(data):
            set_extra(record, "extra", {k: v for k, v in data.items() if k not in known})
        return record

    return structure_record


def build_converter(
    classes: typing.Iterable[type[Any]] = SDK_CLASSES,
    *,
    frozen: bool = False,
    detailed_validation: bool = True,
) -> cattrs.Converter:
    """A replica of ``seventime_async._converter.converter()`` for ``classes``."""
    c = sdk_converter
    conv = cattrs.Converter(detailed_validation=detailed_validation)
    scalar_hooks: list[tuple[Any, Callable[[Any, Any], Any]]] = [
        (str | None, c._text),
        (str, getattr(c, "_required_text", c._text)),
        (Decimal | None, c._decimal),
        (int | None, c._integer),
        *([(int, c._required_integer)] if hasattr(c, "_required_integer") else []),
        (bool | None, c._boolean),
        (c.datetime | None, c._timestamp),
        (_models.SupplierInvoiceStatus | None, c._status),
        (_models.ItemType | None, c._item_type),
    ]
    for type_, hook in scalar_hooks:
        conv.register_structure_hook(type_, hook)
    for cls in classes:
        fields = attrs.fields(cls)
        renames = {
            f.name: override(rename=c.wire_name(f.name))
            for f in fields
            if f.name != "extra" and c.wire_name(f.name) != f.name
        }
        known = frozenset(c.wire_name(f.name) for f in fields if f.name != "extra")
        overrides: dict[str, Any] = {"extra": override(omit=True), **renames}
        base = make_dict_structure_fn(cls, conv, **overrides)
        conv.register_structure_hook(
            cls, _structure_with_extra(cls, base, known, frozen=frozen)
        )
        conv.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, conv, **overrides))
    return conv


def fast_structure() -> Callable[[Any, type[Any]], Any]:
    """``structure`` through a converter without detailed validation; on any failure the
    SDK's own (detailed) converter runs again, so errors read exactly as today."""
    fast = build_converter(detailed_validation=False)
    detailed = sdk_converter.structure

    def structure(data: Any, cls: type[Any]) -> Any:
        try:
            return fast.structure(data, cls)
        except Exception:
            return detailed(data, cls)

    return structure


@contextlib.contextmanager
def use_fast_structure() -> Iterator[None]:
    with patched(sdk_decode, "structure", fast_structure()):
        yield


def _inline_source(
    cls: type[Any], hooks: dict[type[Any], str], *, frozen: bool = False
) -> tuple[str, dict[str, Any]]:
    """Source of a structure function for ``cls`` with the type checks inlined: a hook
    is only called when the wire value is not already of the field's type (the SDK's
    hooks return such values unchanged), and the class is called with positional args."""
    c = sdk_converter
    hints = typing.get_type_hints(cls)
    name = f"inline_{cls.__name__}"
    namespace: dict[str, Any] = {
        "__cl": cls,
        "_missing": object(),
        "_text": c._text,
        "_required_text": getattr(c, "_required_text", c._text),
        "_decimal": c._decimal,
        "_integer": c._integer,
        "_required_integer": getattr(c, "_required_integer", int),
        "_boolean": c._boolean,
        "_timestamp": c._timestamp,
        "_status": c._status,
        "_item_type": c._item_type,
        "Decimal": Decimal,
        "_set": object.__setattr__,
    }
    simple = {
        str | None: ("str", "_text"),
        Decimal | None: ("Decimal", "_decimal"),
        int | None: ("int", "_integer"),
        int: ("int", "_required_integer" if hasattr(c, "_required_integer") else "int"),
        bool | None: ("bool", "_boolean"),
    }
    always = {
        c.datetime | None: "_timestamp",
        _models.SupplierInvoiceStatus | None: "_status",
        _models.ItemType | None: "_item_type",
    }
    lines = [f"def {name}(o, _=None):", "    g = o.get"]
    args = []
    fields = [f for f in attrs.fields(cls) if f.name != "extra"]
    for index, field in enumerate(fields):
        key, var, type_ = c.wire_name(field.name), f"v{index}", hints[field.name]
        if field.default is attrs.NOTHING:
            lines.append(f"    {var} = o[{key!r}]")
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"_factory{index}"] = field.default.factory
            lines.append(f"    {var} = g({key!r}, _missing)")
            lines.append(f"    if {var} is _missing: {var} = _factory{index}()")
        else:
            lines.append(f"    {var} = g({key!r}, {field.default!r})")
        if type_ == Decimal | None:  # ints are common in money fields: Decimal(int) is exact
            lines.append(
                f"    if {var} is not None and {var}.__class__ is not Decimal: "
                f"{var} = Decimal({var}) if {var}.__class__ is int else _decimal({var})"
            )
        elif type_ is str:  # required text: null is an error, as in the SDK
            lines.append(f"    if {var}.__class__ is not str: {var} = _required_text({var})")
        elif type_ in simple:
            pytype, hook = simple[type_]
            check = f"{var} is not None and {var}.__class__ is not {pytype}"
            lines.append(f"    if {check}: {var} = {hook}({var})")
        elif type_ in always:
            lines.append(f"    if {var} is not None: {var} = {always[type_]}({var})")
        elif typing.get_origin(type_) is list:
            (inner,) = typing.get_args(type_)
            lines.append(f"    if {var}.__class__ is not list: raise TypeError('not a list')")
            if inner in hooks:
                lines.append(f"    {var} = [{hooks[inner]}(x) for x in {var}]")
            elif inner is str:
                lines.append(f"    {var} = [x if x.__class__ is str else _text(x) for x in {var}]")
            else:
                lines.append(f"    {var} = list({var})")
        else:
            raise TypeError(f"no inline rule for {field.name}: {type_}")
        args.append(var)
    known = frozenset(c.wire_name(f.name) for f in fields)
    namespace["_known"], namespace["_n"] = known, len(known)
    lines.append(f"    r = __cl({', '.join(args)})")
    lines.append("    if len(o) > _n or not _known.issuperset(o):")
    if frozen:
        lines.append("        _set(r, 'extra', {k: o[k] for k in o.keys() - _known})")
    else:
        lines.append("        r.extra = {k: o[k] for k in o.keys() - _known}")
    lines.append("    return r")
    return "\n".join(lines), namespace


def inline_structure(
    classes: typing.Iterable[type[Any]] = SDK_CLASSES, *, frozen: bool = False
) -> Callable[[Any, type[Any]], Any]:
    """Candidate: generated structure functions with inlined type checks (the SDK's
    hooks are only called for values that need converting); anything unexpected
    (missing required key, not a dict or list, a hook raising) falls back to the SDK's
    detailed converter, so results and errors are the SDK's. (The SDK adopted the same
    idea in ``_fastpath.py``, commit 5d64669; this is the benchmark's own version, which
    also builds functions for the frozen copies.)"""
    hooks: dict[type[Any], str] = {}
    functions: dict[type[Any], Callable[[Any], Any]] = {}
    namespace: dict[str, Any] = {}
    for cls in classes:
        source, names = _inline_source(cls, hooks, frozen=frozen)
        namespace.update(names)
        code = compile(source, f"<inline structure {cls.__name__}>", "exec")
        local: dict[str, Any] = {}
        exec(code, dict(namespace), local)
        function = local[f"inline_{cls.__name__}"]
        functions[cls] = function
        hooks[cls] = f"inline_{cls.__name__}"
        namespace[hooks[cls]] = function
    detailed = sdk_converter.structure

    def structure(data: Any, cls: type[Any]) -> Any:
        function = functions.get(cls)
        if function is not None:
            try:
                return function(data)
            except Exception:
                pass
        return detailed(data, cls)

    return structure


def cattrs_only_converter() -> cattrs.Converter | None:
    """The SDK's converter without its generated fast path (``build_converter(
    fast_path=False)``, from commit 5d64669), or None if this SDK has no such switch."""
    build = getattr(sdk_converter, "build_converter", None)
    if build is None or "fast_path" not in inspect.signature(build).parameters:
        return None
    conv: cattrs.Converter = build(fast_path=False)
    return conv


@contextlib.contextmanager
def use_cattrs_only() -> Iterator[None]:
    conv = cattrs_only_converter()
    if conv is None:
        raise RuntimeError("this SDK has no build_converter(fast_path=False)")
    with patched(sdk_converter, "converter", lambda: conv):
        yield


@contextlib.contextmanager
def use_inline_structure() -> Iterator[None]:
    with patched(sdk_decode, "structure", inline_structure()):
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
        patched(sdk_resources, "decode_envelope_page", orjson_decode_envelope_page),
    ):
        yield


@contextlib.contextmanager
def use_whole_page_json() -> Iterator[None]:
    with patched(sdk_resources, "decode_envelope_page", json_decode_envelope_page):
        yield


_DECODER = json.JSONDecoder(parse_float=Decimal)
_WHITESPACE = " \t\n\r"


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


class _LazyRecords:
    """The ``data`` array of a page, parsed one record at a time on iteration."""

    def __init__(self, text: str, start: int) -> None:
        self._text = text
        self._start = start  # index of the '['

    def __bool__(self) -> bool:
        return self._text[_skip(self._text, self._start + 1)] != "]"

    def __iter__(self) -> Iterator[Any]:
        text, raw_decode = self._text, _DECODER.raw_decode
        index = _skip(text, self._start + 1)
        if text[index] == "]":
            return
        while True:
            record, index = raw_decode(text, index)
            yield record
            index = _skip(text, index)
            if text[index] == "]":
                return
            if text[index] != ",":
                raise ValueError(f"expected ',' or ']' at {index}")
            index = _skip(text, index + 1)


def _split_envelope(response: Response) -> tuple[Any, str, int] | None:
    """``(meta dict, text, index of the data array's '[')`` when the body is
    ``{... "meta": {...}, "data": [...`` in that order; None otherwise."""
    try:
        text = response.body.decode()
        index = _skip(text, 0)
        if text[index] != "{":
            return None
        index = _skip(text, index + 1)
        meta: Any = None
        while text[index] == '"':
            key, index = scanstring(text, index + 1)
            index = _skip(text, index)
            if text[index] != ":":
                return None
            index = _skip(text, index + 1)
            if key == "data":
                if meta is None or text[index] != "[":
                    return None
                return meta, text, index
            value, index = _DECODER.raw_decode(text, index)
            if key == "meta":
                meta = value
            index = _skip(text, index)
            if text[index] == ",":
                index = _skip(text, index + 1)
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return None


def lazy_decode_envelope_page(response: Response) -> RawPage:
    """Prototype: decode ``meta`` now and the records lazily, one by one as the
    paginator asks for them. Falls back to the SDK's whole-body parse unless the body is
    ``{... "meta": {...}, "data": [...`` in that order (the sandbox's, and the
    reference's, order). A real version would also have to turn a bad record into
    ``UnexpectedResponseError`` and accept that a truncated page is only noticed after
    its first records were yielded."""
    split = _split_envelope(response)
    if split is None:
        return _SDK_DECODE_ENVELOPE_PAGE(response)
    meta, text, start = split
    page_meta = sdk_decode._structure(response, meta, _models.PageMeta, "$.meta")
    return RawPage(meta=page_meta, records=_LazyRecords(text, start), source=response)  # type: ignore[arg-type]


class _DeferredPage:
    """A page whose records are parsed later, by :func:`make_run` (``deferred=True``)."""

    def __init__(self, response: Response) -> None:
        self.response = response
        self.split = _split_envelope(response)

    def head(self) -> tuple[RawPage, bool]:
        """The page with its meta (records still unparsed) and whether it has records."""
        if self.split is None:
            page = _SDK_DECODE_ENVELOPE_PAGE(self.response)
            return page, bool(page.records)
        meta, text, start = self.split
        page_meta = sdk_decode._structure(self.response, meta, _models.PageMeta, "$.meta")
        empty = text[_skip(text, start + 1)] == "]"
        return RawPage(meta=page_meta, records=[], source=self.response), not empty

    async def records(self, per_turn: int = 50) -> list[Any]:
        """Every record of the page, parsed ``per_turn`` at a time between loop turns."""
        assert self.split is not None
        _meta, text, start = self.split
        out: list[Any] = []
        for record in _LazyRecords(text, start):
            out.append(record)
            if len(out) % per_turn == 0:
                await asyncio.sleep(0)
        return out


def deferred_decode_envelope_page(response: Response) -> Any:
    return _DeferredPage(response)


@contextlib.contextmanager
def use_lazy_records() -> Iterator[None]:
    with patched(sdk_resources, "decode_envelope_page", lazy_decode_envelope_page):
        yield


# -- pagination ---------------------------------------------------------------------------------


def make_run(
    *, refill: bool = True, speculative: bool = False, deferred: bool = False
) -> Callable[..., AsyncIterator[tuple[RawPage, int]]]:
    """A copy of ``Paginator._run`` with its pacing choices as switches (for walks
    without a checkpoint; whatever the SDK's own ``_run`` does meanwhile).

    ``refill``: once a page arrived and the plan is updated, top the in-flight window up
    before the page is handed to the consumer (whose decoding takes ~10-25 ms a page);
    without it, the window is topped up only when the consumer asks for the next page
    (the SDK up to commit 9e130f7: "old pagination" with ``speculative=False``).

    ``speculative`` fills the whole window at the start, before the first page's
    meta says how many pages there are (pages past the end come back empty and are
    cancelled once the meta is known); the SDK asks for page 1 alone and waits for it.

    ``deferred`` goes with ``deferred_decode_envelope_page``: the fetch task only reads
    the body; here the meta is decoded, the window topped up, then the records are
    parsed 50 at a time between loop turns. The whole page is still parsed (and a bad
    body still raises) before any of its records is handed out.
    """

    async def run(self: Any, walk: Any) -> AsyncIterator[tuple[RawPage, int]]:
        plan = self._plan
        if not speculative and plan.last_page is not None and plan.first_page == 1:
            plan = attrs.evolve(plan, last_page=None)  # undo a preset guess, if any
        in_flight: deque[tuple[int, asyncio.Task[RawPage]]] = deque()
        next_number = plan.first_page

        def allowed(number: int) -> bool:
            if plan.last_page is None and speculative:
                guess = plan.first_page + self._concurrency - 1
                return number <= plan.wanted_last_page(guess)
            return bool(plan.may_fetch(number))

        def top_up() -> None:
            nonlocal next_number
            while len(in_flight) < self._concurrency and allowed(next_number):
                task = asyncio.ensure_future(
                    self._fetch_page(self._filters, next_number, plan.limit)
                )
                in_flight.append((next_number, task))
                next_number += 1

        try:
            while True:
                top_up()
                if not in_flight:
                    return
                number, task = in_flight.popleft()
                raw: Any = await task
                pending = raw if isinstance(raw, _DeferredPage) else None
                if pending is not None:
                    raw, has_records = pending.head()
                else:
                    has_records = bool(raw.records)
                plan = plan.after(number, raw)
                self._note_meta(raw, walk)
                if not has_records:
                    return
                while in_flight and not plan.may_fetch(in_flight[-1][0]):
                    in_flight.pop()[1].cancel()
                if plan.last_page is not None:
                    next_number = min(next_number, max(plan.last_page, number) + 1)
                if refill:
                    top_up()  # before the consumer decodes this page
                if pending is not None and pending.split is not None:
                    raw = RawPage(meta=raw.meta, records=await pending.records(), source=raw.source)
                yield raw, number
        finally:
            for _, task in in_flight:
                task.cancel()
            if in_flight:
                await asyncio.gather(*(task for _, task in in_flight), return_exceptions=True)

    return run


def refill_first_supported() -> bool:
    """Whether the SDK's ``_run`` still has the shape this variant copies."""
    run = getattr(sdk_pagination.Paginator, "_run", None)
    if run is None:
        return False
    return list(inspect.signature(run).parameters) == ["self", "walk"] and all(
        hasattr(sdk_pagination.Paginator, name) for name in ("_note_meta",)
    )


@contextlib.contextmanager
def use_old_pagination() -> Iterator[None]:
    with patched(sdk_pagination.Paginator, "_run", make_run(refill=False)):
        yield


@contextlib.contextmanager
def use_refill_first() -> Iterator[None]:
    with patched(sdk_pagination.Paginator, "_run", make_run(speculative=False)):
        yield


@contextlib.contextmanager
def use_chunked_parse() -> Iterator[None]:
    with (
        patched(sdk_resources, "decode_envelope_page", deferred_decode_envelope_page),
        patched(sdk_pagination.Paginator, "_run", make_run(deferred=True)),
    ):
        yield


@contextlib.contextmanager
def use_prefetch() -> Iterator[None]:
    with patched(sdk_pagination.Paginator, "_run", make_run(speculative=True)):
        yield


VARIANTS: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
    "fast-structure": use_fast_structure,
    "inline-structure": use_inline_structure,
    "cattrs-only": use_cattrs_only,
    "orjson": use_orjson,
    "whole-page-json": use_whole_page_json,
    "lazy-records": use_lazy_records,
    "refill-first": use_refill_first,
    "old-pagination": use_old_pagination,
    "prefetch": use_prefetch,
    "chunked-parse": use_chunked_parse,
}


@contextlib.contextmanager
def use(*names: str) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for name in names:
            stack.enter_context(VARIANTS[name]())
        yield
