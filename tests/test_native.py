"""Native decoding (msgspec, ``_native``) gives exactly the converter's records, or its
errors, for every collection and every odd value the converter is lenient about."""

from __future__ import annotations

import copy
import json
import random
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seventime_async import ItemType, SupplierInvoice, UnexpectedResponseError
from seventime_async._decode import (
    RawPage,
    RawRecords,
    Response,
    decode_envelope_page,
    iter_records,
)
from seventime_async._native import MAX_LEARNED, native_decoder
from seventime_async.resources import REGISTRY
from seventime_async.testing import Sandbox
from seventime_async.testing._data import expand, generate_rows, make_pools
from seventime_async.testing._examples import examples_of, records_in

PAGED = [spec for spec in REGISTRY if spec.list and spec.list.paged]


def sandbox_invoices(count: int, seed: int) -> list[dict[str, Any]]:
    """Supplier invoices as the sandbox generates them (wire dicts)."""
    rng = random.Random(seed)
    pools = make_pools(rng)
    return [expand(pools, row) for row in generate_rows(pools, rng, count)]


class Number(str):
    """A number literal written into the JSON as it is (``1e2``, ``0.30000000000000004``)."""


def encode(value: Any) -> str:
    if isinstance(value, Number | Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def page_body(records: list[Any]) -> bytes:
    meta = {"totalResources": len(records), "totalPages": 1, "currentPage": 1}
    return encode({"meta": meta, "data": records}).encode()


def deep(value: Any) -> Any:
    """Every field (``extra`` included) with its exact type and ``repr``: digits, offsets,
    enum members."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value).__name__, tuple((f.name, deep(getattr(value, f.name))) for f in fields))
    if isinstance(value, list):
        return tuple(deep(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, deep(item)) for key, item in value.items())
    return (type(value).__name__, repr(value))


def outcome(records: Any) -> Any:
    """Every record, deeply (see ``deep``), or where the error was found."""
    try:
        return [deep(record) for record in records]
    except UnexpectedResponseError as exc:
        return f"error at {exc.field}"


def both_ways(body: bytes, cls: type[Any]) -> tuple[Any, Any]:
    """(native, converter) outcomes of one page body."""
    response = Response(status=200, headers={}, body=body, method="GET", path="/x/")
    page = decode_envelope_page(response)
    assert isinstance(page.records, RawRecords)  # the shape that takes the native road
    plain = RawPage(
        meta=page.meta, records=json.loads(body, parse_float=Decimal)["data"], source=response
    )
    return outcome(iter_records(page, cls)), outcome(iter_records(plain, cls))


def test_every_paged_record_class_has_a_native_decoder() -> None:
    declined = [spec.name for spec in PAGED if native_decoder(spec.record) is None]
    assert declined == []


@pytest.mark.parametrize("spec", PAGED, ids=lambda spec: spec.name)
async def test_every_collection_decodes_natively_as_the_converter_does(spec: Any) -> None:
    async with Sandbox(rate_limit=False, collection_records=30) as sandbox:
        seeded = (
            list(sandbox.invoices())
            if spec.path == "supplierInvoices"
            else sandbox.collections.records(spec.name)
        )
    documented = [
        record
        for entry in examples_of(spec)
        for record in records_in(entry["body"])
        if entry["request"].startswith("GET")
    ]
    records = [*seeded, *documented]
    assert records
    native, converter = both_ways(page_body(records), spec.record)
    assert native == converter
    assert isinstance(native, list)
    assert len(native) == len(records)


# -- the odd values the converter is lenient (or strict) about ------------------------------

TIMESTAMPS = [
    "2020-09-15T13:44:06.566Z",
    "2020-09-15T13:44:06.566+02:00",
    "2020-09-15T13:44:06.566+0200",
    "2020-09-15T13:44:06.566",
    "2020-09-15",
    "",
    " 2020-09-15T13:44:06Z ",
    None,
    "2020-09-15 13:44:06Z",
    "2020-09-15T13:44:06.1234567Z",
    "2020-09-15t13:44:06z",
    "20200915T134406Z",
    "2020-09-15T13:44:06,566Z",
    "2020-09-15T24:00:00Z",
    "not a date",
    7,
]
NUMBERS = [
    Number("1e2"),
    Number("1E+2"),
    Number("0.30000000000000004"),
    Number("7681.7"),
    Number("0.1000000000000000000000000000001"),
    Number("-0"),
    Number("-0.0"),
    Number("12.50"),
    Number("1e400"),
    Number("12"),
    "7681.7",
    " 12 ",
    "",
    "NaN",
    "Infinity",
    True,
    None,
    Number(str(2**70)),
    Number("12.5"),
]
TEXTS = ["plain", '\u00e5\u00e4\u00f6 "q" \\ \u2028 \U0001f600', "", None, 123, Number("12.50")]
FLAGS = [True, False, "true", "0", 1, "", None, "maybe"]
EXTRA = [{"x": Number("1.50")}, [1, Number("2.25")], "new", None]


def _invoice_item(record: dict[str, Any]) -> dict[str, Any]:
    items = record.setdefault("invoiceItems", [])
    if not items:
        items.append({"_id": "i1"})
    item: dict[str, Any] = items[0]
    return item


MUTATIONS: list[tuple[str, Any]] = [
    *[("createDate", value) for value in TIMESTAMPS],
    *[("totalAmount", value) for value in NUMBERS],
    *[("workOrderNumber", value) for value in NUMBERS],
    *[("supplierInvoiceNumber", value) for value in TEXTS],
    *[("isInvoiced", value) for value in FLAGS],
    *[("supplierInvoiceStatus", value) for value in (99, "7", "", 3, Number("3.0"), None)],
    *[("invoiceItems", value) for value in (None, [], "x", [None])],
    *[("selfBillingTimeLogIds", value) for value in ([5], None, ["a"], "a")],
    *[("brandNewKey", value) for value in EXTRA],
    ("_id", None),
]


@pytest.fixture(scope="module")
def base_invoices() -> list[dict[str, Any]]:
    return sandbox_invoices(3, seed=11)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mutation=st.sampled_from(MUTATIONS),
    nested=st.booleans(),
    item_type=st.sampled_from(["weird", "", None, 4]),
)
def test_native_and_converter_agree_on_odd_values(
    base_invoices: list[dict[str, Any]], mutation: tuple[str, Any], nested: bool, item_type: Any
) -> None:
    records = copy.deepcopy(base_invoices)
    key, value = mutation
    target = _invoice_item(records[1]) if nested and key == "brandNewKey" else records[1]
    target[key] = value
    _invoice_item(records[2])["itemType"] = item_type
    native, converter = both_ways(page_body(records), SupplierInvoice)
    assert native == converter


def test_a_new_key_is_kept_and_learned_then_decoded_natively() -> None:
    decoder = native_decoder(SupplierInvoice)
    assert decoder is not None
    records = sandbox_invoices(4, seed=5)
    for record in records:
        _invoice_item(record)["keyFromTheFuture"] = {"n": Number("1.10")}
    native, converter = both_ways(page_body(records), SupplierInvoice)
    assert native == converter
    decoded = decoder.decode(_raw_records(page_body(records)))  # learned: natively at once
    kept = {"keyFromTheFuture": {"n": Decimal("1.10")}}
    assert [r.invoice_items[0].extra for r in decoded] == [kept] * 4
    assert [deep(r) for r in decoded] == native


def _raw_records(body: bytes) -> Any:
    from seventime_async._native import split_list_body

    split = split_list_body(body)
    assert split is not None
    return split[1]


def test_learning_is_bounded() -> None:
    record = sandbox_invoices(1, seed=9)[0]
    for number in range(MAX_LEARNED + 5):
        record[f"churn{number}"] = number
    native, converter = both_ways(page_body([record]), SupplierInvoice)
    assert native == converter  # beyond the bound: still exact, by the converter's road


def test_invalid_json_in_a_record_is_reported_where_it_is() -> None:
    good = page_body([{"_id": "a"}]).decode()
    body = good.replace('{"_id":"a"}', '{"_id":"a"},{"_id": tru}').encode()
    response = Response(status=200, headers={}, body=body, method="GET", path="/x/")
    page = decode_envelope_page(response)
    with pytest.raises(UnexpectedResponseError, match=r"\$\.data\[1\]"):
        list(iter_records(page, SupplierInvoice))


@attrs.define
class _Unusual:
    """A record with a field type the generator has no rule for."""

    id: str
    kinds: list[ItemType] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict)


def test_a_record_class_the_generator_declines_takes_the_converters_road() -> None:
    assert native_decoder(_Unusual) is None
    body = page_body([{"_id": "a", "kinds": ["expense", "weird"], "new": 1}, {"_id": "b"}])
    response = Response(status=200, headers={}, body=body, method="GET", path="/x/")
    records = list(iter_records(decode_envelope_page(response), _Unusual))
    assert records == [
        _Unusual(id="a", kinds=[ItemType.EXPENSE, ItemType("weird")], extra={"new": 1}),
        _Unusual(id="b"),
    ]


def test_a_record_with_a_new_key_is_read_natively_once_learned(monkeypatch: Any) -> None:
    import seventime_async._decode as decode
    from seventime_async._native import _DECODERS

    monkeypatch.delitem(_DECODERS, SupplierInvoice, raising=False)  # nothing learned yet
    records = sandbox_invoices(3, seed=11)
    records[0]["keyOnlyThisTestSends"] = [1, "two"]
    body = page_body(records)
    conversions = []

    def counted(*args: Any) -> Any:
        conversions.append(args)
        raise AssertionError("the converter's road was taken")

    response = Response(status=200, headers={}, body=body, method="GET", path="/x/")
    page = decode_envelope_page(response)
    monkeypatch.setattr(decode, "_structure", counted)
    native = outcome(iter_records(page, SupplierInvoice))
    # The record that brought the key taught it, and was then read natively itself.
    assert conversions == []
    monkeypatch.undo()
    _, converter = both_ways(body, SupplierInvoice)
    assert native == converter
    assert native[0] != native[1]


def test_learning_a_key_rebuilds_only_the_classes_it_changes() -> None:
    from seventime_async._native import NativeDecoder
    from seventime_async.resources.supplier_invoices import (
        InvoiceItem,
        SupplierInvoiceLogEntry,
    )

    decoder = NativeDecoder(SupplierInvoice)
    first = decoder._generation.built
    record = sandbox_invoices(1, seed=12)[0]
    _invoice_item(record)["itemKeyNobodyKnows"] = 1
    assert decoder.learn(record)
    second = decoder._generation.built
    assert second[InvoiceItem] is not first[InvoiceItem]
    assert second[SupplierInvoice] is not first[SupplierInvoice]  # it nests the new mirror
    assert second[SupplierInvoiceLogEntry] is first[SupplierInvoiceLogEntry]
    assert not decoder.learn(record)  # nothing new: nothing rebuilt
    assert decoder._generation.built is second


@attrs.define
class _Leaf:
    id: str
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.define
class _Branch:
    id: str
    leaf: _Leaf | None = None
    leaves: list[_Leaf] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict)


def test_a_decoder_is_prepared_in_short_turns_one_class_each() -> None:
    from seventime_async._native import _DECODERS, prepare_native

    steps = 0
    preparing = prepare_native(_Branch)
    while True:
        try:
            preparing.send(None)
        except StopIteration:
            break
        steps += 1
        assert _Branch not in _DECODERS  # the decoder is made last, in its own turn
    # A turn for each class's field types, then one for each class's mirror and
    # function (_Leaf's first: _Branch's mirror nests it); the decoder is made last.
    assert steps == 4
    assert _DECODERS[_Branch] is native_decoder(_Branch) is not None


async def test_a_walk_prepares_its_decoder_in_turns_before_decoding_page_one(
    monkeypatch: Any,
) -> None:
    import seventime_async._pagination as pagination
    from seventime_async._native import _DECODERS, prepare_native

    monkeypatch.delitem(_DECODERS, SupplierInvoice, raising=False)
    body = page_body(sandbox_invoices(2, seed=13))
    prepared: list[type[Any]] = []

    async def spy(cls: type[Any]) -> None:
        await prepare_native(cls)
        prepared.append(cls)

    async def fetch_page(*_: Any) -> RawPage:
        response = Response(status=200, headers={}, body=body, method="GET", path="/x/")
        return decode_envelope_page(response)

    monkeypatch.setattr(pagination, "prepare_decoding", spy)
    walk = pagination.Paginator(fetch_page, SupplierInvoice, (), limit=500)
    assert len(await walk.collect()) == 2
    assert prepared == [SupplierInvoice]  # once, for the first page
