"""Registry-wide checks: every implemented collection, from its declaration alone.

For each spec: every example response of the reference decodes with nothing left in
``extra`` (every documented key is modelled) and ``to_wire`` gives every key back with
its value; every filter reaches the query string under its wire name; every required
field is refused when missing, nothing sent; an unknown filter or field is refused.
"""

from __future__ import annotations

import enum
import json
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from seventime_async import InvalidRequestError
from seventime_async._converter import dumps_json, structure, to_wire
from seventime_async._spec import Field, ResourceSpec
from seventime_async.resources import REGISTRY
from tests.resources.harness import FakeSend, collection, examples_of, records_in

SPECS = {spec.name: spec for spec in REGISTRY}


def _result_type(spec: ResourceSpec, request: str) -> type:
    method, path = request.split(" ", 1)
    segment = path.split("/")[3]
    for action in spec.actions.values():
        if method == "POST" and segment == action.path and segment != spec.path:
            return action.result
    write = {"POST": spec.create, "PUT": spec.update, "DELETE": spec.delete}.get(method)
    return (write.result if write and write.result else None) or spec.record


def _example_cases() -> list[Any]:
    cases = []
    for spec in REGISTRY:
        for entry in examples_of(spec):
            for index, record in enumerate(records_in(entry["body"])):
                label = f"{spec.name}-{entry['file']}:{entry['line']}-{index}"
                cases.append(pytest.param(spec, entry["request"], record, id=label))
    return cases


def _unmodelled(record: Any, where: str = "$") -> list[str]:
    """Every key that landed in an ``extra`` dict, anywhere in the record."""
    found = [f"{where}.{key}" for key in getattr(record, "extra", {})]
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if attrs.has(type(item)):
                found += _unmodelled(item, f"{where}.{field.name}[{i}]")
    return found


def _normal(value: Any) -> Any:
    """JSON values compared by meaning: numbers exactly, instants as moments."""
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


@pytest.mark.parametrize(("spec", "request_line", "wire"), _example_cases())
def test_every_example_response_decodes_with_nothing_lost(
    spec: ResourceSpec, request_line: str, wire: dict[str, Any]
) -> None:
    record = structure(wire, _result_type(spec, request_line))
    assert _unmodelled(record) == []
    again = json.loads(dumps_json(to_wire(record)))
    assert _normal(_trim(again, wire)) == _normal(wire)


def _trim(again: Any, wire: Any) -> Any:
    """``again`` without the keys the example did not send, which must be empty there
    (a record has every key its family's examples use; this example may use fewer)."""
    if isinstance(again, dict) and isinstance(wire, dict):
        absent = {key: value for key, value in again.items() if key not in wire}
        assert all(value in (None, [], {}) for value in absent.values()), absent
        return {key: _trim(value, wire[key]) for key, value in again.items() if key in wire}
    if isinstance(again, list) and isinstance(wire, list) and len(again) == len(wire):
        return [_trim(a, w) for a, w in zip(again, wire, strict=True)]
    return again


def test_every_spec_has_examples_and_a_unique_name() -> None:
    assert len(SPECS) == len(REGISTRY)
    for spec in REGISTRY:
        assert examples_of(spec), f"{spec.name}: no reference example matched its path"


def sample(field: Field) -> Any:
    """A valid value for a filter or field, from its check (first candidate accepted)."""
    candidates = [
        "5f48eb3e65d7ee4926574851",
        datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        date(2024, 5, 1),
        3,
        Decimal("12.50"),
        True,
        "ascending",
        [],
        *(next(iter(kind)) for kind in _enums_in(field.annotation)),
    ]
    for candidate in candidates:
        try:
            field.check(candidate, field.name)
        except (InvalidRequestError, TypeError):
            continue
        return candidate
    annotation = field.annotation
    raise AssertionError(f"no sample value for {field.name}: {annotation!r}")


