"""How a resource is declared, and the tables derived from the declaration.

A resource module writes its records, TypedDicts for its filters and fields, and one
:class:`ResourceSpec`. Everything else is derived here, once, when first asked for: the
wire name and input check of every filter and field (from the TypedDict's annotations,
see :mod:`._codecs`), which fields are required (the TypedDict's ``Required[...]`` keys),
and the collection's attribute name on the client (its URL segment in snake_case). The
request builder, the CLI, the sandbox and the registry-wide tests all read these tables;
a filter or field name is written once, in its TypedDict.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from ._codecs import Check, codec_for
from ._naming import attribute_name, wire_name

__all__ = [
    "OPTION_KEYS",
    "Action",
    "Field",
    "Listing",
    "ResourceSpec",
    "Rule",
    "Write",
    "fields_of",
]

#: A rule of a resource's own: ``(wire body, operation) -> None``; raises
#: ``InvalidRequestError`` (see ``_codecs.invalid``) naming the field.
Rule = Callable[[Mapping[str, Any], str], None]

Operation = Literal["list", "get", "create", "update", "delete"]


@attrs.frozen
class Field:
    """One filter or body field: the caller's name, the wire name, the check, required."""

    name: str
    wire: str
    check: Check
    required: bool
    annotation: Any


#: Keyword arguments of the resource methods that are options, not filters or fields
#: (filled in by ``_options``; the TypedDicts of filters and fields inherit them).
OPTION_KEYS: set[str] = set()


def fields_of(typed_dict: type, wire_names: Mapping[str, str] = {}) -> tuple[Field, ...]:
    """The filters or fields a TypedDict declares (options left out), in order."""
    return _fields_of(typed_dict, tuple(sorted(wire_names.items())))


@functools.cache
def _fields_of(typed_dict: type, wire_names: tuple[tuple[str, str], ...]) -> tuple[Field, ...]:
    # ``__required_keys__`` misses ``Required[...]`` written under ``from __future__ import
    # annotations`` (a string at class creation): the resolved hints keep the marker.
    hints = typing.get_type_hints(typed_dict, include_extras=True)
    required: frozenset[str] = getattr(typed_dict, "__required_keys__", frozenset())
    renames = dict(wire_names)
    return tuple(
        Field(
            name=name,
            wire=renames.get(name) or wire_name(name),
            check=codec_for(_strip_required(annotation)),
            required=name in required or typing.get_origin(annotation) is typing.Required,
            annotation=annotation,
        )
        for name, annotation in hints.items()
        if name not in OPTION_KEYS
    )


def _strip_required(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Required, typing.NotRequired):
        return typing.get_args(annotation)[0]
    return annotation


@attrs.frozen(kw_only=True)
class Listing:
    """The list operation: its filters (a TypedDict), paged or one page, its own path.

    ``paged=False`` for lists that answer ``{"data": [...]}`` without ``meta``: one
    request, no ``limit``/``page``, the same paginator (one page). ``defaults`` are
    filters sent when the caller gives none (``entityType=100`` for custom fields).
    """

    filters: type
    paged: bool = True
    path: str | None = None
    defaults: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Write:
    """A create, update or delete: its fields (a TypedDict), the rules of its own.

    The TypedDict's ``Required[...]`` keys are required; ``result`` is the record the
    server answers with (the resource's record when None). ``form_version`` is the API
    version that also takes this write as a form body (v1 supplier invoices), if any.
    """

    fields: type
    rules: tuple[Rule, ...] = ()
    path: str | None = None
    result: type | None = None
    form_version: int | None = None


@attrs.frozen(kw_only=True)
class Action:
    """A call that is not CRUD (start a timer): POSTed once, never sent twice.

    ``effect`` tells the sandbox what the call does to the collection: ``"create"`` a
    record, ``"remove"`` the one the body names, or nothing.
    """

    fields: type
    path: str
    result: type
    rules: tuple[Rule, ...] = ()
    effect: Literal["create", "remove"] | None = None


@attrs.frozen(kw_only=True)
class ResourceSpec:
    """One URL collection of the API, declared once.

    ``facade`` is the class the client exposes it as (``TimeLogs``, or the generic
    ``Lookup``): it gives each operation its typed signature and delegates.
    ``path`` is the URL segment (``"timeLogs"``: ``/api/2/timeLogs/``); the client's
    attribute is its snake_case (``st.time_logs``). ``get_path`` overrides the segment of
    ``GET <path>/<_id>`` where the reference's examples use another one. ``id_field`` is
    the record attribute that identifies a record (dedupe, checkpoints); ``date_fields``
    name the instants that stand for a calendar day. ``wire_names`` maps the caller's
    names that break the camelCase rule to their wire names. ``output_names`` maps an
    input's wire name to the key the record answers with, where the two differ
    (``vehicle`` in, ``car`` out): the caller uses the documented input name.
    """

    path: str
    record: type
    facade: type
    list: Listing | None = None
    get: bool = False
    get_path: str | None = None
    create: Write | None = None
    update: Write | None = None
    delete: Write | None = None
    actions: Mapping[str, Action] = attrs.field(factory=dict)
    id_field: str = "id"
    sort_field: str | None = "createDate"
    wire_names: Mapping[str, str] = attrs.field(factory=dict)
    output_names: Mapping[str, str] = attrs.field(factory=dict)
    api_version: int = 2

    @property
    def name(self) -> str:
        """The collection's attribute on the client: ``timeLogs`` -> ``time_logs``."""
        return attribute_name(self.path)

    def url(self, segment: str | None = None, *, version: int | None = None) -> str:
        """``/api/<version>/<segment or path>/`` (the spec's version unless given)."""
        return f"/api/{version or self.api_version}/{segment or self.path}/"

    def filters(self) -> tuple[Field, ...]:
        """The list's filters (empty when the collection has no list)."""
        return fields_of(self.list.filters, self.wire_names) if self.list else ()

    def fields(self, operation: str) -> tuple[Field, ...]:
        """The body fields of ``create``, ``update``, ``delete`` or an action."""
        write = {"create": self.create, "update": self.update, "delete": self.delete}.get(operation)
        if write is not None:
            return fields_of(write.fields, self.wire_names)
        action = self.actions.get(operation)
        return fields_of(action.fields, self.wire_names) if action else ()

    @property
    def operations(self) -> tuple[str, ...]:
        """The operations this collection has, in the usual order."""
        present = {
            "list": self.list is not None,
            "get": self.get,
            "create": self.create is not None,
            "update": self.update is not None,
            "delete": self.delete is not None,
        }
        return (*(op for op, ok in present.items() if ok), *self.actions)
