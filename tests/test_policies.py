"""Pure policies: the page plan, retry decisions and the limiter's slot grid."""

from __future__ import annotations

import asyncio
import time
import traceback
from typing import Any

import pytest

from seventime_async import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    Checkpoint,
    InvalidRequestError,
    PageMeta,
    PaginationError,
    RateLimiter,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from seventime_async._decode import RawPage, Response
from seventime_async._pagination import PagePlan
from seventime_async._ratelimit import DEFAULT_JITTER
from seventime_async._retry import is_retryable, retry_delay


def raw_page(current: int, total_pages: int, count: int = 1) -> RawPage:
    source = Response(status=200, headers={}, body=b"", method="GET", path="/p")
    meta = PageMeta(
        total_resources=total_pages * count, total_pages=total_pages, current_page=current
    )
    return RawPage(meta=meta, records=[{}] * count, source=source)


def test_plan_knows_only_the_first_page_until_meta_arrives() -> None:
    plan = PagePlan(limit=500)
    assert plan.may_fetch(1)
    assert not plan.may_fetch(2)
    plan = plan.after(1, raw_page(1, 4))
    assert [n for n in range(1, 7) if plan.may_fetch(n)] == [1, 2, 3, 4]


def test_plan_rereads_total_pages_on_every_page() -> None:
    plan = PagePlan(limit=500).after(1, raw_page(1, 4)).after(2, raw_page(2, 6))
    assert plan.last_page == 6
    assert plan.after(3, raw_page(3, 3)).last_page == 3


def test_plan_respects_page_ranges_and_max_items() -> None:
    ranged = PagePlan(first_page=3, stop_page=5, limit=100).after(3, raw_page(3, 10))
    assert [n for n in range(1, 12) if ranged.may_fetch(n)] == [1, 2, 3, 4]
    # pages before first_page are never asked by the walk; the plan caps the end only
    capped = PagePlan(limit=100, max_items=250).after(1, raw_page(1, 10))
    assert capped.last_page == 3
    assert not PagePlan(limit=100, max_items=0).may_fetch(1)


def test_plan_refuses_a_page_that_is_not_the_one_asked() -> None:
    with pytest.raises(PaginationError, match="asked for page 2"):
        PagePlan(limit=500).after(2, raw_page(1, 4))


def test_checkpoint_round_trips_and_is_validated() -> None:
    checkpoint = Checkpoint(
        filters=(("customer", "c1"),),
        limit=500,
        next_page=3,
        pages_done=2,
        records_done=1000,
        total_resources=2400,
        total_pages=5,
    )
    assert Checkpoint.from_dict(checkpoint.to_dict()) == checkpoint
    with pytest.raises(InvalidRequestError):
        Checkpoint.from_dict({"filters": [], "limit": 900, "next_page": 1})
    with pytest.raises(InvalidRequestError):
        Checkpoint.from_dict({"limit": 100})


def status(cls: type, code: int) -> object:
    return cls(status=code, method="GET", path="/p")


@pytest.mark.parametrize(
    ("method", "error", "retried"),
    [
        ("GET", status(ServerError, 500), True),
        ("PUT", status(ServerError, 503), True),
        ("DELETE", status(ServerError, 504), True),
        ("GET", status(BadRequestError, 400), False),
        ("GET", status(ServerError, 501), False),
        ("POST", status(ServerError, 500), False),
        ("POST", status(ServerError, 502), False),
        ("POST", RateLimitError(method="POST", path="/p"), True),
        ("POST", APIConnectionError("x", method="POST", path="/p", request_sent=False), True),
        ("POST", APIConnectionError("x", method="POST", path="/p"), False),
        ("POST", APITimeoutError("x", method="POST", path="/p"), False),
        ("POST", APITimeoutError("x", method="POST", path="/p", request_sent=False), True),
        ("GET", APITimeoutError("x", method="GET", path="/p"), True),
    ],
)
def test_what_is_retried(method: str, error: object, retried: bool) -> None:
    assert is_retryable(method, error) is retried  # type: ignore[arg-type]


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(backoff_initial=0.5, backoff_max=8.0)
    assert [policy.backoff(n, rand=lambda: 1.0) for n in range(1, 7)] == [0.5, 1, 2, 4, 8, 8]
    assert [policy.backoff(n, rand=lambda: 0.0) for n in range(1, 4)] == [0.25, 0.5, 1]


