"""Tests of ``seventime_async.testing``: the sandbox of the supplier-invoice API.

They talk to the sandbox through a plain ``aiohttp.ClientSession`` (no SDK), and check the
pure helpers (form parsing, timestamps, rate-limit window, pagination) directly.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from seventime_async.testing import (
    SANDBOX_STATE,
    Fault,
    FaultInjector,
    Sandbox,
    SandboxConfig,
    SandboxOptions,
    SandboxProcess,
    SandboxState,
    build_app,
)
from seventime_async.testing._cli import argv_for, build_parser, options_from_args
from seventime_async.testing._log import max_in_window
from seventime_async.testing._query import page_meta
from seventime_async.testing._ratelimit import SlidingWindowLimiter
from seventime_async.testing._wire import parse_form, parse_last_modified

pytest_plugins = ["seventime_async.testing.pytest_plugin"]

V2 = "/api/2/supplierInvoices/"
V1 = "/api/1/supplierInvoices/"
OBJECT_ID = re.compile(r"[0-9a-f]{24}")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")

# Every top-level key of the reference's "Get a specific Supplier Invoice" example.
EXAMPLE_KEYS = {
    "_id", "isInvoiceable", "isInvoiced", "selfBillingTimeLogIds", "selfBillingExpenseIds",
    "invoiceItems", "documents", "distributor", "distributorName", "yourReference",
    "createDate", "invoiceDate", "paymentDate", "totalAmount", "totalTaxAmount",
    "totalAmountInclTax", "taxPercent", "taxType", "markupPercent", "currencyCode",
    "currencyRate", "OCR", "economySystemStatus", "expensesCreatedFromInvoiceItems", "notes",
    "isCreditInvoice", "creditForInvoiceNumber", "isBooked", "economySystemRef",
    "importedFrom", "supplierInvoiceStatus", "workOrder", "workOrderTitle", "workOrderNumber",
    "project", "projectName", "supplementOrderId", "supplementOrderNumber", "customer",
    "customerName", "department", "departmentName", "supplementOrder", "invoice",
    "invoiceNumber", "isSelfBillingInvoice", "selfBillingInvoiceStatus", "exportedToEconomy",
    "selfBillingInvoice", "selfBillingInvoiceNumber", "footerText", "footerInfoText",
}  # fmt: skip
EXAMPLE_ITEM_KEYS = {
    "_id", "createDate", "articleNumber", "description", "itemId", "itemOrder", "unitCost",
    "unitPrice", "numberOfItems", "totalAmount", "unit", "taxPercent", "totalAmountInclTax",
    "totalTaxAmount", "totalCost", "itemType",
}  # fmt: skip
ITEM_ID_FIELD = {
    "expense": "expenseItem",
    "timeLog": "timeCategory",
    "time": "timeCategory",
    "machineTimeLog": "machine",
    "driverJournal": "driverJournalItemType",
}
NEW_INVOICE = {
    "supplierInvoiceNumber": 9162,
    "createdByUser": "5f48eb3e65d7e12574952d68",
    "distributor": "5f6b2e6af24d5d6978452100",
    "totalAmountInclTax": "100000",
}


# -- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(records=60, seed=3, rate_limit=False) as sandbox:
        yield sandbox


def auth(sandbox: Sandbox) -> dict[str, str]:
    return {"Client-Secret": sandbox.client_secret}


async def call(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    method: str,
    path: str = V2,
    *,
    params: dict[str, Any] | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request; the status and the decoded JSON body."""
    async with session.request(
        method,
        sandbox.url + path,
        params=params,
        json=json_body,
        headers=auth(sandbox) if headers is None else headers,
    ) as response:
        return response.status, await response.json(content_type=None)


async def list_ids(session: aiohttp.ClientSession, sandbox: Sandbox, **params: Any) -> list[str]:
    """The ids of every page of a list query, walked with limit=500."""
    ids: list[str] = []
    page = 1
    while True:
        status, body = await call(
            session, sandbox, "GET", params={**params, "limit": 500, "page": page}
        )
        assert status == 200, body
        ids += [record["_id"] for record in body["data"]]
        if page >= body["meta"]["totalPages"]:
            return ids
        page += 1


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- pure helpers ---------------------------------------------------------------------------


def test_parse_form_turns_brackets_into_lists_of_objects() -> None:
    body = (
        "supplierInvoiceNumber=9162&notes=%C3%85terkommande+service"
        "&invoiceItems[1][itemType]=text"
        "&invoiceItems[0][itemType]=expense&invoiceItems[0][expenseItem]=abc"
        "&invoiceItems%5B0%5D%5BunitPrice%5D=10.5&tags[]=a&tags[]=b"
    )
    assert parse_form(body) == {
        "supplierInvoiceNumber": "9162",
        "notes": "Återkommande service",
        "invoiceItems": [
            {"itemType": "expense", "expenseItem": "abc", "unitPrice": "10.5"},
            {"itemType": "text"},
        ],
        "tags": ["a", "b"],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-04 05:06", datetime(2021, 3, 4, 5, 6, tzinfo=UTC)),
        ("2021-03-04 05:06:07", datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2021-03-04T05:06", datetime(2021, 3, 4, 5, 6, tzinfo=UTC)),
        ("2021-03-04T05:06:07", datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2021-03-04T05:06:07.250Z", datetime(2021, 3, 4, 5, 6, 7, 250_000, tzinfo=UTC)),
        ("2021-03-04T07:06:07+02:00", datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)),
    ],
)
def test_parse_last_modified_accepts_the_documented_forms(text: str, expected: datetime) -> None:
    assert parse_last_modified(text) == int(expected.timestamp() * 1000)


@pytest.mark.parametrize("text", ["2021-03-04", "yesterday", "2021-13-04 05:06", "04/03/2021"])
def test_parse_last_modified_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected|valid"):
        parse_last_modified(text)


def test_sliding_window_counts_only_accepted_requests() -> None:
    limiter = SlidingWindowLimiter(4, window=1.0)
    assert [limiter.acquire("k", t) for t in (0.0, 0.1, 0.2, 0.3)] == [None] * 4
    assert limiter.acquire("k", 0.5) == pytest.approx(0.5)  # the slot of t=0.0 frees at 1.0
    assert limiter.acquire("other", 0.5) is None  # each key has its own window
    assert limiter.acquire("k", 1.0) is None  # window (0.0, 1.0]: t=0.0 has left it
    # The rejection at 0.5 did not count: at 1.15 only 0.2, 0.3, 1.0 are in the window.
    assert limiter.acquire("k", 1.15) is None
    assert limiter.acquire("k", 1.16) is not None


