"""Generated fast structure functions for record classes: the converter's hot path.

cattrs' generated functions call a hook for every field of every record, although the
server nearly always sends the right type already. The function generated here checks
the value's class inline and calls the same hook only when something needs converting,
then calls the class with positional arguments. It is registered *inside* the cattrs
converter (see ``_converter``): when it meets anything unexpected it raises, and the
converter falls back to cattrs' own detailed function, so the result is always cattrs'
result and errors keep their field paths. A test checks both agree.

A field type the generator has no rule for makes it decline the whole class (it returns
None): that class is then decoded by cattrs alone, never wrongly.
"""

from __future__ import annotations

import enum
import linecache
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["OPEN_TYPES", "make_fast_structure"]

#: Types kept as they come (documents, custom field values: shapes the reference leaves open).
OPEN_TYPES = (Any, dict[str, Any], dict[str, Any] | None)

# Field types whose value is used as is when it already has this class; otherwise the
# converter's hook for the type (which returns such values unchanged) converts it.
_CHECKED: dict[Any, type[Any]] = {
    str: str,
    str | None: str,
    Decimal | None: Decimal,
    Decimal: Decimal,
    int: int,
    int | None: int,
    bool | None: bool,
    bool: bool,
}
# Field types whose hook always runs on a value that is not None (it does the parsing).
_ALWAYS = (datetime | None, datetime)


def _optional_inner(type_: Any) -> Any | None:
    args = typing.get_args(type_)
    if type(None) in args and len(args) == 2:
        return args[0] if args[1] is type(None) else args[1]
    return None


def _is_nested(type_: Any) -> bool:
    return isinstance(type_, type) and (
        issubclass(type_, enum.Enum) or (attrs.has(type_) and "extra" in attrs.fields_dict(type_))
    )


def _field_lines(
    index: int, field: attrs.Attribute[Any], key: str, type_: Any, used: dict[str, str]
) -> list[str] | None:
    """The lines that read and check one field, or None to decline the class."""
    var = f"v{index}"
    if field.default is attrs.NOTHING:
        lines = [f"    {var} = o[{key!r}]"]
    elif getattr(field.default, "factory", None) is list:
        lines = [f"    {var} = g({key!r}, _missing)", f"    if {var} is _missing: {var} = []"]
    elif field.default is None:
        lines = [f"    {var} = g({key!r})"]
    else:
        return None
    hook = f"h{index}"
    if type_ in _CHECKED:
        used[hook] = field.name
        lines.append(
            f"    if {var} is not None and {var}.__class__ is not {_CHECKED[type_].__name__}: "
            f"{var} = {hook}({var}, None)"
        )
        if None not in typing.get_args(type_) and type(None) not in typing.get_args(type_):
            lines.append(f"    if {var} is None: {var} = {hook}(None, None)")
    elif type_ in _ALWAYS:
        used[hook] = field.name
        lines.append(f"    if {var} is not None: {var} = {hook}({var}, None)")
    elif type_ in OPEN_TYPES:
        pass
    elif _is_nested(type_) or _is_nested(_optional_inner(type_)):
        used[hook] = field.name
        lines.append(f"    if {var} is not None: {var} = {hook}({var}, None)")
    elif typing.get_origin(type_) is list:
        used[hook] = field.name
        lines.append(f"    {var} = {hook}({var}, None)")
    else:
        return None
    return lines


def make_fast_structure(
    cls: type[Any],
    hooks: Mapping[str, Callable[[Any, Any], Any]],
    wire_key: Callable[[Any], str],
) -> Callable[[dict[str, Any]], Any] | None:
    """A fast structure function for record ``cls`` that calls ``hooks[field name]`` (the
    converter's hooks), or None when it has a field type the generator does not know
    (cattrs' function then does all the work)."""
    hints = typing.get_type_hints(cls)
    fields = [f for f in attrs.fields(cls) if f.name != "extra"]
    name = f"fast_structure_{cls.__name__}"
    lines = [f"def {name}(o):", "    g = o.get"]
    used: dict[str, str] = {}
    for index, field in enumerate(fields):
        field_lines = _field_lines(index, field, wire_key(field), hints[field.name], used)
        if field_lines is None:
            return None
        lines += field_lines
    known = frozenset(wire_key(f) for f in fields)
    args = ", ".join(f"v{i}" for i in range(len(fields)))
    lines += [
        f"    r = _cls({args})",
        f"    if len(o) > {len(known)} or not _known.issuperset(o):",
        "        r.extra = {k: v for k, v in o.items() if k not in _known}",
        "    return r",
    ]
    namespace: dict[str, Any] = {
        "_missing": object(),
        "_cls": cls,
        "_known": known,
        "Decimal": Decimal,
        **{variable: hooks[field_name] for variable, field_name in used.items()},
    }
    source = "\n".join(lines) + "\n"
    filename = f"<seventime_async fast structure {cls.__module__}.{cls.__qualname__}>"
    # Registered with linecache so that tracebacks and profilers show the source.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own source
    function: Callable[[dict[str, Any]], Any] = namespace[name]
    return function