def test_retry_delay_honours_retry_after_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=3, retry_after_max=30)
    error = RateLimitError(method="GET", path="/p")
    assert retry_delay(policy, "GET", error, 1, retry_after=5, rand=lambda: 0.0) == 5
    assert retry_delay(policy, "GET", error, 1, retry_after=31) is None
    assert retry_delay(policy, "GET", error, 3) is None  # attempts used up
    assert RetryPolicy.disabled().max_attempts == 1
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


async def test_limiter_spaces_concurrent_grants_evenly() -> None:
    limiter = RateLimiter(50, 1.0, margin=0.0)
    loop = asyncio.get_running_loop()
    grants: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        grants.append(loop.time())

    await asyncio.gather(*(one() for _ in range(6)))
    # Slots are reserved one step apart and a sleep never ends early, so the i-th grant
    # goes at least i steps after the first: no burst. (Two neighbours alone may be
    # closer: a grant the loop woke late does not push back the next slot.)
    assert all(later - grants[0] >= place / 50 * 0.999 for place, later in enumerate(grants))


async def test_pause_holds_every_later_request() -> None:
    limiter = RateLimiter(1000, 1.0)
    loop = asyncio.get_running_loop()
    limiter.pause(0.05)
    start = loop.time()
    await asyncio.gather(limiter.acquire(), limiter.acquire())
    assert loop.time() - start >= 0.05


async def _four_grants(limiter: RateLimiter) -> list[float]:
    """The event loop's time at each of four grants in a row."""
    loop = asyncio.get_running_loop()
    grants = []
    for _ in range(4):
        await limiter.acquire()
        grants.append(loop.time())
    return grants


async def _four_grants_then_a_fifth(first_round_trip: float) -> tuple[float, float, float]:
    """(first grant, fifth grant, the interval) when the first answer took
    ``first_round_trip`` and the next three 10 ms."""
    limiter = RateLimiter(4, 0.1, margin=0.0)
    loop = asyncio.get_running_loop()
    grants = await _four_grants(limiter)
    limiter.observe(first_round_trip, "GET /x/", sent_at=grants[0])
    for granted in grants[1:]:
        limiter.observe(0.01, "GET /x/", sent_at=granted)
    await limiter.acquire()
    return grants[0], loop.time(), limiter.interval


async def test_a_request_that_left_late_pushes_the_next_grants_back() -> None:
    # The first request's round trip is 300 ms longer than its kind's fastest: it left
    # late (a new connection's handshake), so it reached the server late, and the fifth
    # grant must keep a whole window after it, beyond the jitter already allowed for.
    first, fifth, interval = await _four_grants_then_a_fifth(0.31)
    late = 0.31 - 0.01 - DEFAULT_JITTER
    assert fifth - first >= late + 4 * interval - 0.002
    # Control: with no late request, the fifth grant follows the grid.
    first, fifth, interval = await _four_grants_then_a_fifth(0.01)
    assert fifth - first < late + 4 * interval - 0.05


async def test_a_request_known_to_have_left_late_pushes_the_fifth_grant_back_at_once() -> None:
    # The transport says when a request left. The first left 200 ms after its grant (a
    # slow connection set-up): the fifth grant keeps a whole window after that, before
    # any answer is in (at 1 s of latency none would be).
    limiter = RateLimiter(4, 0.1, margin=0.0)
    loop = asyncio.get_running_loop()
    grants = await _four_grants(limiter)
    limiter.departed(grants[0], grants[0] + 0.2)
    for granted in grants[1:]:
        limiter.departed(granted, granted)
    await limiter.acquire()
    assert loop.time() - grants[0] >= 0.2 + 4 * limiter.interval - 0.001