def test_max_in_window_and_page_meta() -> None:
    assert max_in_window([0.0, 0.1, 0.2, 1.05, 1.1, 1.15, 1.2, 3.0], 1.0) == 5
    assert max_in_window([], 1.0) == 0
    assert page_meta(0, 100, 1) == {"totalResources": 0, "totalPages": 0, "currentPage": 1}
    assert page_meta(250, 100, 3) == {"totalResources": 250, "totalPages": 3, "currentPage": 3}


def test_fault_specs() -> None:
    assert Fault.parse("500_after") == Fault("500", "after")
    assert Fault.parse("reset", when="after") == Fault("reset", "after")
    assert Fault.parse("503", when="after") == Fault("503")  # no after form: before
    assert str(Fault("reset", "after")) == "reset_after"
    with pytest.raises(ValueError, match="no 'after' form"):
        Fault("truncated", "after")
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("418")


def test_scripted_faults_are_taken_in_order_and_per_method() -> None:
    faults = FaultInjector()
    faults.script(["500", None, "reset"])
    faults.script(["503"], method="post")
    assert [str(faults.next_fault("GET")) for _ in range(2)] == ["500", "None"]
    assert faults.next_fault("POST") == Fault("reset")
    assert faults.next_fault("GET") is None  # only the POST entry is left
    assert faults.next_fault("POST") == Fault("503")
    assert faults.pending == 0


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'bogus'"):
        SandboxConfig(fault_kinds=("bogus",))
    with pytest.raises(ValueError, match="records"):
        SandboxConfig(records=-1)
    with pytest.raises(ValueError, match="differ"):
        SandboxConfig(client_secret="a", extra_secrets=("a",))
    with pytest.raises(ValueError, match="fault_rate"):
        SandboxConfig(fault_rate=1.5)


def test_options_mirror_the_config_fields() -> None:
    assert set(SandboxOptions.__annotations__) == set(SandboxConfig.__dataclass_fields__)


def test_cli_arguments_round_trip_the_options() -> None:
    options: dict[str, Any] = {
        "records": 20_000,
        "seed": 1,
        "client_secret": "s3",
        "extra_secrets": ("s4", "s5"),
        "latency": 0.3,
        "rate_limit": False,
        "rate_limit_per_second": 8,
        "retry_after": False,
        "fault_rate": 0.2,
        "fault_kinds": ("500", "503", "reset_after"),
        "fault_seed": 7,
        "slow_seconds": 0.5,
    }
    args = build_parser().parse_args(argv_for(options))
    assert SandboxConfig(**options_from_args(args)) == SandboxConfig(**options)
    defaults = build_parser().parse_args([])
    assert SandboxConfig(**options_from_args(defaults)) == SandboxConfig()


# -- seeded data ----------------------------------------------------------------------------


def test_seeded_data_is_deterministic() -> None:
    first = SandboxState(SandboxConfig(records=25, seed=11)).invoices()
    again = SandboxState(SandboxConfig(records=25, seed=11)).invoices()
    other = SandboxState(SandboxConfig(records=25, seed=12)).invoices()
    assert first == again
    assert [i["_id"] for i in first] != [i["_id"] for i in other]


def test_seeded_data_is_shaped_and_messy_like_the_real_responses() -> None:
    invoices = SandboxState(SandboxConfig(records=250, seed=0)).invoices()
    assert len(invoices) == 250
    assert len({invoice["_id"] for invoice in invoices}) == 250
    for invoice in invoices:
        assert invoice.keys() >= EXAMPLE_KEYS
        assert {"lastModified", "supplierInvoiceLogEntries", "__v", "customFieldValues"} <= (
            invoice.keys()
        )
        assert OBJECT_ID.fullmatch(invoice["_id"])
        assert isinstance(invoice["supplierInvoiceNumber"], str)
        assert isinstance(invoice["OCR"], str)
        assert invoice["OCR"] == "" or invoice["OCR"].isdigit()
        assert invoice["workOrderNumber"] is None or isinstance(invoice["workOrderNumber"], int)
        assert invoice["supplierInvoiceStatus"] in (1, 5, 7, 10)
        for key in ("createDate", "invoiceDate", "dueDate", "lastModified"):
            assert TIMESTAMP.fullmatch(invoice[key]), (key, invoice[key])
        for key in ("totalAmount", "totalTaxAmount", "totalAmountInclTax"):
            assert round(invoice[key], 3) == invoice[key]
        for item in invoice["invoiceItems"]:
            assert item.keys() >= EXAMPLE_ITEM_KEYS
            id_field = ITEM_ID_FIELD.get(item["itemType"])
            assert id_field is None or OBJECT_ID.fullmatch(item[id_field])
    items = [item for invoice in invoices for item in invoice["invoiceItems"]]
    assert {item["itemType"] for item in items} == {
        "expense", "timeLog", "time", "general", "blank", "text", "onlyamount",
        "machineTimeLog", "driverJournal",
    }  # fmt: skip
    assert any("categoryName" in item for item in items)
    assert {invoice["supplierInvoiceStatus"] for invoice in invoices} == {1, 5, 7, 10}
    text = json.dumps(invoices, ensure_ascii=False)
    assert all(letter in text for letter in "åäöÅÖ")
    assert any(
        invoice["project"] is None and invoice["projectName"] is None for invoice in invoices
    )
    assert any(invoice["paymentDate"] is None for invoice in invoices)
    assert any(invoice["paymentDate"] is not None for invoice in invoices)
    amounts = [invoice["totalAmount"] for invoice in invoices]
    assert any(isinstance(amount, float) for amount in amounts)
    assert any(isinstance(amount, int) for amount in amounts)
    # A small pool of related ids, so that filters select subsets.
    assert 1 < len({invoice["distributor"] for invoice in invoices}) <= 20


# -- list: pagination, validation, filters, sorting -----------------------------------------


async def test_walking_all_pages_returns_every_record_once(session: aiohttp.ClientSession) -> None:
    async with Sandbox(records=53, rate_limit=False) as sandbox:
        expected = [invoice["_id"] for invoice in sandbox.invoices()]
        seen: list[str] = []
        for page in range(1, 7):
            status, body = await call(session, sandbox, "GET", params={"limit": 10, "page": page})
            assert status == 200
            assert body["meta"] == {"totalResources": 53, "totalPages": 6, "currentPage": page}
            assert len(body["data"]) == (10 if page < 6 else 3)
            seen += [record["_id"] for record in body["data"]]
        assert seen == expected
        status, past_end = await call(session, sandbox, "GET", params={"limit": 10, "page": 7})
        assert status == 200
        assert past_end == {
            "meta": {"totalResources": 53, "totalPages": 6, "currentPage": 7},
            "data": [],
        }