def _enums_in(annotation: Any) -> list[type[enum.Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [annotation]
    return [kind for arg in typing.get_args(annotation) for kind in _enums_in(arg)]


LISTABLE = [pytest.param(spec, id=spec.name) for spec in REGISTRY if spec.list]


@pytest.mark.parametrize("spec", LISTABLE)
async def test_every_filter_reaches_the_query_under_its_wire_name(spec: ResourceSpec) -> None:
    for field in spec.filters():
        send = FakeSend()
        required = {f.name: sample(f) for f in spec.filters() if f.required}
        given = {**required, field.name: sample(field)}
        if field.name == "sort_direction":
            given["sort_by"] = "createDate"
        async for _ in collection(spec, send).list(**given):
            pass
        params = dict(send.last.params)
        assert field.wire in params, field.name


@pytest.mark.parametrize("spec", LISTABLE)
async def test_an_unknown_filter_is_refused_before_sending(spec: ResourceSpec) -> None:
    send = FakeSend()
    with pytest.raises(InvalidRequestError) as caught:
        collection(spec, send).list(no_such_filter=1)
    assert caught.value.field == "no_such_filter"
    assert send.requests == []


WRITES = [
    pytest.param(spec, op, id=f"{spec.name}.{op}")
    for spec in REGISTRY
    for op in ("create", "update")
    if op in spec.operations
]


def _valid_fields(spec: ResourceSpec, operation: str) -> dict[str, Any]:
    return {f.name: sample(f) for f in spec.fields(operation) if f.required}  # type: ignore[arg-type]


async def _write(spec: ResourceSpec, operation: str, send: FakeSend, fields: dict[str, Any]) -> Any:
    facade = collection(spec, send)
    if operation == "create":
        return await facade.create(**fields)
    return await facade.update("5f48eb3e65d7ee4926574851", **fields)


@pytest.mark.parametrize(("spec", "operation"), WRITES)
async def test_each_required_field_is_refused_when_missing(
    spec: ResourceSpec, operation: str
) -> None:
    complete = _valid_fields(spec, operation)
    for name in complete:
        send = FakeSend()
        with pytest.raises(InvalidRequestError) as caught:
            await _write(spec, operation, send, {k: v for k, v in complete.items() if k != name})
        assert caught.value.field == name
        assert send.requests == []


@pytest.mark.parametrize(("spec", "operation"), WRITES)
async def test_an_unknown_field_is_refused_before_sending(
    spec: ResourceSpec, operation: str
) -> None:
    send = FakeSend()
    with pytest.raises(InvalidRequestError) as caught:
        await _write(spec, operation, send, {**_valid_fields(spec, operation), "no_such": 1})
    assert caught.value.field == "no_such"
    assert send.requests == []


def test_the_client_has_one_typed_attribute_per_collection() -> None:
    from seventime_async import SevenTime
    from seventime_async._resource import Lookup
    from seventime_async.resources import Collections

    hints = typing.get_type_hints(Collections)
    assert sorted(hints) == sorted(SPECS)
    client = SevenTime("secret")
    for name, spec in SPECS.items():
        declared = typing.get_origin(hints[name]) or hints[name]
        assert declared is spec.facade, name
        facade = getattr(client, name)
        assert type(facade) is spec.facade
        assert facade.spec is spec
        if declared is Lookup:
            (record,) = typing.get_args(hints[name])
            assert record is spec.record, name


REQUIRED_FILTERS = [
    pytest.param(spec, field, id=f"{spec.name}.{field.name}")
    for spec in REGISTRY
    for field in spec.filters()
    if field.required
]


@pytest.mark.parametrize(("spec", "field"), REQUIRED_FILTERS)
def test_a_required_filter_is_refused_when_missing(spec: ResourceSpec, field: Field) -> None:
    send = FakeSend()
    with pytest.raises(InvalidRequestError) as caught:
        collection(spec, send).list()
    assert caught.value.field == field.name
    assert send.requests == []
