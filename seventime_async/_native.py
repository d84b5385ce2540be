"""Native decoding of list records: msgspec reads the JSON into generated mirrors of the
record classes, and a generated function per class builds the attrs record from them.

The converter (``_converter``) stays the definition of what a record is; this module is a
faster road to the same records, derived from the record classes alone, for every
collection. For each record class it generates:

* a ``msgspec.Struct`` *mirror*: the class's fields under their wire names, money as
  ``Decimal`` (msgspec reads a JSON number into ``Decimal`` from its digits, exactly),
  ``forbid_unknown_fields`` so that no key is dropped, plus one field per unknown key
  already seen for the class (learned; they go to ``extra``);
* a function that turns a mirror into the record: nested mirrors into records, ``null``
  lists into ``[]``, timestamps through ``datetime.fromisoformat`` (zone-less as UTC, as
  the converter reads them), string enums leniently, non-finite money refused.

Anything the mirror or the function refuses (a new unknown key, a number sent as a
string, an odd timestamp, an unknown string enum value of ``""``...) is not guessed at:
that record goes the converter's way (``json`` with ``Decimal`` floats, then cattrs), so
its result, or its error, is exactly the converter's. A record with a new unknown key
teaches its class that key (at most :data:`MAX_LEARNED` per class) and is read again,
natively; a class rebuilds only the mirrors whose learned keys changed. A class with a
field the generator has no rule for is left to the converter.

Making a class's decoder takes a few milliseconds (most of it resolving field types), once
per class and process; :func:`prepare_native` spreads that over loop turns, one class
each, before a walk decodes its first page.
"""

from __future__ import annotations

import asyncio
import enum
import linecache
import threading
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import attrs
import msgspec

from ._converter import is_record, record_wire_name
from ._fastpath import OPEN_TYPES
from ._models import PageMeta

__all__ = ["MAX_LEARNED", "NativeDecoder", "Refused", "native_decoder", "split_list_body"]

#: Unknown keys learned per record class; past that, records with others keep taking the
#: converter's road (correct, only slower).
MAX_LEARNED = 32
_SCALARS = (str, int, bool, Decimal)
_NON_EMPTY = Annotated[str, msgspec.Meta(min_length=1)]
_NONE_TYPE = type(None)


class Declined(TypeError):
    """A record class with a field type the generator has no rule for."""


class Refused(Exception):
    """A generated function met a value only the converter may decide about."""


class _Envelope(msgspec.Struct):
    meta: msgspec.Raw
    data: list[msgspec.Raw]


_SPLITTER = msgspec.json.Decoder(_Envelope)


def split_list_body(body: bytes) -> tuple[msgspec.Raw, list[msgspec.Raw]] | None:
    """The raw ``meta`` and records of a ``{"meta": ..., "data": [...]}`` body, in one
    native scan that checks the JSON (each a view of the body), or None when msgspec
    cannot read it that way (the stdlib road then reports the error where it is)."""
    try:
        envelope = _SPLITTER.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return envelope.meta, envelope.data


def _optional(type_: Any) -> Any | None:
    """``X`` of ``X | None``, else None."""
    args = typing.get_args(type_)
    if len(args) == 2 and _NONE_TYPE in args:
        return args[0] if args[1] is _NONE_TYPE else args[1]
    return None


@attrs.frozen
class _Generation:
    """One consistent set of mirrors and functions (rebuilt whole when a key is learned,
    and swapped in at once, so that a decoder never pairs a mirror with another build's
    function)."""

    chunk: msgspec.json.Decoder[Any]
    one: msgspec.json.Decoder[Any]
    convert: Callable[[Any], Any]
    #: Each class's mirror and function, by the keys learned for it and what it nests.
    built: dict[type[Any], _Built]


#: A class's mirror and function, and the learned keys they were made for (its own and
#: those of every class it nests): a class whose keys did not change is not made again.
_Built = tuple[tuple[tuple[str, ...], ...], Any, Callable[[Any], Any]]