async def test_default_page_size_is_100_and_both_path_forms_work(
    session: aiohttp.ClientSession,
) -> None:
    async with Sandbox(records=150, rate_limit=False) as sandbox:
        for path in (V2, V2.rstrip("/")):
            status, body = await call(session, sandbox, "GET", path)
            assert status == 200
            assert body["meta"] == {"totalResources": 150, "totalPages": 2, "currentPage": 1}
            assert len(body["data"]) == 100
        status, body = await call(session, sandbox, "GET", params={"limit": 500})
        assert (status, len(body["data"]), body["meta"]["totalPages"]) == (200, 150, 1)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "2.5"}, "limit"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"supplierInvoiceStatus": "draft"}, "supplierInvoiceStatus"),
        ({"workOrderNumber": "47a"}, "workOrderNumber"),
        ({"fromInvoiceDate": "2020-13-01"}, "fromInvoiceDate"),
        ({"toInvoiceDate": "15/09/2020"}, "toInvoiceDate"),
        ({"isInvoiceable": "yes"}, "isInvoiceable"),
        ({"isSelfBillingInvoice": "1"}, "isSelfBillingInvoice"),
        ({"exportedToEconomy": "maybe"}, "exportedToEconomy"),
        ({"lastModified": "yesterday"}, "lastModified"),
        ({"sortBy": "noSuchField"}, "sortBy"),
        ({"sortBy": "createDate", "sortDirection": "up"}, "sortDirection"),
    ],
)
async def test_malformed_list_parameters_are_400_naming_the_parameter(
    sb: Sandbox, session: aiohttp.ClientSession, params: dict[str, str], named: str
) -> None:
    status, body = await call(session, sb, "GET", params=params)
    assert status == 400
    assert f"'{named}'" in body["errorMessage"]


FILTERS = [
    "supplierInvoiceNumber",
    "supplierInvoiceStatus",
    "project",
    "customer",
    "workOrder",
    "workOrderNumber",
    "distributor",
    "isInvoiceable",
    "isSelfBillingInvoice",
    "exportedToEconomy",
]


@pytest.mark.parametrize("name", FILTERS)
async def test_each_equality_filter_selects_the_matching_subset(
    sb: Sandbox, session: aiohttp.ClientSession, name: str
) -> None:
    invoices = sb.invoices()
    wanted = next(i[name] for i in invoices if i[name] is not None and i[name] is not False)
    query = str(wanted).lower() if isinstance(wanted, bool) else str(wanted)
    expected = [i["_id"] for i in invoices if i[name] == wanted]
    assert 0 < len(expected) < len(invoices)
    assert await list_ids(session, sb, **{name: query}) == expected


async def test_boolean_filters_take_false_too(sb: Sandbox, session: aiohttp.ClientSession) -> None:
    expected = [i["_id"] for i in sb.invoices() if i["exportedToEconomy"] is False]
    assert await list_ids(session, sb, exportedToEconomy="false") == expected


async def test_invoice_date_range_is_inclusive(sb: Sandbox, session: aiohttp.ClientSession) -> None:
    invoices = sb.invoices()
    days = sorted(i["invoiceDate"][:10] for i in invoices)
    low, high = days[10], days[40]
    expected = [i["_id"] for i in invoices if low <= i["invoiceDate"][:10] <= high]
    assert await list_ids(session, sb, fromInvoiceDate=low, toInvoiceDate=high) == expected
    assert len(expected) >= 31  # both ends included
    only_low = await list_ids(session, sb, fromInvoiceDate=low, toInvoiceDate=low)
    assert only_low == [i["_id"] for i in invoices if i["invoiceDate"][:10] == low]


async def test_combined_filters_all_apply(sb: Sandbox, session: aiohttp.ClientSession) -> None:
    invoices = sb.invoices()
    status, distributor = invoices[0]["supplierInvoiceStatus"], invoices[0]["distributor"]
    expected = [
        i["_id"]
        for i in invoices
        if i["supplierInvoiceStatus"] == status and i["distributor"] == distributor
    ]
    ids = await list_ids(session, sb, supplierInvoiceStatus=status, distributor=distributor)
    assert ids == expected
    assert invoices[0]["_id"] in ids


