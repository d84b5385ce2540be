"""Every declared collection in the sandbox, from its spec and the reference's examples.

Supplier invoices have a hand-built store (generated invoices, the write rules the
reference states); every other collection of the registry is served here, generically:
records seeded from the collection's example responses (fresh ids and dates), lists
paged or whole as the spec says, the documented filters applied where a record carries
the key (``lastModified`` as "modified since", ``from*``/``to*`` as ranges), required
filters and required body fields answered 400, unknown ids 404. Nothing here names a
resource: routes, filters and fields all come from the declarations.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._naming import wire_name
from .._spec import ResourceSpec
from ._examples import examples_of, records_in
from ._query import DEFAULT_LIMIT, MAX_LIMIT, ApiError, page_meta, page_slice
from ._wire import format_timestamp, new_object_id, now_ms, parse_last_modified, parse_timestamp

__all__ = ["CollectionStore"]

_PAGING = ("limit", "page", "sortBy", "sortDirection")
_CREATED_KEYS = ("createDate", "createdDate")
# Seeded records are spread over the last ~30 days, one hour apart.
_HOUR_MS = 3_600_000
_DAY_MS = 24 * _HOUR_MS
# ``fromInvoiceDate`` / ``toInvoiceDate``: a range over the record's ``invoiceDate``.
_RANGE = re.compile(r"(from|to)([A-Z]\w*)")


@dataclass(frozen=True, slots=True)
class _Route:
    spec: ResourceSpec
    operation: str


class CollectionStore:
    """The records of every collection in ``specs``, and the routes that serve them."""

    def __init__(self, specs: Iterable[ResourceSpec], *, records: int, seed: int) -> None:
        self._specs = {spec.name: spec for spec in specs}
        self._records: dict[str, list[dict[str, Any]]] = {}
        self._routes: dict[tuple[str, str, bool], _Route] = {}
        rng = random.Random(seed)
        for spec in self._specs.values():
            self._add_routes(spec)
            self._records[spec.name] = _seed(spec, records, rng)

    # -- inspection (tests) ---------------------------------------------------------------

    def records(self, name: str) -> list[dict[str, Any]]:
        """Copies of the stored records of collection ``name`` (``"time_logs"``)."""
        return copy.deepcopy(self._records[name])

    @property
    def names(self) -> tuple[str, ...]:
        """The collections served here, by client attribute name."""
        return tuple(self._specs)

    # -- routing --------------------------------------------------------------------------

    def _add_routes(self, spec: ResourceSpec) -> None:
        def add(method: str, url: str, with_id: bool, operation: str) -> None:
            self._routes.setdefault((method, url.rstrip("/"), with_id), _Route(spec, operation))

        if spec.list is not None:
            add("GET", spec.url(spec.list.path), False, "list")
        if spec.get:
            add("GET", spec.url(spec.get_path), True, "get")
        for operation, method in (("create", "POST"), ("update", "PUT"), ("delete", "DELETE")):
            write = getattr(spec, operation)
            if write is not None:
                add(method, spec.url(write.path), False, operation)
        for name, action in spec.actions.items():
            add("POST", spec.url(action.path), False, f"action:{name}")

    def route(self, method: str, path: str) -> tuple[_Route, str | None] | None:
        """The route of a request and the id in its path, or ``None``."""
        trimmed = path.rstrip("/")
        route = self._routes.get((method, trimmed, False))
        if route is not None:
            return route, None
        head, _, record_id = trimmed.rpartition("/")
        route = self._routes.get((method, head, True))
        return (route, record_id) if route is not None and record_id else None

    def handle(
        self, route: _Route, record_id: str | None, query: Mapping[str, str], body: Any
    ) -> Any:
        """Answer one request (its JSON value); :class:`ApiError` for a 4xx."""
        spec, operation = route.spec, route.operation
        if operation == "list":
            return self._list(spec, query)
        if operation == "get":
            return {"data": self._find(spec, record_id or "")}
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object")
        if operation.startswith("action:"):
            return self._action(spec, operation.removeprefix("action:"), body)
        self._check_required(spec, operation, body)
        if operation == "create":
            return self._create(spec, body)
        record = self._find(spec, _body_id(body))
        if operation == "update":
            record.update(_stored_keys(spec, body))
            record["lastModified"] = format_timestamp(now_ms())
            return copy.deepcopy(record)
        self._records[spec.name].remove(record)
        return {"_id": record.get("_id")}

    # -- operations -----------------------------------------------------------------------

    def _list(self, spec: ResourceSpec, query: Mapping[str, str]) -> Any:
        assert spec.list is not None
        filters = {field.wire: field for field in spec.filters()}
        for field in filters.values():
            if field.required and field.wire not in query:
                raise ApiError(400, f"{field.wire} is required")
        unknown = sorted(set(query) - set(filters) - set(_PAGING))
        if unknown:
            raise ApiError(400, f"Unknown parameter {unknown[0]}")
        rows = [r for r in self._records[spec.name] if _matches(r, query, set(filters))]
        sort_by = query.get("sortBy")
        if sort_by:
            rows.sort(key=lambda r: _sort_key(r.get(sort_by)))
            if query.get("sortDirection") == "descending":
                rows.reverse()
        if not spec.list.paged:
            return {"data": rows}
        limit = _whole(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        page = _whole(query, "page", 1, 1, None)
        return {"meta": page_meta(len(rows), limit, page), "data": rows[page_slice(limit, page)]}

    def _find(self, spec: ResourceSpec, record_id: str) -> dict[str, Any]:
        key = wire_name(spec.id_field)
        for record in self._records[spec.name]:
            if str(record.get(key)) == record_id:
                return record
        raise ApiError(404, f"No {spec.name} with id {record_id}")

    def _action(self, spec: ResourceSpec, name: str, body: Mapping[str, Any]) -> Any:
        """An action: check its required fields, then do its declared effect."""
        self._check_required(spec, name, body)
        effect = spec.actions[name].effect
        if effect == "create":
            return self._create(spec, body)
        if effect == "remove":
            # The record the body names, by any of its keys (``_id``, or ``user``).
            records = self._records[spec.name]
            named = [r for r in records if all(r.get(k) == v for k, v in body.items())]
            if not named:
                raise ApiError(404, f"No {spec.name} matches {dict(body)}")
            records.remove(named[0])
            now = now_ms()
            return {**named[0], "_id": new_object_id(now // 1000, random.getrandbits(64))}
        return {"success": True}

    def _check_required(self, spec: ResourceSpec, operation: str, body: Mapping[str, Any]) -> None:
        for field in spec.fields(operation):
            if field.required and body.get(field.wire) is None:
                raise ApiError(400, f"{field.wire} is required")

    def _create(self, spec: ResourceSpec, body: Mapping[str, Any]) -> dict[str, Any]:
        now = now_ms()
        record = {
            "_id": new_object_id(now // 1000, random.getrandbits(64)),
            **_stored_keys(spec, body),
            _created_key(spec): format_timestamp(now),
            "lastModified": format_timestamp(now),
        }
        self._records[spec.name].append(record)
        return copy.deepcopy(record)


def _seed(spec: ResourceSpec, count: int, rng: random.Random) -> list[dict[str, Any]]:
    templates = [
        record
        for entry in examples_of(spec)
        if (entry["request"] or "").startswith("GET")
        for record in records_in(entry["body"])
    ]
    if not templates:
        return []
    id_key = wire_name(spec.id_field)
    # The reference shows ``lastModified`` only as a filter; a collection that filters
    # on it keeps it on every record (as the sandbox's supplier invoices do).
    modified = any(field.wire == "lastModified" for field in spec.filters())
    start = now_ms() - count * _HOUR_MS
    records = []
    for index in range(count if spec.list is None or spec.list.paged else len(templates)):
        record = copy.deepcopy(templates[index % len(templates)])
        created = start + index * _HOUR_MS
        if id_key == "_id":  # another key (a role's number) stays as the example has it
            record[id_key] = new_object_id(created // 1000, rng.getrandbits(64))
        for key in _CREATED_KEYS:
            if key in record:
                record[key] = format_timestamp(created)
        if modified or "lastModified" in record:
            # Never in the future: a later change must sort after every earlier one.
            record["lastModified"] = format_timestamp(
                min(created + rng.randrange(_HOUR_MS), start + count * _HOUR_MS)
            )
        records.append(record)
    return records


def _created_key(spec: ResourceSpec) -> str:
    return spec.sort_field if spec.sort_field in _CREATED_KEYS else "createDate"


def _stored_keys(spec: ResourceSpec, body: Mapping[str, Any]) -> dict[str, Any]:
    """The body's keys as the record stores them: an input the record answers under
    another key (``vehicle`` -> ``car``) goes there."""
    renamed = spec.output_names
    return {renamed.get(key, key): value for key, value in body.items() if key != "_id"}


def _body_id(body: Mapping[str, Any]) -> str:
    record_id = body.get("_id")
    if not isinstance(record_id, str) or not record_id:
        raise ApiError(400, "_id is required")
    return record_id


def _matches(record: Mapping[str, Any], query: Mapping[str, str], filters: set[str]) -> bool:
    for name, value in query.items():
        if name not in filters:
            continue
        if name == "lastModified":
            try:
                since = parse_last_modified(value)
            except ValueError:
                raise ApiError(400, f"Invalid lastModified: {value}") from None
            stamp = parse_timestamp(record.get("lastModified"))
            if stamp is None or stamp < since:
                return False
        elif (bound := _RANGE.fullmatch(name)) is not None:
            key = bound[2][:1].lower() + bound[2][1:]
            if not _in_range(record.get(key), value, lower=bound[1] == "from"):
                return False
        elif name in record and _text(record[name]) != value:
            return False
    return True


def _in_range(stored: Any, bound: str, *, lower: bool) -> bool:
    stamp, limit = parse_timestamp(stored), parse_timestamp(bound)
    if limit is None:
        raise ApiError(400, f"Invalid date: {bound}")
    if stamp is None:
        return False
    if lower:
        return stamp >= limit
    return stamp < limit + (_DAY_MS if len(bound) == 10 else 1)  # a day bound is inclusive


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return str(value.get("_id"))
    return str(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | float):
        return (1, value)
    return (2, str(value))


def _whole(query: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        raise ApiError(400, f"Invalid {name}: {text}")
    return int(text)