class _Builder:
    """Generates the mirrors and functions of one root class and the classes it nests."""

    def __init__(
        self, learned: dict[type[Any], tuple[str, ...]], reuse: dict[type[Any], _Built]
    ) -> None:
        self.learned = learned
        self.reuse = reuse
        self.built: dict[type[Any], _Built] = {}
        self.mirrors: dict[type[Any], Any] = {}
        self.functions: dict[type[Any], Callable[[Any], Any]] = {}
        self.building: set[type[Any]] = set()

    def learned_under(self, cls: type[Any], seen: frozenset[type[Any]] = frozenset()) -> Any:
        """The keys learned for ``cls`` and for every class it nests, in field order."""
        if cls in seen:
            return ()
        inner = [self.learned_under(nested, seen | {cls}) for _, _, nested in _shape(cls)[1]]
        return (self.learned.get(cls, ()), *inner)

    def field(self, type_: Any, index: int, namespace: dict[str, Any]) -> tuple[Any, str]:
        """The mirror type of a field and the line(s) that convert its value ``v<index>``."""
        var = f"v{index}"
        if type_ in OPEN_TYPES:
            return Any, ""
        inner = _optional(type_)
        base = type_ if inner is None else inner

        def maybe(mirror: Any) -> Any:
            return mirror if inner is None else mirror | None

        if base in _SCALARS:
            if base is Decimal:
                finite = f"    if {var} is not None and not {var}.is_finite(): raise _Refused\n"
                return maybe(Decimal), finite
            return maybe(base), ""
        if base is datetime:
            namespace["_fromiso"], namespace["_UTC"] = datetime.fromisoformat, UTC
            return maybe(str), (
                f"    if {var} is not None:\n"
                f"        {var} = _fromiso({var})\n"
                f"        if {var}.tzinfo is None: {var} = {var}.replace(tzinfo=_UTC)\n"
            )
        if isinstance(base, type) and issubclass(base, enum.Enum):
            if issubclass(base, int):
                return maybe(base), ""  # msgspec looks the code up; _missing_ keeps unknowns
            namespace[f"_members{index}"] = base._value2member_map_
            namespace[f"_enum{index}"] = base
            return maybe(_NON_EMPTY), (
                f"    if {var} is not None:\n"
                f"        member = _members{index}.get({var})\n"
                f"        {var} = _enum{index}({var}) if member is None else member\n"
            )
        if is_record(base):
            namespace[f"_record{index}"] = self.build(base)
            line = f"    if {var} is not None: {var} = _record{index}({var})\n"
            return maybe(self.mirrors[base]), line
        if typing.get_origin(type_) is list:
            (element,) = typing.get_args(type_)
            if is_record(element):
                namespace[f"_record{index}"] = self.build(element)
                line = (
                    f"    {var} = [_record{index}(e) for e in {var}] if {var} is not None else []\n"
                )
                return list[self.mirrors[element]] | None, line  # type: ignore[name-defined]
            if element in OPEN_TYPES or element in _SCALARS:
                check = (
                    f"    for e in {var}:\n        if not e.is_finite(): raise _Refused\n"
                    if element is Decimal
                    else ""
                )
                mirror_element = Any if element in OPEN_TYPES else element
                return list[mirror_element] | None, f"    if {var} is None: {var} = []\n{check}"  # type: ignore[valid-type]
        raise Declined(f"no native rule for {type_!r}")

    def build(self, cls: type[Any]) -> Callable[[Any], Any]:
        """The function that turns a mirror of ``cls`` into a ``cls`` record."""
        if cls in self.functions:
            return self.functions[cls]
        if cls in self.building:
            raise Declined(f"{cls.__name__} nests itself")
        learned_under = self.learned_under(cls)
        previous = self.reuse.get(cls)
        if previous is not None and previous[0] == learned_under:
            self.built[cls] = previous
            self.mirrors[cls], self.functions[cls] = previous[1], previous[2]
            return previous[2]
        self.building.add(cls)
        hints = _hints(cls)
        every = attrs.fields(cls)
        fields = [field for field in every if field.name != "extra"]
        # The generated call is positional: every field in order, ``extra`` last.
        if every[-1].name != "extra" or any(
            field.kw_only or not field.init or field.alias != field.name for field in every
        ):
            raise Declined(f"{cls.__name__}: keyword-only or renamed fields, or extra not last")
        namespace: dict[str, Any] = {"_cls": cls, "_UNSET": msgspec.UNSET, "_Refused": Refused}
        spec: list[tuple[Any, ...]] = []
        rename: dict[str, str] = {}
        lines = [f"def native_{cls.__name__}(m):\n"]
        for index, field in enumerate(fields):
            mirror_type, convert = self.field(hints[field.name], index, namespace)
            if field.default is attrs.NOTHING:
                spec.append((field.name, mirror_type))
            elif field.default is None or getattr(field.default, "factory", None) is list:
                spec.append((field.name, mirror_type, None))
            else:
                raise Declined(f"{cls.__name__}.{field.name}: default {field.default!r}")
            rename[field.name] = record_wire_name(field)
            lines.append(f"    v{index} = m.{field.name}\n{convert}")
        known = set(rename.values())
        learned = [key for key in self.learned.get(cls, ()) if key not in known]
        arguments = ", ".join(f"v{index}" for index in range(len(fields)))
        if learned:
            lines.append("    extra = {}\n")
            for number, key in enumerate(learned):
                spec.append((f"x{number}", Any, msgspec.UNSET))
                rename[f"x{number}"] = key
                lines.append(f"    if m.x{number} is not _UNSET: extra[{key!r}] = m.x{number}\n")
            lines.append(f"    return _cls({arguments}, extra)\n")
        else:
            lines.append(f"    return _cls({arguments})\n")
        self.mirrors[cls] = msgspec.defstruct(
            f"Native{cls.__name__}", spec, rename=rename, forbid_unknown_fields=True, gc=False
        )
        source = "".join(lines)
        filename = f"<seventime_async native {cls.__module__}.{cls.__qualname__}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - generated above
        function: Callable[[Any], Any] = namespace[f"native_{cls.__name__}"]
        self.functions[cls] = function
        self.built[cls] = (learned_under, self.mirrors[cls], function)
        self.building.discard(cls)
        return function


