"""RedisRateLimiter against a real server (tests/redis_server.py): one schedule per key,
timed by Redis, shared 429s, the in-process gate, and the fail-closed wait while Redis
is down."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
from typing import Any

import pytest
import redis.asyncio as redis_asyncio

from seventime_async import InvalidRequestError, RedisRateLimiter, SevenTime, SharedSchedule
from seventime_async.testing import Sandbox
from tests.conftest import SECRET
from tests.redis_server import RedisServer


@pytest.fixture
async def limiter(redis_server: Any) -> Any:
    client = redis_asyncio.Redis.from_url(redis_server.url)
    await client.flushdb()
    # 50 per second: the tests stay quick; the arithmetic is the same as at 4.
    made = RedisRateLimiter(redis_server.url, rate=50, margin=0.0)
    yield made
    await made.aclose()
    await client.aclose()


async def _grant_times(schedule: SharedSchedule, count: int) -> list[float]:
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def one() -> None:
        await schedule.acquire()
        times.append(loop.time())

    await asyncio.gather(*(one() for _ in range(count)))
    return sorted(times)


async def test_grants_are_evenly_spaced_across_limiters_of_one_key(limiter: Any) -> None:
    # Two limiter objects stand for two processes: their grants interleave on one schedule.
    other = RedisRateLimiter(limiter.redis, rate=50, margin=0.0)
    first, second = limiter.for_key("k1"), other.for_key("k1")
    both = await asyncio.gather(_grant_times(first, 6), _grant_times(second, 6))
    times = sorted(both[0] + both[1])
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # No burst: grants never come together (a grant woken a little late makes the next
    # gap a little short, so not the whole interval), and together they take the
    # schedule's time.
    assert min(gaps) >= first.interval * 0.5
    assert times[-1] - times[0] >= 11 * first.interval * 0.95
    assert first.commands + second.commands == 12  # one script call per grant


async def test_keys_have_separate_schedules(limiter: Any) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    first, second = limiter.for_key("a"), limiter.for_key("b")
    await asyncio.gather(_grant_times(first, 3), _grant_times(second, 3))
    # Two keys at 50/s each: 3 grants each take 2 intervals, not 5.
    assert loop.time() - started < 4 * first.interval


async def test_the_schedule_is_on_redis_time_under_a_hashed_key(
    limiter: Any, redis_server: Any
) -> None:
    async with (
        Sandbox(records=3, client_secret=SECRET, rate_limit=False) as sandbox,
        SevenTime(SECRET, base_url=sandbox.url, rate_limit=limiter) as st,
    ):
        await st.supplier_invoices.list().collect()
        schedule = st.rate_limiter
    assert isinstance(schedule, SharedSchedule)
    keys = [key.decode() for key in await limiter.redis.keys("*")]
    assert keys == [schedule.key]
    assert re.fullmatch(r"seventime:\{[0-9a-f]{32}\}:schedule", schedule.key)
    assert SECRET not in repr(await limiter.redis.hgetall(schedule.key)) + schedule.key
    seconds, micros = await limiter.redis.time()
    stored = int((await limiter.redis.hget(schedule.key, "next")).decode())
    # ``next`` is on Redis's clock: within a few intervals of its TIME.
    assert abs(stored - (seconds * 1_000_000 + micros)) < 5 * schedule.interval * 1e6


async def test_the_spacing_is_learned_from_every_workers_round_trips(limiter: Any) -> None:
    first = limiter.for_key("k")
    second = RedisRateLimiter(limiter.redis, rate=50, margin=0.0).for_key("k")
    await first.acquire()
    assert first.interval == pytest.approx(0.020 + 0.050 / 50)  # the default jitter
    for round_trip in (0.010, 0.011, 0.012, 0.010, 0.011):
        for worker in (first, second):
            worker.observe(round_trip, "GET /x/")
            await worker.acquire()  # the sample goes with the next script call
    # Neither worker has the 8 samples it needs on its own; together they have 8 (a
    # worker's first of a kind is not shared: it carries the connection's set-up).
    assert second._local.observed_jitter is None
    learned = 0.002 * 9 / 7  # the range 10-12 ms of 8 samples, scaled
    # ... plus how much their wake-ups varied (a few ms, more on a loaded machine), in
    # place of the default 50 ms.
    assert 0.020 + learned / 50 <= second.interval < 0.020 + 0.050 / 50


async def test_a_worker_woken_late_leaves_its_slot_unused(limiter: Any) -> None:
    schedule = limiter.for_key("k")
    await schedule.acquire()
    waiter = asyncio.ensure_future(schedule.acquire())
    # Until the waiter has asked for its slot (~21 ms ahead), then a busy machine: the
    # event loop is held (deliberately blocked) past that slot.
    while schedule.commands < 2:  # noqa: ASYNC110
        await asyncio.sleep(0)
    time.sleep(0.08)  # noqa: ASYNC251
    await waiter
    assert schedule.late_slots == 1
    assert schedule.commands == 3  # it reserved again rather than send late


async def test_a_walk_on_a_shared_schedule_does_not_guess(limiter: Any) -> None:
    async with (
        Sandbox(records=3, client_secret=SECRET, rate_limit=False) as sandbox,
        SevenTime(SECRET, base_url=sandbox.url, rate_limit=limiter) as st,
    ):
        assert len(await st.supplier_invoices.list().collect()) == 3
        schedule = st.rate_limiter
    assert isinstance(schedule, SharedSchedule)
    # One page, one script call: no guessed pages polling Redis for an idle slot.
    assert schedule.commands == st.stats.requests == 1


async def test_a_429_pushes_every_worker_back(limiter: Any) -> None:
    loop = asyncio.get_running_loop()
    seen_429, other = limiter.for_key("k"), RedisRateLimiter(limiter.redis, rate=50).for_key("k")
    await seen_429.acquire()
    before = seen_429.interval
    await seen_429.backoff(0.3)
    started = loop.time()
    await other.acquire()
    assert loop.time() - started >= 0.29  # the other "process" waited out the Retry-After
    state = await limiter.redis.hgetall(seen_429.key)
    assert int(state[b"extra"]) > 0  # and everyone's spacing widened:
    assert other.interval > before  # the other worker's too (the penalty is in Redis)


async def test_a_cancelled_waiter_gives_its_slot_back(limiter: Any) -> None:
    schedule = limiter.for_key("k")
    await schedule.acquire()
    waiter = asyncio.ensure_future(schedule.acquire())
    await asyncio.sleep(0.005)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0.01)  # the give-back runs in the background
    loop = asyncio.get_running_loop()
    started = loop.time()
    await schedule.acquire()  # takes the returned slot: one interval after the first
    assert loop.time() - started < schedule.interval


async def test_idle_only_waits_for_a_free_schedule(limiter: Any) -> None:
    schedule = limiter.for_key("k")
    # Another process books four slots ahead (the script alone, without waiting for them).
    other = RedisRateLimiter(limiter.redis, rate=50, margin=0.0).for_key("k")
    for _ in range(4):
        _, _, booked_until, _ = await other._call("reserve", 0, 0)
    await schedule.acquire(idle_only=True)
    seconds, micros = await limiter.redis.time()
    # The idle request went only once every booked slot had passed.
    assert seconds * 1_000_000 + micros >= booked_until


async def test_redis_down_requests_wait_then_go_on(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.get_running_loop()
    caplog.set_level(logging.WARNING, "seventime_async")
    with RedisServer() as server:
        made = RedisRateLimiter(server.url, rate=50, margin=0.0, redis_timeout=0.2)
        try:
            schedule = made.for_key("k")
            await schedule.acquire()
            server.stop()
            waiter = asyncio.ensure_future(schedule.acquire())
            # Fail closed: no grant without the shared schedule, however long Redis is away.
            done, _ = await asyncio.wait([waiter], timeout=0.3)
            assert not done
            server.start()
            back = loop.time()
            await asyncio.wait_for(waiter, 5)
            # Redis came back empty: the schedule restarted a period on, past every slot
            # granted before the restart.
            assert loop.time() - back >= made.period * 0.95
        finally:
            await made.aclose()
    messages = [record.getMessage() for record in caplog.records]
    assert sum("unreachable" in message for message in messages) == 1
    assert any("reachable again" in message for message in messages)


async def test_a_call_deadline_bounds_the_wait_for_redis() -> None:
    server = RedisServer().start()
    url = server.url
    server.stop()
    made = RedisRateLimiter(url, redis_timeout=0.1)
    async with (
        Sandbox(records=1, client_secret=SECRET, rate_limit=False) as sandbox,
        SevenTime(SECRET, base_url=sandbox.url, rate_limit=made) as st,
    ):
        with pytest.raises(Exception, match="no turn to send") as caught:
            await st.supplier_invoices.list(timeout=0.3).collect()
        assert caught.value.request_sent is False  # type: ignore[attr-defined]
    await made.aclose()


def test_env_var_makes_default_clients_share_redis(
    monkeypatch: pytest.MonkeyPatch, redis_server: Any
) -> None:
    monkeypatch.setenv("SEVENTIME_REDIS_URL", redis_server.url)
    assert isinstance(SevenTime(SECRET).rate_limiter, SharedSchedule)
    # An explicit rate_limit wins over the variable.
    assert not isinstance(SevenTime(SECRET, rate_limit=2).rate_limiter, SharedSchedule)
    assert SevenTime(SECRET, rate_limit=None).rate_limiter is None
    monkeypatch.setenv("SEVENTIME_REDIS_URL", "http://not-redis")
    with pytest.raises(InvalidRequestError, match="SEVENTIME_REDIS_URL"):
        SevenTime(SECRET)


async def test_a_client_closes_the_limiter_it_made(
    monkeypatch: pytest.MonkeyPatch, redis_server: Any
) -> None:
    closed: list[RedisRateLimiter] = []
    original = RedisRateLimiter.aclose

    async def aclose(self: RedisRateLimiter) -> None:
        closed.append(self)
        await original(self)

    monkeypatch.setattr(RedisRateLimiter, "aclose", aclose)
    monkeypatch.setenv("SEVENTIME_REDIS_URL", redis_server.url)
    async with (
        Sandbox(records=1, client_secret=SECRET, rate_limit=False) as sandbox,
        SevenTime(SECRET, base_url=sandbox.url) as st,
    ):
        await st.supplier_invoices.list().collect()
    assert closed == [st._own_limiter]
    # A limiter passed in is the caller's to close.
    mine = RedisRateLimiter(redis_server.url)
    async with SevenTime(SECRET, rate_limit=mine):
        pass
    assert closed == [st._own_limiter]
    await mine.aclose()


def test_repr_and_errors_keep_the_redis_password_out() -> None:
    made = RedisRateLimiter("redis://user:hunter2@example.invalid:6380/1")
    assert "hunter2" not in repr(made)
    assert "example.invalid:6380" in repr(made)
    with pytest.raises(ValueError, match="not a Redis URL") as caught:
        RedisRateLimiter("http://:hunter2@example.invalid")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ValueError, match="braces"):
        RedisRateLimiter("redis://localhost", prefix="a{b}")