def test_the_wait_before_a_request_left_is_not_counted_as_jitter() -> None:
    limiter = RateLimiter(4, 1.0, margin=0.0)
    # Eight answers 100 ms after their requests left; the first waited 300 ms for its
    # connection before it left.
    for number in range(8):
        waited = 0.3 if number == 0 else 0.0
        limiter.observe(
            waited + 0.1, "/p", sent_at=10.0 * number, departed_at=10.0 * number + waited
        )
    assert limiter.observed_jitter == pytest.approx(0, abs=1e-9)
    # Without the departure, the same answers look 300 ms apart.
    unaware = RateLimiter(4, 1.0, margin=0.0)
    for number in range(8):
        unaware.observe((0.3 if number == 0 else 0.0) + 0.1, "/p", sent_at=10.0 * number)
    assert unaware.observed_jitter == pytest.approx(0.3 * 9 / 7)


# -- pacing that survives jitter (issue 8, item 3) -----------------------------------------


def test_the_spacing_widens_by_the_jitter_the_client_observes() -> None:
    quiet = RateLimiter(4, 1.0, margin=0.0)
    assert quiet.interval == pytest.approx((1.0 + 0.050) / 4)  # assumed before 8 samples
    for i in range(32):
        quiet.observe(0.100 + (i % 4) * 0.010, "/api/2/timeLogs/")  # 30 ms from fastest to slowest
    assert quiet.jitter == pytest.approx(0.030 * 33 / 31)  # the range, scaled for 32 draws
    assert quiet.interval == pytest.approx((1.0 + 0.030 * 33 / 31) / 4)
    steady = RateLimiter(4, 1.0, margin=0.0)
    for _ in range(16):
        steady.observe(0.900, "/api/2/timeLogs/")  # big pages: slow, but steady
        steady.observe(0.020, "/api/2/timeLogs/abc")  # single records: fast, steady
    assert steady.jitter == 0  # server time differs by kind; jitter is per kind


def test_a_jitter_given_is_used_instead_of_the_learned_one_and_429s_still_widen_it() -> None:
    known = RateLimiter(4, 1.0, margin=0.0, jitter=0.010)
    assert known.interval == pytest.approx((1.0 + 0.010) / 4)  # not the 50 ms assumed
    for i in range(32):
        known.observe(1.06 + (i % 2) * 0.11, "/api/2/supplierInvoices/")  # server time varies
    assert (known.observed_jitter or 0) > 0.1  # still learned
    assert known.interval == pytest.approx((1.0 + 0.010) / 4)  # ... but not used
    known.on_rate_limited()
    assert known.jitter == pytest.approx(0.010 + 0.050)
    for bad in (-0.001, 0.6, float("nan")):
        with pytest.raises(ValueError, match="jitter"):
            RateLimiter(jitter=bad)


def test_a_429_widens_the_spacing_and_the_widening_decays() -> None:
    limiter = RateLimiter(4, 1.0, margin=0.0)
    for _ in range(8):
        limiter.observe(0.1, "/p")
    assert limiter.jitter == 0
    limiter.on_rate_limited()
    first = limiter.jitter
    limiter.on_rate_limited()
    assert first == pytest.approx(0.05)
    assert limiter.jitter == pytest.approx(0.10)
    for _ in range(200):
        limiter.observe(0.1, "/p")
    assert 0 < limiter.jitter < first
    for _ in range(20):
        limiter.on_rate_limited()
    assert limiter.jitter == pytest.approx(0.5)  # capped


async def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    limiter = RateLimiter(4, 1.0, margin=0.0)
    await limiter.acquire()  # the first grant is at once
    first_next = limiter._next_slot
    waiting = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    assert limiter._next_slot - first_next == pytest.approx(0.25)  # the next slot
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert limiter._next_slot == first_next  # the slot is free again: no gap, no burst