def _generation(
    root: type[Any],
    learned: dict[type[Any], tuple[str, ...]],
    reuse: dict[type[Any], _Built] | None = None,
) -> _Generation:
    builder = _Builder(learned, reuse or {})
    convert = builder.build(root)
    mirror = builder.mirrors[root]
    return _Generation(
        chunk=msgspec.json.Decoder(list[mirror], float_hook=Decimal),  # type: ignore[valid-type]
        one=msgspec.json.Decoder(mirror, float_hook=Decimal),
        convert=convert,
        built=builder.built,
    )


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    """A record class's resolved field types (resolving them is most of the cost of
    building a mirror, and learning a key rebuilds mirrors)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


_Shape = tuple[frozenset[str], tuple[tuple[str, bool, type[Any]], ...]]
_SHAPES: dict[type[Any], _Shape] = {}


def _shape(cls: type[Any]) -> _Shape:
    """The wire keys a record class knows, and ``(wire key, is a list, record class)``
    of the records it nests (derived once per class: learning walks them per record)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _derive_shape(cls)
    return shape


def _derive_shape(cls: type[Any]) -> _Shape:
    hints = _hints(cls)
    known = []
    nested = []
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        known.append(record_wire_name(field))
        type_ = hints[field.name]
        base = _optional(type_) or type_
        if is_record(base):
            nested.append((record_wire_name(field), False, base))
        elif typing.get_origin(type_) is list and is_record(typing.get_args(type_)[0]):
            nested.append((record_wire_name(field), True, typing.get_args(type_)[0]))
    return frozenset(known), tuple(nested)