@pytest.mark.parametrize(
    "form", ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
)
async def test_last_modified_filter_in_each_documented_form(
    sb: Sandbox, session: aiohttp.ClientSession, form: str
) -> None:
    invoices = sb.invoices()
    middle = sorted(utc(i["lastModified"]) for i in invoices)[len(invoices) // 2]
    text = middle.strftime(form)
    since = datetime.strptime(text, form).replace(tzinfo=UTC)
    expected = [i["_id"] for i in invoices if utc(i["lastModified"]) >= since]
    assert 0 < len(expected) < len(invoices)
    assert await list_ids(session, sb, lastModified=text) == expected


async def test_sort_ascending_and_descending(sb: Sandbox, session: aiohttp.ClientSession) -> None:
    up = await call(session, sb, "GET", params={"sortBy": "totalAmountInclTax", "limit": 500})
    amounts = [record["totalAmountInclTax"] for record in up[1]["data"]]
    assert amounts == sorted(amounts)
    assert len(amounts) == 60
    down = await call(
        session,
        sb,
        "GET",
        params={"sortBy": "totalAmountInclTax", "sortDirection": "descending", "limit": 500},
    )
    assert [record["totalAmountInclTax"] for record in down[1]["data"]] == sorted(
        amounts, reverse=True
    )


async def test_sort_is_stable_and_puts_nulls_last(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    invoices = sb.invoices()
    by_status = await list_ids(session, sb, sortBy="supplierInvoiceStatus")
    expected = [i["_id"] for i in sorted(invoices, key=lambda i: i["supplierInvoiceStatus"])]
    assert by_status == expected  # ties keep insertion order
    for direction in ("ascending", "descending"):
        ids = await list_ids(session, sb, sortBy="project", sortDirection=direction)
        projects = [sb.invoice(invoice_id)["project"] for invoice_id in ids]  # type: ignore[index]
        nulls = projects.index(None)
        assert all(project is None for project in projects[nulls:])
        assert projects[:nulls] == sorted(projects[:nulls], reverse=direction == "descending")


# -- get, create, update, delete ------------------------------------------------------------


async def test_get_one_wraps_the_record_in_data(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    invoice = sb.invoices()[7]
    for path in (f"{V2}{invoice['_id']}", f"{V2}{invoice['_id']}/"):
        status, body = await call(session, sb, "GET", path)
        assert status == 200
        assert body == {"data": invoice}
    status, body = await call(session, sb, "GET", f"{V2}5f62c528171548657d215a78")
    assert (status, body) == (404, {"errorMessage": "Supplier invoice not found"})


async def test_create_v2_returns_the_bare_created_object(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    status, created = await call(session, sb, "POST", json_body=NEW_INVOICE)
    assert status == 200
    assert OBJECT_ID.fullmatch(created["_id"])
    assert created["supplierInvoiceNumber"] == "9162"
    assert created["totalAmountInclTax"] == 100000
    assert (created["totalAmount"], created["totalTaxAmount"]) == (80000, 20000)
    assert created["totalAmountToInvoice"] == 80000
    assert (created["taxPercent"], created["supplierInvoiceStatus"], created["OCR"]) == (
        25,
        1,
        "",
    )
    assert created["__v"] == 0
    for key in ("createDate", "invoiceDate", "dueDate"):
        assert TIMESTAMP.fullmatch(created[key])
    [entry] = created["supplierInvoiceLogEntries"]
    assert entry["logType"] == 1
    assert entry["user"] == NEW_INVOICE["createdByUser"]
    assert set(entry) == {"_id", "logType", "description", "user", "userName", "logDate"}
    assert "data" not in created
    assert "customer" not in created
    status, stored = await call(session, sb, "GET", f"{V2}{created['_id']}")
    assert status == 200
    assert stored["data"].keys() >= EXAMPLE_KEYS
    assert {k: stored["data"][k] for k in created} == created
    assert (await list_ids(session, sb))[-1] == created["_id"]  # appended last


async def test_create_applies_optional_fields_and_items(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    body = {
        **NEW_INVOICE,
        "supplierInvoiceStatus": "5",
        "taxPercent": 12,
        "markupPercent": 10,
        "invoiceDate": "2024-02-29",
        "OCR": 1234567890,
        "currencyCode": "EUR",
        "currencyRate": 11.47,
        "notes": "Återkommande service",
        "invoiceItems": [
            {"itemType": "expense", "expenseItem": "e1", "unitPrice": 100, "numberOfItems": 3},
            {"itemType": "onlyamount", "totalAmount": "50.5"},
            {"itemType": "timeLog", "timeCategory": "t1", "pricePerHour": 500},
        ],
    }
    status, created = await call(session, sb, "POST", json_body=body)
    assert status == 200
    assert created["supplierInvoiceStatus"] == 5
    assert created["invoiceDate"] == created["dueDate"] == "2024-02-29T00:00:00.000Z"
    assert created["OCR"] == "1234567890"
    assert (created["currencyCode"], created["currencyRate"]) == ("EUR", 11.47)
    assert created["notes"] == "Återkommande service"
    assert created["totalAmount"] == round(100000 / 1.12, 2)
    assert created["totalAmountToInvoice"] == round(created["totalAmount"] * 1.1, 3)
    items = created["invoiceItems"]
    assert [item["totalAmount"] for item in items] == [300, 50.5, 500]
    assert [item["itemOrder"] for item in items] == [1024, 2048, 3072]
    assert items[0]["totalAmountInclTax"] == 375
    assert items[0]["expenseItem"] == "e1"
    assert all(item.keys() >= EXAMPLE_ITEM_KEYS for item in items)


async def test_sek_currency_rate_is_forced_to_one(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    body = {**NEW_INVOICE, "currencyCode": "SEK", "currencyRate": 9}
    status, created = await call(session, sb, "POST", json_body=body)
    assert (status, created["currencyRate"]) == (200, 1)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"supplierInvoiceNumber": None}, "supplierInvoiceNumber"),
        ({"createdByUser": None}, "createdByUser"),
        ({"distributor": None}, "distributor"),
        ({"totalAmountInclTax": None}, "totalAmountInclTax"),
        ({"totalAmountInclTax": "lots"}, "totalAmountInclTax"),
        ({"supplierInvoiceStatus": 3}, "supplierInvoiceStatus"),
        ({"currencyCode": "EUR"}, "currencyRate"),
        ({"invoiceDate": "2024-02-30"}, "invoiceDate"),
        ({"invoiceItems": [{"itemType": "time", "timeCategory": "t"}]}, "invoiceItems[0].itemType"),
        ({"invoiceItems": [{"itemType": "expense"}]}, "invoiceItems[0].expenseItem"),
        ({"invoiceItems": [{"itemType": "timeLog"}]}, "invoiceItems[0].timeCategory"),
        ({"invoiceItems": [{"itemType": "machineTimeLog"}]}, "invoiceItems[0].machine"),
        (
            {"invoiceItems": [{"itemType": "text"}, {"itemType": "driverJournal"}]},
            "invoiceItems[1].driverJournalItemType",
        ),
        ({"invoiceItems": [{"unit": "st"}]}, "invoiceItems[0].itemType"),
    ],
)
async def test_create_validation_names_the_field(
    sb: Sandbox, session: aiohttp.ClientSession, change: dict[str, Any], named: str
) -> None:
    body = {key: value for key, value in {**NEW_INVOICE, **change}.items() if value is not None}
    status, error = await call(session, sb, "POST", json_body=body)
    assert status == 400
    assert f"'{named}'" in error["errorMessage"]
    assert len(sb.store) == 60  # nothing was created


async def test_bad_json_bodies_are_400(sb: Sandbox, session: aiohttp.ClientSession) -> None:
    for data, content_type in (
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (json.dumps(NEW_INVOICE).encode(), "text/plain"),
    ):
        async with session.post(
            sb.url + V2, data=data, headers={**auth(sb), "Content-Type": content_type}
        ) as response:
            assert response.status == 400
            assert "errorMessage" in await response.json()


async def test_create_v1_parses_a_bracketed_form(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    form = (
        "supplierInvoiceNumber=9162&createdByUser=u1&distributor=d1&totalAmountInclTax=125"
        "&isInvoiceable=false&notes=Sj%C3%A4lvfaktura"
        "&invoiceItems[0][itemType]=expense&invoiceItems[0][expenseItem]=abc"
        "&invoiceItems[0][unitPrice]=10&invoiceItems[0][numberOfItems]=2"
        "&invoiceItems[1][itemType]=driverJournal&invoiceItems[1][driverJournalItemType]=dj"
    )
    headers = {**auth(sb), "Content-Type": "application/x-www-form-urlencoded"}
    async with session.post(sb.url + V1, data=form, headers=headers) as response:
        assert response.status == 200
        created = await response.json()
    assert created["supplierInvoiceNumber"] == "9162"
    assert (created["totalAmountInclTax"], created["totalAmount"]) == (125, 100)
    assert created["isInvoiceable"] is False
    assert created["notes"] == "Självfaktura"
    first, second = created["invoiceItems"]
    assert (first["itemType"], first["expenseItem"], first["totalAmount"]) == ("expense", "abc", 20)
    assert (second["itemType"], second["driverJournalItemType"]) == ("driverJournal", "dj")
    assert sb.invoice(created["_id"]) is not None
    bad = form.replace("[expenseItem]=abc", "[other]=abc")
    async with session.post(sb.url + V1.rstrip("/"), data=bad, headers=headers) as response:
        assert response.status == 400
        assert "'invoiceItems[0].expenseItem'" in (await response.json())["errorMessage"]


async def test_update_applies_fields_logs_and_touches_last_modified(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    before = sb.invoices()[5]
    change = {
        "_id": before["_id"],
        "modifiedByUser": "5f48eb3e65d7ee4942c68597",
        "supplierInvoiceStatus": "7",
        "totalAmountInclTax": 125,
        "taxPercent": 25,
        "yourReference": "Åsa Öberg",
    }
    status, updated = await call(session, sb, "PUT", json_body=change)
    assert status == 200
    assert updated["_id"] == before["_id"]
    assert updated["supplierInvoiceStatus"] == 7
    assert (updated["totalAmount"], updated["totalTaxAmount"]) == (100, 25)
    assert updated["yourReference"] == "Åsa Öberg"
    assert updated["supplierInvoiceNumber"] == before["supplierInvoiceNumber"]
    log = updated["supplierInvoiceLogEntries"]
    assert len(log) == len(before["supplierInvoiceLogEntries"]) + 1
    assert log[-1]["user"] == change["modifiedByUser"]
    assert utc(updated["lastModified"]) > utc(before["lastModified"])
    assert (await call(session, sb, "GET", f"{V2}{before['_id']}"))[1] == {"data": updated}
    since = utc(updated["lastModified"]).strftime("%Y-%m-%d %H:%M")
    assert before["_id"] in await list_ids(session, sb, lastModified=since)
    assert await list_ids(session, sb) == [i["_id"] for i in sb.invoices()]  # order kept


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"modifiedByUser": "u"}, 400, "'_id'"),
        ({"_id": "EXISTING"}, 400, "'modifiedByUser'"),
        ({"_id": "5f62c528171548657d215a78", "modifiedByUser": "u"}, 404, "not found"),
        ({"_id": "EXISTING", "modifiedByUser": "u", "supplierInvoiceStatus": 2}, 400, "Status"),
    ],
)
async def test_update_errors(
    sb: Sandbox, session: aiohttp.ClientSession, body: dict[str, Any], status: int, needle: str
) -> None:
    existing = sb.invoices()[0]
    body = {k: existing["_id"] if v == "EXISTING" else v for k, v in body.items()}
    got, error = await call(session, sb, "PUT", json_body=body)
    assert got == status
    assert needle.lower() in error["errorMessage"].lower()
    assert sb.invoices()[0] == existing