async def test_a_grant_woken_late_by_a_busy_loop_pushes_back_only_the_one_it_would_meet() -> None:
    limiter = RateLimiter(4, 0.1, margin=0.0)  # 4 per 100 ms; 37.5 ms apart before samples
    loop = asyncio.get_running_loop()
    grants: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        grants.append(loop.time())
        if len(grants) == 2:
            time.sleep(0.05)  # noqa: ASYNC251 - the point: hold the loop past a slot

    await asyncio.gather(*(one() for _ in range(8)))
    interval = limiter.interval
    assert grants[2] - grants[1] > 0.045  # the third grant was woken late
    # Never five grants within a window (a period and the jitter), late one included:
    spans = [grants[i + 4] - grants[i] for i in range(len(grants) - 4)]
    assert min(spans) >= 4 * interval * 0.999
    # ... and the late wake-up is not paid for by every later grant: the last one is
    # back on the grid (the old rule pushed every grant after the late one back by the
    # whole 50 ms hold; half of it leaves room for a loaded machine's late wake-ups).
    assert grants[7] - grants[0] < 7 * interval + 0.025


def test_the_window_follows_the_round_trip_within_bounds() -> None:
    from seventime_async._pagination import MAX_WINDOW, window_for

    assert window_for(0.02, 4.0, 4) == 4  # a quick server: the floor
    assert window_for(1.07, 4.0, 4) == 6  # 4.28 pages on the way, one being decoded
    assert window_for(2.0, 4.0, 4) == 9
    assert window_for(60.0, 4.0, 4) == MAX_WINDOW  # bounded for memory
    assert window_for(1.07, 4.0, 8) == 8  # never below what was asked


async def test_the_client_tells_its_limiter_when_each_request_left() -> None:
    from seventime_async import SevenTime
    from seventime_async.testing import Sandbox

    departures: list[tuple[float, float]] = []
    observed: list[float | None] = []

    class Recording(RateLimiter):
        def departed(self, granted_at: float, departed_at: float) -> None:
            departures.append((granted_at, departed_at))
            super().departed(granted_at, departed_at)

        def observe(
            self,
            round_trip: float,
            kind: str = "",
            sent_at: float | None = None,
            departed_at: float | None = None,
        ) -> None:
            observed.append(departed_at)
            super().observe(round_trip, kind, sent_at, departed_at)

    async with (
        Sandbox(records=3, rate_limit=False, latency=0.02) as sandbox,
        SevenTime(sandbox.client_secret, base_url=sandbox.url, rate_limit=Recording(50)) as st,
    ):
        await st.supplier_invoices.list(limit=1, pages=range(1, 3)).collect()
    # Each request left (its headers went out, on a connection) after its grant, and
    # its answer was timed from then.
    assert len(departures) == 2
    assert all(granted <= departed for granted, departed in departures)
    assert observed == [departed for _, departed in departures]


async def test_a_limiter_failing_to_hear_a_departure_neither_fails_the_request_nor_leaks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from seventime_async import SevenTime
    from seventime_async.testing import Sandbox

    class Broken(RateLimiter):
        def departed(self, granted_at: float, departed_at: float) -> None:
            raise RuntimeError("a limiter bug")

    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        async with (
            Sandbox(records=2, rate_limit=False) as sandbox,
            SevenTime(sandbox.client_secret, base_url=sandbox.url, rate_limit=Broken(50)) as st,
        ):
            records = await st.supplier_invoices.list(limit=1, pages=range(1, 2)).collect()
            secret = sandbox.client_secret
    finally:
        loop.set_exception_handler(None)
    assert len(records) == 1
    # The error went to the event loop's handler, from a frame of its own: not one of
    # aiohttp's, which hold the request's headers.
    assert [type(context["exception"]) for context in reported] == [RuntimeError]
    frames = traceback.extract_tb(reported[0]["exception"].__traceback__)
    assert not any("aiohttp" in frame.filename for frame in frames)
    assert secret not in repr(reported) + caplog.text
