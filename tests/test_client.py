"""Every endpoint through a real aiohttp.ClientSession, with aioresponses as the server."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aioresponses import CallbackResult
from yarl import URL

from seventime_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    InvalidRequestError,
    ItemType,
    NewInvoiceItem,
    NotFoundError,
    PaginationError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    SevenTime,
    SupplierInvoiceStatus,
    UnexpectedResponseError,
)

from .conftest import BASE, SECRET

LIST_URL = re.compile(r"^https://api\.test/api/2/supplierInvoices/\?.*$")
ROOT = f"{BASE}/api/2/supplierInvoices/"


def page_body(page: int, total_pages: int, ids: list[str], total: int | None = None) -> dict:
    return {
        "meta": {
            "totalResources": total if total is not None else len(ids) * total_pages,
            "totalPages": total_pages,
            "currentPage": page,
        },
        "data": [{"_id": i, "totalAmount": 7681.7} for i in ids],
    }


def client(**kwargs: Any) -> SevenTime:
    kwargs.setdefault("rate_limit", None)
    return SevenTime(SECRET, base_url=BASE, **kwargs)


def sent_calls(mock_api: Any, method: str, url: str) -> list[Any]:
    return [
        call
        for (m, u), calls in mock_api.requests.items()
        if m == method and str(u).startswith(url)
        for call in calls
    ]


async def test_secret_from_env_and_a_clear_error_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEVENTIME_CLIENT_SECRET", "from-env")
    assert SevenTime()._sender._secret.reveal() == "from-env"
    monkeypatch.delenv("SEVENTIME_CLIENT_SECRET")
    with pytest.raises(InvalidRequestError, match="SEVENTIME_CLIENT_SECRET"):
        SevenTime()


@pytest.mark.parametrize("secret", ["abc\r\nX-Evil: 1", "abc\n", " abc", "åäö"])
def test_header_injection_and_odd_secrets_are_refused_without_echo(secret: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        SevenTime(secret)
    assert secret.strip() not in str(info.value)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://app.seventime.se", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:1", True),
        ("http://[::1]:9", True),
        ("http://app.seventime.se", False),
        ("http://10.0.0.1", False),
        ("ftp://x", False),
        ("https://user:pw@app.seventime.se", False),
        ("https://app.seventime.se/?x=1", False),
    ],
)
def test_plain_http_only_for_loopback(url: str, ok: bool) -> None:
    if ok:
        assert SevenTime(SECRET, base_url=url).base_url == url.rstrip("/")
    else:
        with pytest.raises(InvalidRequestError):
            SevenTime(SECRET, base_url=url)


def test_repr_never_shows_the_secret() -> None:
    st = SevenTime(SECRET)
    assert SECRET not in repr(st)
    assert SECRET not in repr(vars(st))
    assert "redacted" in repr(st)


async def test_list_walks_every_page_and_sends_auth_and_json_headers(mock_api: Any) -> None:
    mock_api.get(LIST_URL, payload=page_body(1, 3, ["a", "b"]))
    mock_api.get(LIST_URL, payload=page_body(2, 3, ["c", "d"]))
    mock_api.get(LIST_URL, payload=page_body(3, 3, ["e"]))
    async with client() as st:
        invoices = await st.supplier_invoices.list(
            supplier_invoice_status=SupplierInvoiceStatus.DRAFT, concurrency=1
        ).collect()
    assert [i.id for i in invoices] == ["a", "b", "c", "d", "e"]
    assert all(i.total_amount == Decimal("7681.7") for i in invoices)
    calls = sent_calls(mock_api, "GET", ROOT)
    assert [dict(c.kwargs["params"])["page"] for c in calls] == ["1", "2", "3"]
    first = dict(calls[0].kwargs["params"])
    assert first == {"supplierInvoiceStatus": "5", "limit": "500", "page": "1"}
    headers = calls[0].kwargs["headers"]
    assert headers["Client-Secret"] == SECRET
    assert headers["Content-Type"] == headers["Accept"] == "application/json"


async def test_pages_expose_meta(mock_api: Any) -> None:
    mock_api.get(LIST_URL, payload=page_body(1, 2, ["a", "b"], total=3))
    mock_api.get(LIST_URL, payload=page_body(2, 2, ["c"], total=3))
    async with client() as st:
        pages = [p async for p in st.supplier_invoices.list(customer="c1", limit=2).pages()]
    assert [(p.meta.current_page, p.meta.total_pages, len(p.items)) for p in pages] == [
        (1, 2, 2),
        (2, 2, 1),
    ]
    assert pages[0].meta.total_resources == 3


async def test_list_stops_on_an_empty_page(mock_api: Any) -> None:
    mock_api.get(LIST_URL, payload=page_body(1, 5, ["a"]))
    mock_api.get(LIST_URL, payload=page_body(2, 5, []))
    async with client() as st:
        invoices = await st.supplier_invoices.list(concurrency=1).collect()
    assert [i.id for i in invoices] == ["a"]
    assert len(sent_calls(mock_api, "GET", ROOT)) == 2


async def test_a_server_that_does_not_advance_raises_instead_of_looping(mock_api: Any) -> None:
    mock_api.get(LIST_URL, payload=page_body(1, 3, ["a"]), repeat=True)
    async with client() as st:
        with pytest.raises(PaginationError, match="asked for page 2"):
            await st.supplier_invoices.list(concurrency=1).collect()


async def test_breaking_out_early_leaves_no_task_or_connection(mock_api: Any) -> None:
    for n in range(1, 5):
        mock_api.get(LIST_URL, payload=page_body(n, 4, [f"r{n}a", f"r{n}b"]))
    async with client() as st:
        paginator = st.supplier_invoices.list()
        async with paginator:
            async for invoice in paginator:
                assert invoice.id == "r1a"
                break
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert others == []
        session = st._transport.session
        assert session is not None
    assert session.closed


async def test_get_decodes_the_data_envelope_and_quotes_the_id(mock_api: Any) -> None:
    mock_api.get(f"{ROOT}abc%20def", payload={"data": {"_id": "abc def", "OCR": ""}})
    async with client() as st:
        invoice = await st.supplier_invoices.get("abc def")
    assert invoice.id == "abc def"
    assert invoice.ocr == ""


async def test_create_v2_and_v1(mock_api: Any) -> None:
    created = {"_id": "new1", "supplierInvoiceNumber": "9162", "totalAmountInclTax": 100000}
    mock_api.post(ROOT, payload=created)
    mock_api.post(f"{BASE}/api/1/supplierInvoices/", payload=created)
    item = NewInvoiceItem(item_type=ItemType.EXPENSE, expense_item="e1")
    async with client() as st:
        v2 = await st.supplier_invoices.create(
            supplier_invoice_number=9162,
            created_by_user="u1",
            distributor="d1",
            total_amount_incl_tax=Decimal("100000"),
            invoice_items=[item],
        )
        v1 = await st.supplier_invoices.create(
            supplier_invoice_number=9162,
            created_by_user="u1",
            distributor="d1",
            total_amount_incl_tax=Decimal("100000"),
            invoice_items=[item],
            api_version=1,
        )
    assert v2.id == v1.id == "new1"
    assert v2.supplier_invoice_number == "9162"
    [json_call] = sent_calls(mock_api, "POST", ROOT)
    assert json.loads(json_call.kwargs["data"])["invoiceItems"] == [
        {"itemType": "expense", "expenseItem": "e1"}
    ]
    [form_call] = sent_calls(mock_api, "POST", f"{BASE}/api/1/")
    assert form_call.kwargs["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    form = dict(parse_qsl(form_call.kwargs["data"].decode()))
    assert form["invoiceItems[0][expenseItem]"] == "e1"


async def test_update_puts_only_the_given_fields(mock_api: Any) -> None:
    mock_api.put(ROOT, payload={"_id": "x", "supplierInvoiceStatus": 7})
    async with client() as st:
        updated = await st.supplier_invoices.update(
            "x", modified_by_user="u1", supplier_invoice_status=SupplierInvoiceStatus.SENT
        )
    assert updated.supplier_invoice_status is SupplierInvoiceStatus.SENT
    [call] = sent_calls(mock_api, "PUT", ROOT)
    assert json.loads(call.kwargs["data"]) == {
        "_id": "x",
        "modifiedByUser": "u1",
        "supplierInvoiceStatus": 7,
    }


async def test_delete_sends_a_json_body(mock_api: Any) -> None:
    mock_api.delete(ROOT, payload={"_id": "x", "supplierInvoiceNumber": "9162"})
    async with client() as st:
        gone = await st.supplier_invoices.delete("x", deleted_by_user="u1")
    assert (gone.id, gone.supplier_invoice_number) == ("x", "9162")
    [call] = sent_calls(mock_api, "DELETE", ROOT)
    assert json.loads(call.kwargs["data"]) == {"_id": "x", "deletedByUser": "u1"}


async def test_status_errors_carry_status_message_method_and_path(mock_api: Any) -> None:
    mock_api.get(f"{ROOT}missing", status=404, payload={"errorMessage": "Not found"})
    mock_api.get(f"{ROOT}any", status=401, payload={"errorMessage": "Wrong key"})
    async with client() as st:
        with pytest.raises(NotFoundError) as missing:
            await st.supplier_invoices.get("missing")
        with pytest.raises(AuthenticationError) as unauthorized:
            await st.supplier_invoices.get("any")
    assert missing.value.status == 404
    assert missing.value.error_message == "Not found"
    assert (missing.value.method, missing.value.path) == ("GET", "/api/2/supplierInvoices/missing")
    assert missing.value.attempts == 1
    assert SECRET not in str(unauthorized.value)


async def test_invalid_input_sends_nothing(mock_api: Any) -> None:
    async with client() as st:
        with pytest.raises(InvalidRequestError):
            await st.supplier_invoices.get("../etc")
        with pytest.raises(InvalidRequestError):
            st.supplier_invoices.list(limit=1000)
        with pytest.raises(InvalidRequestError):
            st.supplier_invoices.list(colour="red")  # type: ignore[call-arg]
    assert mock_api.requests == {}


async def test_retries_idempotent_requests_on_5xx_and_counts_attempts(mock_api: Any) -> None:
    mock_api.get(f"{ROOT}x", status=503, body="maintenance")
    mock_api.get(f"{ROOT}x", status=502, body="<html>bad gateway</html>", content_type="text/html")
    mock_api.get(f"{ROOT}x", payload={"data": {"_id": "x"}})
    async with client() as st:
        invoice = await st.supplier_invoices.get("x")
        assert st.stats.retries == 2
    assert invoice.id == "x"


async def test_gives_up_after_max_attempts_and_says_so(mock_api: Any) -> None:
    mock_api.get(f"{ROOT}x", status=500, payload={"errorMessage": "boom"}, repeat=True)
    async with client(retry=RetryPolicy(max_attempts=3)) as st:
        with pytest.raises(ServerError) as info:
            await st.supplier_invoices.get("x")
    assert info.value.attempts == 3
    assert "after 3 attempts" in str(info.value)
    assert len(sent_calls(mock_api, "GET", f"{ROOT}x")) == 3


async def test_create_is_not_retried_after_a_5xx(mock_api: Any) -> None:
    mock_api.post(ROOT, status=500, payload={"errorMessage": "boom"}, repeat=True)
    async with client() as st:
        with pytest.raises(ServerError):
            await st.supplier_invoices.create(
                supplier_invoice_number=1,
                created_by_user="u",
                distributor="d",
                total_amount_incl_tax=1,
            )
    assert len(sent_calls(mock_api, "POST", ROOT)) == 1


async def test_create_is_retried_on_429(mock_api: Any) -> None:
    mock_api.post(ROOT, status=429, payload={"errorMessage": "slow"}, headers={"Retry-After": "1"})
    mock_api.post(ROOT, payload={"_id": "n"})
    async with client(rate_limit=4) as st:
        created = await st.supplier_invoices.create(
            supplier_invoice_number=1,
            created_by_user="u",
            distributor="d",
            total_amount_incl_tax=1,
        )
        assert st.stats.rate_limited == 1
    assert created.id == "n"


async def test_retry_after_past_the_cap_is_raised_with_its_value(mock_api: Any) -> None:
    mock_api.get(f"{ROOT}x", status=429, headers={"Retry-After": "3600"})
    async with client() as st:
        with pytest.raises(RateLimitError) as info:
            await st.supplier_invoices.get("x")
    assert info.value.retry_after == 3600
    assert info.value.attempts == 1


async def test_connection_errors_and_timeouts_are_typed(mock_api: Any) -> None:
    mock_api.get(f"{ROOT}a", exception=aiohttp.ServerDisconnectedError(), repeat=True)
    mock_api.get(f"{ROOT}b", exception=TimeoutError(), repeat=True)
    async with client(retry=RetryPolicy(max_attempts=2)) as st:
        with pytest.raises(APIConnectionError) as reset:
            await st.supplier_invoices.get("a")
        with pytest.raises(APITimeoutError) as timeout:
            await st.supplier_invoices.get("b")
    assert reset.value.attempts == timeout.value.attempts == 2
    assert isinstance(timeout.value, TimeoutError)


async def test_wrong_shape_is_a_decode_error(mock_api: Any) -> None:
    mock_api.get(LIST_URL, body="<html>proxy</html>", content_type="text/html")
    async with client() as st:
        with pytest.raises(UnexpectedResponseError, match="HTML"):
            await st.supplier_invoices.list().collect()


async def test_use_after_close_is_a_clear_error() -> None:
    st = client()
    await st.aclose()
    with pytest.raises(ClientClosedError):
        await st.supplier_invoices.get("x")


async def test_a_session_passed_in_is_used_and_not_closed(mock_api: Any) -> None:
    mock_api.get(f"{ROOT}x", payload={"data": {"_id": "x"}})
    async with aiohttp.ClientSession() as session:
        async with client(session=session) as st:
            assert (await st.supplier_invoices.get("x")).id == "x"
        assert not session.closed


async def test_debug_logs_never_contain_the_secret(
    mock_api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    mock_api.get(f"{ROOT}x", status=500, repeat=True)
    caplog.set_level(logging.DEBUG, logger="seventime_async")
    async with client(retry=RetryPolicy(max_attempts=2)) as st:
        with pytest.raises(ServerError):
            await st.supplier_invoices.get("x")
    assert "GET /api/2/supplierInvoices/x -> 500" in caplog.text
    assert "attempt 2" in caplog.text
    assert SECRET not in caplog.text


async def test_one_client_shared_by_many_tasks(mock_api: Any) -> None:
    def answer(url: URL, **kwargs: Any) -> CallbackResult:
        return CallbackResult(payload={"data": {"_id": url.name}})

    mock_api.get(re.compile(rf"^{re.escape(ROOT)}t\d+$"), callback=answer, repeat=True)
    async with client(max_concurrency=3) as st:
        results = await asyncio.gather(*(st.supplier_invoices.get(f"t{i}") for i in range(20)))
    assert [r.id for r in results] == [f"t{i}" for i in range(20)]