class NativeDecoder:
    """Decodes the raw records of one record class (see the module docstring)."""

    def __init__(self, root: type[Any], built: dict[type[Any], _Built] | None = None) -> None:
        self.root = root
        self._learned: dict[type[Any], tuple[str, ...]] = {}
        self._lock = threading.Lock()
        self._generation = _generation(root, self._learned, built)

    def __repr__(self) -> str:
        learned = sum(len(keys) for keys in self._learned.values())
        return f"<NativeDecoder {self.root.__name__} learned={learned}>"

    def decode(self, raws: Sequence[msgspec.Raw]) -> list[Any]:
        """Records of ``raws`` at once; raises :class:`Refused` (or msgspec's errors)
        when any of them needs the converter (then decode them one by one)."""
        generation = self._generation
        convert = generation.convert
        joined = b"[" + b",".join(raws) + b"]"
        return [convert(mirror) for mirror in generation.chunk.decode(joined)]

    def decode_one(self, raw: msgspec.Raw) -> Any:
        """One record natively, or None when it needs the converter."""
        generation = self._generation
        try:
            return generation.convert(generation.one.decode(raw))
        except (msgspec.ValidationError, msgspec.DecodeError, Refused, ValueError):
            return None

    def learn(self, data: Any) -> bool:
        """Note the unknown keys of a wire record (and of the records it nests); rebuild
        the mirrors when one is new (True: they were rebuilt)."""
        new: dict[type[Any], list[str]] = {}
        self._collect(self.root, data, new)
        if not new:
            return False
        with self._lock:
            learned = dict(self._learned)
            for cls, keys in new.items():
                kept = list(learned.get(cls, ()))
                kept += [key for key in keys if key not in kept][: MAX_LEARNED - len(kept)]
                learned[cls] = tuple(kept)
            if learned == self._learned:
                return False
            self._generation = _generation(self.root, learned, self._generation.built)
            self._learned = learned
            return True

    def _collect(self, cls: type[Any], data: Any, new: dict[type[Any], list[str]]) -> None:
        if not isinstance(data, dict):
            return
        known, nested = _shape(cls)
        learned = self._learned.get(cls, ())
        if len(learned) < MAX_LEARNED:
            for key in data:
                if key not in known and key not in learned:
                    new.setdefault(cls, []).append(key)
        for key, many, inner in nested:
            value = data.get(key)
            if not many:
                self._collect(inner, value, new)
            elif isinstance(value, list):
                for item in value:
                    self._collect(inner, item, new)


_DECODERS: dict[type[Any], NativeDecoder | None] = {}


def native_decoder(
    cls: type[Any], built: dict[type[Any], _Built] | None = None
) -> NativeDecoder | None:
    """The native decoder of a record class (made once, from the mirrors ``built`` so
    far, if any), or None when the generator has no rule for one of its fields."""
    try:
        return _DECODERS[cls]
    except KeyError:
        pass
    decoder: NativeDecoder | None
    try:
        decoder = NativeDecoder(cls, built) if is_record(cls) and cls is not PageMeta else None
    except _DECLINED:
        decoder = None
    _DECODERS[cls] = decoder
    return decoder


#: What making a decoder may raise when the generator has no rule (msgspec may refuse a
#: generated mirror too): the class is left to the converter.
_DECLINED = (Declined, TypeError, ValueError)


async def prepare_native(cls: type[Any]) -> None:
    """Make the native decoder of ``cls`` in short loop turns (a few ms in all): the
    field types of each class, then its mirror and function (the classes a class nests
    first), one class per turn, then the decoder."""
    if cls in _DECODERS or not is_record(cls) or cls is PageMeta:
        return
    order: list[type[Any]] = []  # every class after the classes it nests
    visiting = [(cls, False)]
    while visiting:
        current, expanded = visiting.pop()
        if current in order:
            continue
        if expanded:
            order.append(current)
            continue
        visiting.append((current, True))
        visiting += [(inner, False) for _, _, inner in _shape(current)[1] if inner not in order]
        await asyncio.sleep(0)
    built: dict[type[Any], _Built] = {}
    for current in order:
        builder = _Builder({}, built)
        try:
            builder.build(current)
        except _DECLINED:
            break  # the decoder declines too: native_decoder says so, below
        built.update(builder.built)
        await asyncio.sleep(0)
    native_decoder(cls, built)