async def test_delete_removes_and_answers_id_and_number(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    victim = sb.invoices()[3]
    body = {"_id": victim["_id"], "deletedByUser": "51203146506d961c03649852"}
    status, deleted = await call(session, sb, "DELETE", json_body=body)
    assert (status, deleted) == (
        200,
        {"_id": victim["_id"], "supplierInvoiceNumber": victim["supplierInvoiceNumber"]},
    )
    assert (await call(session, sb, "GET", f"{V2}{victim['_id']}"))[0] == 404
    assert (await call(session, sb, "DELETE", json_body=body))[0] == 404
    status, error = await call(session, sb, "DELETE", json_body={"_id": victim["_id"]})
    assert status == 400
    assert "'deletedByUser'" in error["errorMessage"]
    assert len(await list_ids(session, sb)) == 59


async def test_unknown_routes_are_404(sb: Sandbox, session: aiohttp.ClientSession) -> None:
    for method, path in (("GET", "/api/2/noSuchThings/"), ("PATCH", V2), ("GET", V1)):
        status, body = await call(session, sb, method, path)
        assert status == 404
        assert "errorMessage" in body


# -- auth and rate limit --------------------------------------------------------------------


async def test_auth_needs_a_valid_client_secret(session: aiohttp.ClientSession) -> None:
    async with Sandbox(records=5, client_secret="s-main", extra_secrets=["s-other"]) as sandbox:
        for headers in ({}, {"Client-Secret": "wrong"}):
            status, body = await call(session, sandbox, "GET", headers=headers)
            assert status == 401
            assert body["errorMessage"]
        assert (await call(session, sandbox, "GET", headers={"Client-Secret": "s-other"}))[0] == 200
        assert [entry.key for entry in sandbox.requests] == [None, None, "key1"]
        assert [entry.authorized for entry in sandbox.requests] == [False, False, True]
        assert "s-main" not in repr(sandbox.requests)
        assert "s-other" not in repr(sandbox.requests)


async def test_a_burst_of_six_gets_two_429s(session: aiohttp.ClientSession) -> None:
    async def fire(sandbox: Sandbox) -> list[tuple[int, str | None, Any]]:
        async def one() -> tuple[int, str | None, Any]:
            async with session.get(sandbox.url + V2, headers=auth(sandbox)) as response:
                return response.status, response.headers.get("Retry-After"), await response.json()

        return await asyncio.gather(*(one() for _ in range(6)))

    async with Sandbox(records=5) as limited:
        answers = await fire(limited)
        rejected = [answer for answer in answers if answer[0] == 429]
        assert Counter(status for status, _, _ in answers) == {200: 4, 429: 2}
        assert all(retry == "1" for _, retry, _ in rejected)
        assert all(body == {"errorMessage": "Too many requests"} for _, _, body in rejected)
        assert limited.count_429 == 2
        assert limited.max_requests_in_any_window(1.0, accepted_only=True) == 4
    async with Sandbox(records=5, rate_limit=False) as unlimited:
        assert [status for status, _, _ in await fire(unlimited)] == [200] * 6
        assert unlimited.count_429 == 0


async def test_rate_limit_is_per_key_and_retry_after_can_be_off(
    session: aiohttp.ClientSession,
) -> None:
    async with Sandbox(records=5, extra_secrets=["second"], retry_after=False) as sandbox:

        async def one(secret: str) -> tuple[int, str | None]:
            headers = {"Client-Secret": secret}
            async with session.get(sandbox.url + V2, headers=headers) as response:
                return response.status, response.headers.get("Retry-After")

        answers = await asyncio.gather(
            *(one(secret) for secret in [sandbox.client_secret] * 5 + ["second"] * 4)
        )
        assert sorted(status for status, _ in answers) == [200] * 8 + [429]
        assert all(retry is None for _, retry in answers)
        assert sandbox.max_requests_in_any_window(key="key1") == 4


# -- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "content_type"),
    [
        ("500", 500, "application/json"),
        ("503", 503, "application/json"),
        ("429", 429, "application/json"),
        ("502_html", 502, "text/html"),
        ("504_html", 504, "text/html"),
    ],
)
async def test_answering_faults(
    sb: Sandbox, session: aiohttp.ClientSession, kind: str, status: int, content_type: str
) -> None:
    sb.faults.script([kind])
    async with session.post(sb.url + V2, json=NEW_INVOICE, headers=auth(sb)) as response:
        assert response.status == status
        assert response.content_type == content_type
        text = await response.text()
    if content_type == "text/html":
        assert f"<h1>{status} " in text
    else:
        assert json.loads(text)["errorMessage"]
    if kind == "429":
        assert response.headers["Retry-After"] == "1"
    assert len(sb.store) == 60  # a fault before processing writes nothing
    assert sb.requests[-1].fault == kind
    assert sb.requests[-1].status == status


