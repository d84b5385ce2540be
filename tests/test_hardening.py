"""Issue 8: timeouts that apply, a queue-wait cap, no secret in tracebacks or echoed
bodies, server misbehaviour named, option edges, and the openai-style ergonomics."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from seventime_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    EventLoopError,
    InvalidRequestError,
    RateLimiter,
    RedirectError,
    ResponseTooLargeError,
    RetryPolicy,
    SevenTime,
    Timeouts,
)
from seventime_async.testing import MockResponse, MockTransport

SECRET = "s3cr3t-key-4711"
INVOICE = {"_id": "i1", "supplierInvoiceNumber": "7"}


@pytest.fixture
async def server() -> AsyncIterator[Callable[[Any], Awaitable[str]]]:
    """Start an aiohttp server answering every path with ``handler``; yields its URL."""
    runners: list[web.AppRunner] = []

    async def start(handler: Any) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        # Handlers that never answer are cancelled at teardown, not waited for.
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


def hanging(seen: list[str]) -> Any:
    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        await asyncio.Event().wait()  # never answers
        raise AssertionError("unreachable")

    return handler


# -- 1. timeouts apply ---------------------------------------------------------------------


async def test_the_client_timeout_governs_a_request_to_a_server_that_never_answers(
    server: Any,
) -> None:
    seen: list[str] = []
    url = await server(hanging(seen))
    async with SevenTime(
        SECRET, base_url=url, rate_limit=None, timeout=Timeouts(total=0.2), retry=0
    ) as st:
        async with asyncio.timeout(10):  # the guard: a hang fails the test instead
            with pytest.raises(APITimeoutError) as caught:
                await st.supplier_invoices.get("i1")
    assert caught.value.request_sent
    assert seen == ["/api/2/supplierInvoices/i1"]


async def test_a_number_caps_the_whole_call_so_no_retry_starts_after_it(server: Any) -> None:
    seen: list[str] = []
    url = await server(hanging(seen))
    # Per attempt 60 s and four attempts allowed: only the call's deadline can stop it.
    async with SevenTime(SECRET, base_url=url, rate_limit=None, retry=3) as st:
        async with asyncio.timeout(10):
            with pytest.raises(APITimeoutError) as caught:
                await st.supplier_invoices.get("i1", timeout=0.3)
    assert len(seen) == 1
    assert caught.value.attempts == 1


async def test_a_session_of_the_callers_keeps_its_own_timeout(server: Any) -> None:
    seen: list[str] = []
    url = await server(hanging(seen))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session:
        st = SevenTime(SECRET, base_url=url, session=session, rate_limit=None, retry=0)
        async with asyncio.timeout(10):
            with pytest.raises(APITimeoutError):
                await st.supplier_invoices.get("i1")
        await st.aclose()
        assert not session.closed


def test_timeout_and_retry_take_plain_numbers() -> None:
    st = SevenTime(SECRET, timeout=5, retry=3)
    assert st.timeouts == Timeouts(connect=5.0, total=5.0, call=5.0)
    assert st.retry == RetryPolicy(max_attempts=4)
    for bad in ({"timeout": 0}, {"timeout": "5"}, {"retry": -1}, {"retry": True}):
        with pytest.raises(InvalidRequestError) as caught:
            SevenTime(SECRET, **bad)
        assert caught.value.field == next(iter(bad))
    with pytest.raises(InvalidRequestError):
        SevenTime(SECRET, timeout=5, timeouts=Timeouts())


async def test_every_attempt_carries_the_client_timeouts() -> None:
    transport = MockTransport(lambda request: MockResponse(json={"data": INVOICE}))
    async with SevenTime(SECRET, transport=transport, timeout=Timeouts(connect=3, total=7)) as st:
        await st.supplier_invoices.get("i1")
        await st.supplier_invoices.get("i1", timeout=2)
    first, second = (request.timeout for request in transport.requests)
    assert first is not None
    assert (first.total, first.connect) == (7, 3)
    assert second is not None
    assert second.total is not None
    assert 0 < second.total <= 2


# -- 2. the queue-wait cap -----------------------------------------------------------------


async def test_a_call_that_waits_past_the_queue_cap_is_not_sent() -> None:
    transport = MockTransport(lambda request: MockResponse(json={"data": INVOICE}))
    slow = RateLimiter(rate=1, period=60)  # one grant a minute
    async with SevenTime(SECRET, transport=transport, rate_limit=slow) as st:
        await st.supplier_invoices.get("i1")  # takes this minute's grant
        with pytest.raises(APITimeoutError) as caught:
            await st.supplier_invoices.get("i1", timeout=Timeouts(queue=0.05))
    assert caught.value.request_sent is False
    assert caught.value.attempts == 0
    assert len(transport.requests) == 1


async def test_an_in_flight_slot_freed_by_a_queue_timeout_is_not_leaked() -> None:
    release = asyncio.Event()

    async def handler(request: Any) -> MockResponse:
        await release.wait()
        return MockResponse(json={"data": INVOICE})

    transport = MockTransport(handler)
    async with SevenTime(SECRET, transport=transport, rate_limit=None, max_concurrency=1) as st:
        busy = asyncio.create_task(st.supplier_invoices.get("i1"))
        await asyncio.sleep(0)
        with pytest.raises(APITimeoutError):
            await st.supplier_invoices.get("i2", timeout=Timeouts(queue=0.05))
        release.set()
        await busy
        assert (await st.supplier_invoices.get("i3")).id == "i1"  # the slot is free again
    assert [r.path.rsplit("/", 1)[1] for r in transport.requests] == ["i1", "i3"]


# -- 4. the secret stays out of tracebacks and echoed bodies ---------------------------------


def _frames_and_causes(error: BaseException) -> list[tuple[str, str]]:
    """(where, repr) of every local of every frame of ``error`` and its chained errors."""
    seen: list[tuple[str, str]] = []
    current: BaseException | None = error
    while current is not None:
        for frame, _ in traceback.walk_tb(current.__traceback__):
            for name, value in frame.f_locals.items():
                seen.append((f"{frame.f_code.co_name}:{name}", repr(value)))
        seen.append(("message", str(current)))
        current = current.__cause__ or current.__context__
    return seen


async def _raised(call: Awaitable[Any]) -> BaseException:
    try:
        await call
    except Exception as exc:
        return exc
    raise AssertionError("nothing was raised")


async def test_no_frame_of_a_timeout_or_connection_error_holds_the_secret(server: Any) -> None:
    url = await server(hanging([]))
    async with SevenTime(
        SECRET, base_url=url, rate_limit=None, timeout=Timeouts(total=0.2), retry=0
    ) as st:
        timed_out = await _raised(st.supplier_invoices.get("i1"))
    async with SevenTime(SECRET, base_url="http://127.0.0.1:9", rate_limit=None, retry=0) as st:
        refused = await _raised(st.supplier_invoices.get("i1"))
    assert isinstance(timed_out, APITimeoutError)
    assert isinstance(refused, APIConnectionError)
    for error in (timed_out, refused):
        leaks = [where for where, text in _frames_and_causes(error) if SECRET in text]
        assert leaks == []
        assert error.__cause__ is not None
        assert error.__cause__.__traceback__ is None  # the type and message, not the frames
        assert error.__context__ is None or error.__context__ is error.__cause__


async def test_a_server_that_echoes_the_key_does_not_carry_it_into_the_error(
    server: Any,
) -> None:
    async def echo(request: web.Request) -> web.Response:
        key = request.headers["Client-Secret"]
        return web.json_response(
            {"errorMessage": f"bad key {key}", "html": f"<b>{key}</b>"}, status=401
        )

    url = await server(echo)
    async with SevenTime(SECRET, base_url=url, rate_limit=None) as st:
        error = await _raised(st.supplier_invoices.get("i1"))
    assert isinstance(error, AuthenticationError)
    assert error.error_message == "bad key <redacted>"
    assert error.response is not None
    texts = [str(error), error.error_message, error.body_excerpt, error.response.text()]
    assert not any(SECRET in text for text in texts)
    assert [where for where, text in _frames_and_causes(error) if SECRET in text] == []


# -- 7. server misbehaviour ----------------------------------------------------------------


async def test_a_body_past_the_size_cap_is_refused(server: Any) -> None:
    async def big(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("chunked"):
            response = web.StreamResponse()
            await response.prepare(request)
            for _ in range(8):
                await response.write(b" " * 512)
            await response.write_eof()
            return response
        return web.json_response({"data": INVOICE, "pad": "x" * 4096})

    url = await server(big)
    async with SevenTime(SECRET, base_url=url, rate_limit=None, max_response_bytes=1000) as st:
        for invoice_id in ("sized", "chunked"):
            error = await _raised(st.supplier_invoices.get(invoice_id))
            assert isinstance(error, ResponseTooLargeError), invoice_id
            assert error.limit == 1000
            assert error.attempts == 1  # not retried


async def test_a_redirect_is_named_with_where_it_points() -> None:
    transport = MockTransport(
        lambda request: MockResponse(status=302, body=b"", headers={"Location": "/login"})
    )
    async with SevenTime(SECRET, transport=transport) as st:
        error = await _raised(st.supplier_invoices.get("i1"))
    assert isinstance(error, RedirectError)
    assert error.location == "/login"
    assert "check base_url" in str(error)
    assert len(transport.requests) == 1


def test_use_from_a_second_event_loop_is_a_seventime_error() -> None:
    transport = MockTransport(lambda request: MockResponse(json={"data": INVOICE}))
    st = SevenTime(SECRET, transport=transport)
    asyncio.run(st.supplier_invoices.get("i1"))
    with pytest.raises(EventLoopError) as caught:
        asyncio.run(st.supplier_invoices.get("i1"))
    assert isinstance(caught.value, RuntimeError)
    assert len(transport.requests) == 1


# -- 6. option edges -----------------------------------------------------------------------


def test_rate_limit_takes_its_obvious_meanings_and_refuses_the_rest() -> None:
    assert SevenTime(SECRET, rate_limit=True).rate_limiter is not None
    assert SevenTime(SECRET, rate_limit=True).rate_limiter.rate == 4  # type: ignore[union-attr]
    assert SevenTime(SECRET, rate_limit=False).rate_limiter is None
    for bad in (float("inf"), float("nan"), 0, -1, "4"):
        with pytest.raises(InvalidRequestError) as caught:
            SevenTime(SECRET, rate_limit=bad)  # type: ignore[arg-type]
        assert caught.value.field == "rate_limit"


def test_a_base_url_with_a_path_is_refused_and_the_environment_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        SevenTime(SECRET, base_url="https://app.seventime.se/api/2")
    assert caught.value.field == "base_url"
    assert SevenTime(SECRET, base_url="https://app.seventime.se/").base_url == (
        "https://app.seventime.se"
    )
    monkeypatch.setenv("SEVENTIME_BASE_URL", "http://127.0.0.1:8080")
    assert SevenTime(SECRET).base_url == "http://127.0.0.1:8080"
    assert SevenTime(SECRET, base_url="https://example.com").base_url == "https://example.com"


# -- 11. with_options, extra headers and query, the raw response ---------------------------


async def test_with_options_is_a_light_copy_sharing_the_pool_limiter_and_stats() -> None:
    transport = MockTransport(lambda request: MockResponse(json={"data": INVOICE}))
    st = SevenTime(SECRET, transport=transport, timeout=Timeouts(total=60))
    quick = st.with_options(timeout=2, max_retries=0)
    assert (quick.timeouts.call, quick.retry.max_attempts) == (2, 1)
    assert (st.timeouts.call, st.retry.max_attempts) == (None, 4)
    assert quick.rate_limiter is st.rate_limiter
    await quick.supplier_invoices.get("i1")
    await st.supplier_invoices.get("i1")
    assert st.stats.requests == quick.stats.requests == 2
    timeouts = [request.timeout.total for request in transport.requests]  # type: ignore[union-attr]
    assert timeouts[0] is not None
    assert timeouts[0] <= 2
    assert timeouts[1] == 60
    await quick.aclose()
    assert st.closed
    with pytest.raises(InvalidRequestError):
        st.with_options(retry=1, max_retries=1)


async def test_extra_headers_and_query_are_sent_and_the_secret_cannot_be_replaced() -> None:
    transport = MockTransport(lambda request: MockResponse(json={"data": INVOICE}))
    async with SevenTime(SECRET, transport=transport) as st:
        await st.supplier_invoices.get(
            "i1", extra_headers={"X-Trace": "abc"}, extra_query={"debug": True}
        )
        for bad in (
            {"extra_headers": {"client-secret": "other"}},
            {"extra_headers": {"X-Bad": "a\r\nb"}},
            {"extra_query": {"limit": 5}},
        ):
            with pytest.raises(InvalidRequestError):
                await st.supplier_invoices.list(**bad).collect()  # type: ignore[arg-type]
    (sent,) = transport.requests
    assert sent.headers["X-Trace"] == "abc"
    assert sent.headers["Client-Secret"] == "<redacted>"
    assert sent.params == (("debug", "true"),)


async def test_the_raw_response_comes_with_the_record() -> None:
    transport = MockTransport(
        lambda request: MockResponse(json={"data": INVOICE}, headers={"X-Request-Id": "r1"})
    )
    async with SevenTime(SECRET, transport=transport) as st:
        raw = await st.supplier_invoices.with_raw_response.get("i1")
    assert raw.status == 200
    assert raw.headers["x-request-id"] == "r1"
    assert raw.parsed.id == "i1"
    assert raw.parsed.supplier_invoice_number == "7"


# -- 6. input edges ------------------------------------------------------------------------


def _echo(request: Any) -> MockResponse:
    return MockResponse(json={**INVOICE, **(request.json() or {})})


async def test_extra_fields_take_decimals_dates_and_datetimes_as_the_sdk_sends_its_own() -> None:
    from datetime import UTC, date, datetime, timedelta, timezone
    from decimal import Decimal

    from seventime_async import NewInvoiceItem

    transport = MockTransport(_echo)
    moment = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    async with SevenTime(SECRET, transport=transport) as st:
        await st.supplier_invoices.update(
            "i1",
            modified_by_user="u1",
            extra_fields={
                "amount": Decimal("12.50"),
                "day": date(2024, 5, 1),
                "at": moment,
                "nested": [{"rate": Decimal("0.1")}],
            },
            invoice_items=[NewInvoiceItem(item_type="general", extra={"weight": Decimal("2.25")})],
        )
        for bad in (float("nan"), Decimal("Infinity"), object()):
            with pytest.raises(InvalidRequestError) as caught:
                await st.supplier_invoices.update(
                    "i1", modified_by_user="u1", extra_fields={"x": bad}
                )
            assert caught.value.field == "extra_fields.x"
    body = transport.requests[0].json()
    assert (body["amount"], body["day"], body["nested"]) == (12.5, "2024-05-01", [{"rate": 0.1}])
    assert body["at"] == moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    assert body["invoiceItems"][0]["weight"] == 2.25
    assert len(transport.requests) == 1


async def test_a_rate_only_update_of_a_foreign_currency_invoice_is_sent() -> None:
    transport = MockTransport(_echo)
    async with SevenTime(SECRET, transport=transport) as st:
        await st.supplier_invoices.update("i1", modified_by_user="u1", currency_rate="11.43")
        with pytest.raises(InvalidRequestError) as caught:
            await st.supplier_invoices.update(
                "i1", modified_by_user="u1", currency_code="SEK", currency_rate=2
            )
        assert caught.value.field == "currency_rate"
    assert transport.requests[0].json()["currencyRate"] == 11.43
    assert len(transport.requests) == 1


@pytest.mark.parametrize("bad_id", [".", "..", "a" * 201, "a/b", ""])
async def test_ids_that_would_change_the_path_are_refused(bad_id: str) -> None:
    transport = MockTransport(_echo)
    async with SevenTime(SECRET, transport=transport) as st:
        for call in (
            st.supplier_invoices.get(bad_id),
            st.supplier_invoices.delete(bad_id, deleted_by_user="u1"),
            st.time_logs.get(bad_id),
        ):
            with pytest.raises(InvalidRequestError):
                await call
    assert transport.requests == []


async def test_ocr_keeps_its_leading_zeros_and_max_items_must_be_a_number() -> None:
    transport = MockTransport(_echo)
    async with SevenTime(SECRET, transport=transport) as st:
        await st.supplier_invoices.update("i1", modified_by_user="u1", ocr="0012345")
        with pytest.raises(InvalidRequestError) as caught:
            st.supplier_invoices.list(max_items=True)
        assert caught.value.field == "max_items"
    assert transport.requests[0].json()["OCR"] == "0012345"


# -- 7a, 8: paging -------------------------------------------------------------------------


def _pages(total: int, per_page: int) -> Any:
    def handler(request: Any) -> MockResponse:
        params = dict(request.params)
        page, limit = int(params["page"]), int(params["limit"])
        ids = [f"r{i}" for i in range(total)][(page - 1) * limit : page * limit]
        meta = {"totalResources": total, "totalPages": -(-total // limit), "currentPage": page}
        return MockResponse(json={"meta": meta, "data": [{"_id": i} for i in ids]})

    return handler


async def test_a_server_that_ignores_page_stops_with_a_pagination_error() -> None:
    from seventime_async import PaginationError

    def same_page(request: Any) -> MockResponse:
        page = int(dict(request.params)["page"])
        meta = {"totalResources": 1000, "totalPages": 10, "currentPage": page}  # echoed
        return MockResponse(json={"meta": meta, "data": [{"_id": f"r{i}"} for i in range(100)]})

    transport = MockTransport(same_page)
    async with SevenTime(SECRET, transport=transport, rate_limit=None) as st:
        with pytest.raises(PaginationError) as caught:
            await st.supplier_invoices.list(limit=100, concurrency=1).collect()
    assert "ignore the page parameter" in str(caught.value)
    assert len(transport.requests) == 2


async def test_a_short_list_asks_for_a_short_page() -> None:
    transport = MockTransport(_pages(1200, 500))
    async with SevenTime(SECRET, transport=transport, rate_limit=None) as st:
        assert len(await st.supplier_invoices.list(max_items=20).collect()) == 20
        assert len(await st.supplier_invoices.list(max_items=700).collect()) == 700
        assert len(await st.supplier_invoices.list(max_items=20, limit=100).collect()) == 20
    limits = [dict(r.params)["limit"] for r in transport.requests]
    assert limits == ["20", "500", "500", "100"]


# -- 9. lastModified -----------------------------------------------------------------------


async def test_last_modified_is_an_aware_datetime_on_the_record() -> None:
    from seventime_async.testing import Sandbox

    async with (
        Sandbox(records=3, rate_limit=False) as sb,
        SevenTime(sb.client_secret, base_url=sb.url) as st,
    ):
        invoices = await st.supplier_invoices.list().collect()
    assert all(i.last_modified is not None and i.last_modified.tzinfo for i in invoices)
    assert all("lastModified" not in i.extra for i in invoices)


def test_a_naive_last_modified_is_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from datetime import datetime

    from seventime_async._build import validate_filters
    from seventime_async.resources.supplier_invoices import SUPPLIER_INVOICES

    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:
        params = validate_filters(SUPPLIER_INVOICES, {"last_modified": datetime(2024, 7, 1, 12)})
    finally:
        monkeypatch.undo()
        time.tzset()
    assert params == (("lastModified", "2024-07-01T10:00:00"),)  # CEST is UTC+2


@pytest.mark.parametrize(
    ("day", "sent"),
    [
        (date(2024, 1, 15), "2024-01-14T23:00:00"),  # CET, UTC+1
        (date(2024, 7, 1), "2024-06-30T22:00:00"),  # CEST, UTC+2
        (date(2024, 3, 31), "2024-03-30T23:00:00"),  # the night the clocks go forward
    ],
)
@pytest.mark.parametrize("collection", ["supplier_invoices", "time_logs", "customers"])
def test_a_day_given_as_last_modified_is_its_midnight_in_stockholm(
    day: date, sent: str, collection: str
) -> None:
    """A ``date`` where the API takes an instant means what the API means by a day: its
    midnight in Stockholm (the form it sends date-only values in), whatever the machine's
    zone; not midnight UTC, an hour or two into the day."""
    from seventime_async import calendar_day
    from seventime_async._build import validate_filters
    from seventime_async.resources import REGISTRY

    spec = next(spec for spec in REGISTRY if spec.name == collection)
    params = validate_filters(spec, {"last_modified": day})
    assert params == (("lastModified", sent),)
    assert calendar_day(datetime.fromisoformat(sent).replace(tzinfo=UTC)) == day


@pytest.mark.parametrize(
    "echo",
    [
        lambda key: web.json_response({"errorMessage": f"bad key {key!r}"}, status=403),
        lambda key: web.Response(text=f"<p>{key}</p>", status=502, content_type="text/html"),
        lambda key: web.json_response({}, status=400, headers={"X-Seen-Key": key}),
    ],
    ids=["json", "html", "header"],
)
async def test_every_echo_of_the_key_is_scrubbed(server: Any, echo: Any) -> None:
    key = 'k&y<"4711">+/='  # every character an escaping would change

    async def handler(request: web.Request) -> web.Response:
        response: web.Response = echo(request.headers["Client-Secret"])
        return response

    url = await server(handler)
    async with SevenTime(key, base_url=url, rate_limit=None, retry=0) as st:
        error = await _raised(st.supplier_invoices.get("i1"))
    response = error.response  # type: ignore[attr-defined]
    texts = [str(error), response.text(), *response.headers.values()]
    assert [text for text in texts if key in text or "4711" in text] == []


@pytest.mark.parametrize(
    "bad", [{"base_url": "ftp://x"}, {"max_concurrency": 0}, {"rate_limit": "fast"}]
)
def test_a_refused_set_up_holds_no_plain_secret_in_its_frames(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        SevenTime(SECRET, **bad)
    assert [where for where, text in _frames_and_causes(caught.value) if SECRET in text] == []


async def test_gets_of_different_ids_are_one_kind_of_round_trip() -> None:
    transport = MockTransport(lambda request: MockResponse(json={"data": INVOICE}))
    limiter = RateLimiter(rate=1000)
    async with SevenTime(SECRET, transport=transport, rate_limit=limiter) as st:
        assert limiter.jitter == 0.050  # assumed until eight round trips of a kind
        for index in range(8):
            await st.supplier_invoices.get(f"i{index}")
    assert limiter.jitter < 0.050  # measured: eight gets, eight ids, one kind


# -- issue 12 (a first step): the default walk guesses the first window on idle slots -------


async def test_an_idle_waiter_lets_every_reserved_request_go_first() -> None:
    limiter = RateLimiter(rate=50, margin=0.0)
    order: list[str] = []

    async def take(name: str, idle: bool) -> None:
        await limiter.acquire(idle_only=idle)
        order.append(name)

    await limiter.acquire()  # the slot now is taken: everyone below waits
    idle = asyncio.create_task(take("idle", True))
    await asyncio.sleep(0)
    await asyncio.gather(take("first", False), take("second", False))
    await idle
    assert order == ["first", "second", "idle"]


async def test_a_short_list_costs_its_one_request_on_a_paced_client() -> None:
    transport = MockTransport(_pages(30, 500))
    async with SevenTime(SECRET, transport=transport, rate_limit=4) as st:
        assert len(await st.supplier_invoices.list(limit=100).collect()) == 30
    assert [dict(r.params)["page"] for r in transport.requests] == ["1"]  # guesses unsent


async def _walk_where_page_one_waits_for(page: int, rate: float) -> list[str]:
    """Walk 10 pages of 100 where page 1 answers only once ``page`` was asked for (it
    times out if it never is); the pages asked for, in order."""
    asked_for = asyncio.Event()
    pages = _pages(1000, 100)

    async def answer(request: Any) -> MockResponse:
        number = dict(request.params)["page"]
        if number == str(page):
            asked_for.set()
        if number == "1":
            await asked_for.wait()
        response: MockResponse = pages(request)
        return response

    transport = MockTransport(answer)
    async with SevenTime(SECRET, transport=transport, rate_limit=rate) as st:
        async with asyncio.timeout(10):
            records = await st.supplier_invoices.list(limit=100).collect()
    assert len(records) == 1000
    return [dict(r.params)["page"] for r in transport.requests]


async def test_a_long_list_asks_for_more_pages_before_the_first_answers() -> None:
    asked = await _walk_where_page_one_waits_for(2, rate=1000)  # no guess: a timeout
    assert sorted(asked, key=int) == [str(n) for n in range(1, 11)]  # none twice, none past


async def test_a_guess_still_waiting_once_it_is_needed_waits_like_any_other_request() -> None:
    limiter = RateLimiter(rate=50, margin=0.0)
    needed = False
    stop = False

    async def reserved_stream() -> None:  # a reserved request always waits: no idle slot
        while not stop:
            await limiter.acquire()

    streams = [asyncio.create_task(reserved_stream()) for _ in range(2)]
    guess = asyncio.create_task(limiter.acquire(idle_only=lambda: not needed))
    await asyncio.sleep(0.2)  # ten slots, every one reserved
    assert not guess.done()
    needed = True  # page 1 answered: this page is part of the walk after all
    async with asyncio.timeout(1.0):  # an idle-only waiter would wait for ever
        await guess
    stop = True
    await asyncio.gather(*streams)


async def test_a_slow_first_page_keeps_the_guesses_coming_at_the_rate() -> None:
    # With a fixed first window of 4, page 7 is never asked for before page 1 answers.
    asked = await _walk_where_page_one_waits_for(7, rate=40)
    assert sorted(asked, key=int) == [str(n) for n in range(1, 11)]  # none twice, none past
