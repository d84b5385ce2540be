"""Incremental sync: watermarks, overlap dedupe, forward-only state, drift passes."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis_asyncio

from seventime_async import (
    FileSyncState,
    InvalidRequestError,
    RedisSyncState,
    SevenTime,
    Watermark,
)
from seventime_async.testing import Sandbox
from tests.conftest import SECRET

RECORDS = 120


@pytest.fixture
async def st() -> Any:
    async with (
        Sandbox(collection_records=RECORDS, client_secret=SECRET, rate_limit=False) as sandbox,
        SevenTime(SECRET, base_url=sandbox.url, rate_limit=None) as client,
    ):
        yield client


async def _ids(feed: Any) -> list[str]:
    return [record.id async for record in feed]


async def test_runs_deliver_only_what_changed(st: SevenTime, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = st.time_logs.changes(state, limit=50)
    everything = await _ids(first)
    assert len(everything) == len(set(everything)) == RECORDS
    assert first.stats.since is None  # no state yet: a full run
    newest = max([r.last_modified async for r in st.time_logs.list()])
    assert first.stats.saved == newest

    second = st.time_logs.changes(state, limit=50)
    assert await _ids(second) == []  # the look-back re-reads only versions delivered already
    assert second.stats.since == newest - timedelta(minutes=5)
    assert second.stats.skipped > 0

    changed = everything[7]
    await st.time_logs.update(changed, modified_by_user="u1", user="u1", description="edit")
    third = st.time_logs.changes(state, limit=50)
    assert await _ids(third) == [changed]
    assert third.stats.saved is not None
    assert third.stats.saved > newest

    saved = json.loads(state.read_text())
    assert list(saved["scopes"]) == [next(iter(saved["scopes"]))]  # one scope
    assert SECRET not in state.read_text()


async def test_filter_sets_keep_their_own_watermarks(st: SevenTime, tmp_path: Path) -> None:
    state = FileSyncState(tmp_path / "state.json")
    user = (await st.time_logs.list(max_items=1).collect())[0].user
    await _ids(st.time_logs.changes(state))
    mine = await _ids(st.time_logs.changes(state, user=user))
    assert mine  # a new filter set starts with a full run of its own
    assert len(json.loads(state.path.read_text())["scopes"]) == 2


async def test_a_run_that_stops_early_saves_nothing(st: SevenTime, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    async for _ in st.time_logs.changes(state, limit=50):
        break
    assert not state.exists()

    class Boom(Exception):
        pass

    async def consume_and_fail() -> None:
        async for _ in st.time_logs.changes(state, limit=50):
            raise Boom

    with pytest.raises(Boom):
        await consume_and_fail()
    assert not state.exists()


async def test_a_list_without_last_modified_is_exported_whole(
    st: SevenTime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "state.json"
    caplog.set_level(logging.WARNING, "seventime_async")
    feed = st.invoices.changes(state)
    ids = await _ids(feed)
    assert len(ids) == RECORDS
    assert feed.stats.incremental is False
    assert "no lastModified filter" in caplog.text
    assert len(await _ids(st.invoices.changes(state))) == RECORDS  # whole, every time
    assert not state.exists()


async def test_a_shifting_list_is_walked_again(st: SevenTime, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    feed = st.time_logs.changes(state, limit=20)
    before = [r.id async for r in st.time_logs.list(sort_by="lastModified")]
    delivered: list[str] = []
    async for record in feed:
        if len(delivered) == 5:
            # Deleting a record already passed shifts every later page back by one. Done on
            # page 1: page 6 is asked for only once page 1 is consumed, so it sees the
            # change whatever the timing (pages 2-5 may have been fetched already).
            await st.time_logs.delete(delivered[0], deleted_by_user="u1")
        delivered.append(record.id)
    assert feed.stats.passes == 2
    assert len(delivered) == len(set(delivered))
    assert set(delivered) == set(before)


async def test_bad_arguments_are_refused(st: SevenTime, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="last_modified"):
        st.time_logs.changes(tmp_path / "s.json", last_modified=datetime.now(UTC))
    with pytest.raises(InvalidRequestError, match="overlap"):
        st.time_logs.changes(tmp_path / "s.json", overlap=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="has no list"):
        st.documents.changes(tmp_path / "s.json")
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(InvalidRequestError, match="not a seventime-async sync state"):
        await _ids(st.time_logs.changes(tmp_path / "bad.json"))


async def test_file_state_only_moves_forward(tmp_path: Path) -> None:
    state = FileSyncState(tmp_path / "state.json")
    now = datetime.now(UTC)
    await state.save("s", Watermark(modified=now, boundary=frozenset({("a", "b")})))
    await state.save("s", Watermark(modified=now - timedelta(hours=1)))
    loaded = await state.load("s")
    assert loaded is not None
    assert loaded.modified == now
    assert loaded.boundary == frozenset({("a", "b")})
    assert await state.load("other") is None


async def test_redis_state_is_shared_and_only_moves_forward(
    st: SevenTime, redis_server: Any
) -> None:
    client = redis_asyncio.Redis.from_url(redis_server.url)
    await client.flushdb()
    state, other_worker = RedisSyncState(redis_server.url), RedisSyncState(client)
    try:
        assert len(await _ids(st.time_logs.changes(state, limit=50))) == RECORDS
        # Another worker, same scope: it starts from the shared watermark.
        assert await _ids(st.time_logs.changes(other_worker, limit=50)) == []
        (scope_key,) = await client.keys("seventime:sync:*")
        now = datetime.now(UTC)
        scope = scope_key.decode().split("{")[1].rstrip("}")
        before = await state.load(scope)
        assert before is not None
        await other_worker.save(scope, Watermark(modified=now - timedelta(days=30)))
        assert await state.load(scope) == before
    finally:
        await state.aclose()
        await client.aclose()