async def test_reset_drops_the_connection_without_an_answer(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    sb.faults.script(["reset"])
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await session.post(sb.url + V2, json=NEW_INVOICE, headers=auth(sb))
    assert (await call(session, sb, "GET"))[0] == 200  # the next request is answered
    assert [(entry.status, entry.fault) for entry in sb.requests] == [(None, "reset"), (200, None)]
    assert len(sb.store) == 60


async def test_aiohttp_resends_a_get_once_after_a_reset(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    sb.faults.script(["reset", "reset", "reset"], method="GET")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await session.get(sb.url + V2, headers=auth(sb))
    # One call of the client, two requests on the wire: the log shows the silent re-send.
    assert [entry.fault for entry in sb.requests] == ["reset", "reset"]
    assert sb.faults.pending == 1


async def test_truncated_answer_keeps_status_but_cuts_the_json(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    invoice_id = sb.invoices()[0]["_id"]
    sb.faults.script(["truncated"])
    async with session.get(f"{sb.url}{V2}{invoice_id}", headers=auth(sb)) as response:
        assert (response.status, response.content_type) == (200, "application/json")
        cut = await response.read()
    async with session.get(f"{sb.url}{V2}{invoice_id}", headers=auth(sb)) as response:
        whole = await response.read()
    assert whole.startswith(cut)
    assert 0 < len(cut) < len(whole)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut)


async def test_slow_answers_normally_after_the_wait(session: aiohttp.ClientSession) -> None:
    async with Sandbox(records=5, slow_seconds=0.3, rate_limit=False) as sandbox:
        sandbox.faults.script(["slow"])
        started = time.monotonic()
        status, body = await call(session, sandbox, "GET")
        assert time.monotonic() - started >= 0.3
        assert status == 200
        assert body["meta"]["totalResources"] == 5


async def test_latency_delays_every_answer(session: aiohttp.ClientSession) -> None:
    async with Sandbox(records=5, latency=0.2) as sandbox:
        started = time.monotonic()
        assert (await call(session, sandbox, "GET", headers={}))[0] == 401
        assert time.monotonic() - started >= 0.2


async def test_a_request_given_up_during_the_latency_still_arrived(
    session: aiohttp.ClientSession,
) -> None:
    # The real API counts a request when it arrives, whether or not its client waits
    # for the answer: the request log must too (the benchmarks count wasted requests).
    async with Sandbox(records=5, latency=5.0) as sandbox:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await call(session, sandbox, "GET", params={"limit": "5"})
        assert [(e.path, e.status) for e in sandbox.requests] == [(V2, 200)]


async def test_scripted_faults_come_in_order_and_only_for_their_method(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    sb.faults.script(["500", None, "reset", "503"], method="POST")
    assert (await call(session, sb, "GET"))[0] == 200  # a GET does not take the POST script
    statuses: list[int | str] = []
    for number in range(5):
        try:
            body = {**NEW_INVOICE, "supplierInvoiceNumber": 100 + number}
            async with session.post(sb.url + V2, json=body, headers=auth(sb)) as response:
                statuses.append(response.status)
        except aiohttp.ClientConnectionError:
            statuses.append("reset")
    assert statuses == [500, 200, "reset", 503, 200]
    assert sb.faults.pending == 0
    created = {i["supplierInvoiceNumber"] for i in sb.invoices()} & {
        str(n) for n in range(100, 105)
    }
    assert created == {"101", "104"}


async def test_500_after_a_create_has_written_it_so_a_retry_duplicates(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    sb.faults.script(["500"], method="POST", when="after")
    body = {**NEW_INVOICE, "supplierInvoiceNumber": 777}
    assert (await call(session, sb, "POST", json_body=body))[0] == 500
    assert [i["supplierInvoiceNumber"] for i in sb.invoices()].count("777") == 1
    assert (await call(session, sb, "POST", json_body=body))[0] == 200  # a blind retry
    assert [i["supplierInvoiceNumber"] for i in sb.invoices()].count("777") == 2
    assert sb.requests[-2].fault == "500_after"


async def test_reset_after_versus_before_on_create(sb: Sandbox) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as client:
        for spec, number, created in (("reset", 1, 0), ("reset_after", 2, 1)):
            sb.faults.script([spec])
            with pytest.raises(aiohttp.ClientConnectionError):
                await client.post(
                    sb.url + V2,
                    json={**NEW_INVOICE, "supplierInvoiceNumber": number},
                    headers=auth(sb),
                )
            numbers = [i["supplierInvoiceNumber"] for i in sb.invoices()]
            assert numbers.count(str(number)) == created


async def test_random_faults_are_seeded_and_reproducible(session: aiohttp.ClientSession) -> None:
    async def statuses(fault_seed: int) -> list[int]:
        options: dict[str, Any] = {"fault_rate": 0.5, "fault_kinds": ["500", "503"]}
        async with Sandbox(
            records=3, rate_limit=False, fault_seed=fault_seed, **options
        ) as sandbox:
            return [(await call(session, sandbox, "GET"))[0] for _ in range(16)]

    first = await statuses(5)
    assert first == await statuses(5)
    assert {200, 500, 503} == set(first)
    async with Sandbox(records=3, rate_limit=False, fault_rate=1.0, fault_kinds=["503"]) as always:
        assert [(await call(session, always, "GET"))[0] for _ in range(3)] == [503] * 3
        always.configure(fault_rate=0.0)
        assert (await call(session, always, "GET"))[0] == 200


# -- the request log and direct mutators ----------------------------------------------------


async def test_request_log_records_what_matters(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    await call(session, sb, "GET", params={"limit": "5", "customer": "abc"})
    await call(session, sb, "GET", headers={"Client-Secret": "nope"})
    sb.faults.script(["503"])
    await call(session, sb, "GET", f"{V2}{sb.invoices()[0]['_id']}")
    log = sb.requests
    assert [(e.method, e.path, e.status, e.key, e.fault) for e in log] == [
        ("GET", V2, 200, "key0", None),
        ("GET", V2, 401, None, None),
        ("GET", f"{V2}{sb.invoices()[0]['_id']}", 503, "key0", "503"),
    ]
    assert log[0].query == {"limit": "5", "customer": "abc"}
    assert [e.seq for e in log] == sorted(e.seq for e in log)
    assert log[0].time <= log[1].time <= log[2].time
    assert sb.max_requests_in_any_window(10.0) == 3
    with pytest.raises(AttributeError):
        log[0].status = 500  # type: ignore[misc]
    sb.clear_requests()
    assert sb.requests == []


async def test_drift_helpers_change_what_the_list_returns(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    added = sb.add_invoice(supplierInvoiceNumber="4242", project=None, OCR="0042")
    assert added.keys() >= EXAMPLE_KEYS
    assert added["OCR"] == "0042"
    _status, page = await call(session, sb, "GET", params={"supplierInvoiceNumber": "4242"})
    assert page["data"] == [added]
    first = sb.invoices()[0]["_id"]
    assert sb.delete_invoice(first) is True
    assert sb.delete_invoice(first) is False
    ids = await list_ids(session, sb)
    assert len(ids) == 60
    assert first not in ids
    assert ids[-1] == added["_id"]


async def test_build_app_serves_the_same_api() -> None:
    from aiohttp.test_utils import TestClient, TestServer

    app = build_app(records=12, rate_limit=False, client_secret="k")
    state = app[SANDBOX_STATE]
    async with TestClient(TestServer(app)) as client:
        response = await client.get(V2, headers={"Client-Secret": "k"})
        assert response.status == 200
        assert (await response.json())["meta"]["totalResources"] == 12
    assert [entry.status for entry in state.requests] == [200]


# -- other ways to run ----------------------------------------------------------------------


async def test_sandbox_process_serves_from_a_child_process() -> None:
    async with SandboxProcess(records=30, seed=1, rate_limit=False, quiet=True) as server:
        assert server.pid is not None
        async with aiohttp.ClientSession() as client:
            headers = {"Client-Secret": server.client_secret}
            async with client.get(server.url + V2, params={"limit": 7}, headers=headers) as r:
                body = await r.json()
        expected = SandboxState(SandboxConfig(records=30, seed=1)).invoices()[:7]
        assert body["meta"] == {"totalResources": 30, "totalPages": 5, "currentPage": 1}
        assert body["data"] == expected
        url = server.url
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as client:
            await client.get(url + V2)


async def test_pytest_plugin_fixture(seventime_sandbox: Sandbox) -> None:
    assert seventime_sandbox.running
    assert seventime_sandbox.config == SandboxConfig()
    async with aiohttp.ClientSession() as client:
        status, body = await call(client, seventime_sandbox, "GET")
    assert (status, body["meta"]["totalResources"]) == (200, 250)


@pytest.fixture
def small_sandbox_marker(request: pytest.FixtureRequest) -> None:
    # Added at run time, once the plugin has registered its marker (a decorator on this
    # test would be evaluated before this module's pytest_plugins is loaded).
    request.node.add_marker(pytest.mark.seventime_sandbox(records=9, client_secret="marked"))


async def test_pytest_plugin_fixture_takes_options_from_a_marker(
    small_sandbox_marker: None, seventime_sandbox: Sandbox
) -> None:
    assert seventime_sandbox.client_secret == "marked"
    assert len(seventime_sandbox.invoices()) == 9


# -- write validation, pure -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("supplierInvoiceNumber", "12a", "supplierInvoiceNumber"),
        ("supplierInvoiceNumber", -5, "supplierInvoiceNumber"),
        ("supplierInvoiceNumber", 12.5, "supplierInvoiceNumber"),
        ("supplierInvoiceStatus", True, "supplierInvoiceStatus"),
        ("distributor", 42, "distributor"),
        ("customer", ["x"], "customer"),
        ("taxPercent", -1, "taxPercent"),
        ("currencyRate", 0, "currencyRate"),
        ("currencyCode", "KRONOR", "currencyCode"),
        ("OCR", "12-34", "OCR"),
        ("isInvoiceable", "yes", "isInvoiceable"),
        ("notes", {"a": 1}, "notes"),
        ("dueDate", 20240101, "dueDate"),
        ("invoiceItems", {"0": {}}, "invoiceItems"),
        ("invoiceItems", ["expense"], "invoiceItems[0]"),
        ("invoiceItems", [{"itemType": "general", "taxPercent": 7}], "invoiceItems[0].taxPercent"),
        (
            "invoiceItems",
            [{"itemType": "general", "houseWorkTypeOfWork": "1.5"}],
            "invoiceItems[0].houseWorkTypeOfWork",
        ),
        ("invoiceItems", [{"itemType": "general", "unitCost": "x"}], "invoiceItems[0].unitCost"),
    ],
)
def test_write_validation_rejects_bad_values(field: str, value: Any, named: str) -> None:
    from seventime_async.testing._query import ApiError
    from seventime_async.testing._writes import validate_fields

    with pytest.raises(ApiError, match=re.escape(f"'{named}'")) as caught:
        validate_fields({**NEW_INVOICE, field: value}, creating=True)
    assert caught.value.status == 400


def test_write_validation_normalizes_and_filters_keys() -> None:
    from seventime_async.testing._writes import validate_fields

    fields = validate_fields(
        {
            **NEW_INVOICE,
            "supplierInvoiceNumber": "0042",
            "supplierInvoiceStatus": "10",
            "OCR": "007",
            "isInvoiceable": "TRUE",
            "ourReference": 12,
            "customer": "",
            "currencyCode": "eur",
            "currencyRate": "11.5",
            "department": "d-1",  # a schema key without documented rules: kept as sent
            "mysteryField": 1,  # not in the schema: dropped
            "totalAmount": 5,  # computed by the server: dropped
            "invoiceItems": "",
        },
        creating=True,
    )
    assert fields == {
        "supplierInvoiceNumber": "42",
        "createdByUser": NEW_INVOICE["createdByUser"],
        "distributor": NEW_INVOICE["distributor"],
        "totalAmountInclTax": 100000,
        "supplierInvoiceStatus": 10,
        "OCR": "007",
        "isInvoiceable": True,
        "ourReference": "12",
        "customer": None,
        "currencyCode": "EUR",
        "currencyRate": 11.5,
        "department": "d-1",
        "invoiceItems": [],
    }


def test_update_validation_keeps_required_fields_filled() -> None:
    from seventime_async.testing._query import ApiError
    from seventime_async.testing._writes import validate_fields

    assert validate_fields({"createdByUser": "u", "notes": None}, creating=False) == {"notes": ""}
    with pytest.raises(ApiError, match="'distributor' cannot be empty"):
        validate_fields({"distributor": ""}, creating=False)


async def test_update_refreshes_names_items_and_currency(
    sb: Sandbox, session: aiohttp.ClientSession
) -> None:
    pools = sb.store.pools
    order, department = pools.work_orders[1], pools.departments[0]
    target = sb.invoices()[2]
    change = {
        "_id": target["_id"],
        "modifiedByUser": pools.users[0].id,
        "workOrder": order.id,
        "department": department.id,
        "distributor": pools.distributors[0].id,
        "currencyCode": "SEK",
        "invoiceItems": [{"itemType": "timeLog", "timeCategory": pools.time_categories[0].id}],
    }
    status, updated = await call(session, sb, "PUT", json_body=change)
    assert status == 200
    assert (updated["workOrderTitle"], updated["workOrderNumber"]) == (order.title, order.number)
    assert updated["departmentName"] == department.name
    assert updated["distributorName"] == pools.distributors[0].name
    assert updated["currencyRate"] == 1
    [item] = updated["invoiceItems"]
    assert item["categoryName"] == pools.time_categories[0].name
    assert updated["supplierInvoiceLogEntries"][-1]["userName"] == pools.users[0].name
    assert updated["__v"] == target["__v"] + 1


# -- knobs, lifecycle, command line ---------------------------------------------------------


def test_fault_injector_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match=r"within 0\.\.1"):
        FaultInjector(rate=2.0, kinds=["500"])
    with pytest.raises(ValueError, match="at least one fault kind"):
        FaultInjector(rate=0.5, kinds=[])
    with pytest.raises(ValueError, match="'before' or 'after'"):
        Fault("500", "later")  # type: ignore[arg-type]


async def test_configure_changes_live_knobs_only(session: aiohttp.ClientSession) -> None:
    async with Sandbox(records=3) as sandbox:
        with pytest.raises(ValueError, match="cannot change records, seed"):
            sandbox.configure(records=5, seed=2)
        sandbox.configure(rate_limit_per_second=1)
        statuses = [(await call(session, sandbox, "GET"))[0] for _ in range(2)]
        assert statuses == [200, 429]
        sandbox.configure(rate_limit=False)
        assert (await call(session, sandbox, "GET"))[0] == 200


async def test_sandbox_lifecycle() -> None:
    sandbox = Sandbox(records=2)
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.url
    await sandbox.start()
    url = sandbox.url
    await sandbox.start()  # idempotent
    assert sandbox.url == url
    assert url in repr(sandbox)
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(OSError, match="address"):
        await Sandbox(records=1, port=port).start()
    await sandbox.close()
    await sandbox.close()
    assert not sandbox.running
    assert "not running" in repr(sandbox)


async def test_serve_prints_one_ready_line_and_stops_on_request(
    session: aiohttp.ClientSession,
) -> None:
    import io

    from seventime_async.testing._cli import serve

    out, stop = io.StringIO(), asyncio.Event()
    server = asyncio.create_task(serve({"records": 4, "client_secret": "cli"}, out=out, stop=stop))
    for _ in range(200):
        if out.getvalue():
            break
        await asyncio.sleep(0.01)
    ready = json.loads(out.getvalue())
    assert out.getvalue().count("\n") == 1
    assert set(ready) == {"url", "client_secret"}
    assert ready["client_secret"] == "cli"
    async with session.get(ready["url"] + V2, headers={"Client-Secret": "cli"}) as response:
        assert (await response.json())["meta"]["totalResources"] == 4
    stop.set()
    await server


def test_main_parses_arguments_and_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    from seventime_async.testing import _cli

    served: list[tuple[dict[str, Any], dict[str, Any]]] = []

    async def fake_serve(options: dict[str, Any], **where: Any) -> None:
        served.append((options, where))

    monkeypatch.setattr(_cli, "serve", fake_serve)
    assert _cli.main(["--records", "7", "--port", "8123", "--no-rate-limit"]) == 0
    [(options, where)] = served
    assert SandboxConfig(**options) == SandboxConfig(records=7, rate_limit=False)
    assert where == {"host": "127.0.0.1", "port": 8123, "access_log": False, "request_log": None}
    assert _cli.main(["--request-log", "r.jsonl"]) == 0
    assert served[-1][1]["request_log"] == "r.jsonl"
    with pytest.raises(SystemExit) as exited:
        _cli.main(["--fault-kinds", "bogus"])
    assert exited.value.code == 2
    monkeypatch.setattr("sys.argv", ["seventime_async.testing", "--seed", "4"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("seventime_async.testing", run_name="__main__")
    assert exited.value.code == 0
    assert served[-1][0]["seed"] == 4


def test_argv_for_rejects_unknown_options() -> None:
    with pytest.raises(TypeError, match="unknown sandbox option 'colour'"):
        argv_for({"colour": "blue"})


def test_sandbox_process_as_a_plain_context_manager() -> None:
    import urllib.request

    process = SandboxProcess(records=4, quiet=True, extra_secrets=["two"])
    assert process.stop() is None  # not started: nothing to stop
    with pytest.raises(RuntimeError, match="not running"):
        _ = process.url
    with pytest.raises(RuntimeError, match="not running"):
        _ = process.client_secret
    with process as server:
        request = urllib.request.Request(server.url + V2, headers={"Client-Secret": "two"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["meta"]["totalResources"] == 4
    assert process.pid is None


def test_sandbox_process_reports_a_child_that_does_not_start() -> None:
    broken = SandboxProcess(quiet=True)
    broken.argv.append("--no-such-flag")
    with pytest.raises(RuntimeError, match="exited with code 2"):
        broken.start()
    slow = SandboxProcess(quiet=True, startup_timeout=0.0001)
    with pytest.raises(TimeoutError, match="did not start listening"):
        slow.start()
    assert slow.pid is None


def test_a_sandbox_process_writes_its_request_log_as_it_stops(tmp_path: Path) -> None:
    from seventime_async import SevenTime
    from seventime_async.testing import SandboxProcess

    log = tmp_path / "requests.jsonl"

    async def one_list(server: SandboxProcess) -> None:
        async with SevenTime(server.client_secret, base_url=server.url) as st:
            await st.supplier_invoices.list().collect()

    with SandboxProcess(records=3, request_log=str(log), quiet=True) as server:
        asyncio.run(one_list(server))
        assert not log.exists()  # written on the way out
    (entry,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert entry["key"] == "key0"
    assert entry["status"] == 200
    assert (entry["method"], entry["path"]) == ("GET", "/api/2/supplierInvoices/")
    assert isinstance(entry["time"], float)
