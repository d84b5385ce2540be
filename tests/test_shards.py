"""Shard plans: pieces that together yield every record once, also while pages shift."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import pytest

from seventime_async import InvalidRequestError, SevenTime, Shard
from seventime_async.testing import Sandbox
from tests.conftest import SECRET

RECORDS = 400
LIMIT = 50


@pytest.fixture
async def st() -> Any:
    async with (
        Sandbox(records=RECORDS, client_secret=SECRET, rate_limit=False) as sandbox,
        SevenTime(SECRET, base_url=sandbox.url, rate_limit=None) as client,
    ):
        yield client


async def _run(st: SevenTime, pieces: list[Shard]) -> list[str]:
    ids: list[str] = []
    for piece in pieces:
        # Each piece goes through JSON, as it would to another worker.
        again = Shard.from_dict(json.loads(json.dumps(piece.to_dict())))
        ids += [record.id async for record in st.supplier_invoices.list(shard=again)]
    return ids


async def _all_ids(st: SevenTime) -> list[str]:
    return [record.id async for record in st.supplier_invoices.list()]


async def test_pieces_yield_every_record_once(st: SevenTime) -> None:
    pieces = await st.supplier_invoices.list(limit=LIMIT).shards(4)
    assert [piece.index for piece in pieces] == [0, 1, 2, 3]
    assert [piece.first_page for piece in pieces] == [1, 3, 5, 7]
    assert pieces[0].start is None
    assert pieces[-1].stop is None
    assert all(a.stop == b.start for a, b in itertools.pairwise(pieces))
    ids = await _run(st, pieces)
    assert len(ids) == len(set(ids)) == RECORDS
    assert set(ids) == set(await _all_ids(st))


async def test_a_piece_runs_again_alone_with_the_same_records(st: SevenTime) -> None:
    pieces = await st.supplier_invoices.list(limit=LIMIT).shards(3)
    first = [r.id async for r in st.supplier_invoices.list(shard=pieces[1])]
    again = [r.id async for r in st.supplier_invoices.list(shard=pieces[1])]
    assert first == again
    assert 0 < len(first) < RECORDS


async def test_pieces_hold_when_records_are_deleted_and_added_after_planning(
    st: SevenTime,
) -> None:
    pieces = await st.supplier_invoices.list(limit=LIMIT).shards(4)
    before = await _all_ids(st)
    # More than a page deleted before the second cut: every later page shifts back.
    deleted = before[10 : 10 + LIMIT + 30] + before[250:260]
    for record_id in deleted:
        await st.supplier_invoices.delete(record_id, deleted_by_user="u1")
    created = [
        (
            await st.supplier_invoices.create(
                supplier_invoice_number=9000 + n,
                created_by_user="u1",
                distributor="d1",
                total_amount_incl_tax=Decimal(n),
            )
        ).id
        for n in range(5)
    ]
    ids = await _run(st, pieces)
    assert len(ids) == len(set(ids))
    assert set(ids) == (set(before) - set(deleted)) | set(created)


async def test_changes_between_pieces_lose_nothing(st: SevenTime) -> None:
    pieces = await st.supplier_invoices.list(limit=LIMIT).shards(2)
    before = await _all_ids(st)
    first = [r.id async for r in st.supplier_invoices.list(shard=pieces[0])]
    # After the first piece ran, records it already yielded are deleted: the second
    # piece's records move onto pages the first piece covered.
    for record_id in first[: LIMIT + 10]:
        await st.supplier_invoices.delete(record_id, deleted_by_user="u1")
    second = [r.id async for r in st.supplier_invoices.list(shard=pieces[1])]
    assert not set(first) & set(second)
    assert set(first) | set(second) == set(before)


def _through_json(piece: Shard | None) -> Shard:
    assert piece is not None
    return Shard.from_dict(json.loads(json.dumps(piece.to_dict())))


async def _first_pages(st: SevenTime, piece: Shard, pages: int) -> tuple[list[str], Shard]:
    """Run a piece, saving its checkpoint after each completed page, as a worker does,
    and stop once ``pages`` pages were saved, as a worker killed there would."""
    ids: list[str] = []
    saved: list[tuple[int, Shard]] = []  # (records delivered, the rest of the piece)

    def save(_: Any) -> None:
        saved.append((len(ids), _through_json(walk.shard_checkpoint)))

    walk = st.supplier_invoices.list(shard=piece, on_progress=save)
    async with walk:
        async for record in walk:
            if len(saved) == pages:
                break
            ids.append(record.id)
    delivered, rest = saved[-1]
    assert delivered == len(ids)
    return ids, rest


async def test_a_stopped_piece_resumes_from_its_checkpoint(st: SevenTime) -> None:
    pieces = await st.supplier_invoices.list(limit=LIMIT).shards(2)
    whole = [r.id async for r in st.supplier_invoices.list(shard=pieces[0])]
    done, rest = await _first_pages(st, pieces[0], 2)
    assert rest.after is not None
    assert rest.first_page == 3
    assert rest.index == pieces[0].index
    assert rest.stop == pieces[0].stop
    requests = st.stats.requests
    resumed = [r.id async for r in st.supplier_invoices.list(shard=rest)]
    assert done + resumed == whole
    # The rest of a 4-page piece: page 2 read again to check the start, pages 3 and 4,
    # and the next piece's first page (where its records end when records are deleted).
    assert st.stats.requests - requests == 4


async def test_a_resumed_piece_holds_when_records_before_it_are_deleted(st: SevenTime) -> None:
    pieces = await st.supplier_invoices.list(limit=LIMIT).shards(2)
    earlier = [r.id async for r in st.supplier_invoices.list(shard=pieces[0])]
    whole = [r.id async for r in st.supplier_invoices.list(shard=pieces[1])]
    # The piece's walk begins a page early (page 4: none of its records), then page 5.
    done, rest = await _first_pages(st, pieces[1], 2)
    assert done == whole[:LIMIT]
    assert rest.first_page == 6
    # More than a page deleted before the piece, and some of what it has still to do:
    # the records still to come move back past the page the rest begins with.
    deleted = earlier[: LIMIT + 10] + whole[LIMIT : LIMIT + 20]
    for record_id in deleted:
        await st.supplier_invoices.delete(record_id, deleted_by_user="u1")
    resumed = [r.id async for r in st.supplier_invoices.list(shard=rest)]
    assert resumed == whole[LIMIT + 20 :]


async def test_a_finished_piece_checkpoint_yields_only_what_came_after(st: SevenTime) -> None:
    pieces = await st.supplier_invoices.list(limit=LIMIT).shards(2)
    walk = st.supplier_invoices.list(shard=pieces[1])
    assert walk.shard_checkpoint == pieces[1]
    assert walk.checkpoint is None
    assert len([r async for r in walk]) == RECORDS // 2
    rest = _through_json(walk.shard_checkpoint)
    requests = st.stats.requests
    assert [r.id async for r in st.supplier_invoices.list(shard=rest)] == []
    assert st.stats.requests - requests == 1  # its last page, to see nothing moved back
    created = await st.supplier_invoices.create(
        supplier_invoice_number=9100,
        created_by_user="u1",
        distributor="d1",
        total_amount_incl_tax=Decimal(1),
    )
    assert [r.id async for r in st.supplier_invoices.list(shard=rest)] == [created.id]


async def test_fewer_pages_than_pieces_gives_fewer_pieces(st: SevenTime) -> None:
    pieces = await st.supplier_invoices.list(limit=500).shards(8)
    assert len(pieces) == 1
    assert pieces[0].start is None
    assert pieces[0].stop is None
    assert len(await _run(st, pieces)) == RECORDS


async def test_bad_plans_and_pieces_are_refused_before_sending(st: SevenTime) -> None:
    listing = st.supplier_invoices.list(limit=LIMIT)
    with pytest.raises(InvalidRequestError, match="whole number"):
        await listing.shards(0)
    with pytest.raises(InvalidRequestError, match="oldest first"):
        await st.supplier_invoices.list(sort_by="invoiceDate").shards(2)
    with pytest.raises(InvalidRequestError, match="whole list"):
        await st.supplier_invoices.list(max_items=10).shards(2)
    pieces = await listing.shards(2)
    with pytest.raises(InvalidRequestError, match="own filters"):
        st.supplier_invoices.list(shard=pieces[0], project="p1")
    with pytest.raises(InvalidRequestError, match="supplier_invoices"):
        st.time_logs.list(shard=pieces[0])
    with pytest.raises(InvalidRequestError, match="not a valid shard"):
        Shard.from_dict({"index": 0})
    with pytest.raises(InvalidRequestError, match="not a valid shard"):
        Shard.from_dict({**pieces[0].to_dict(), "after": "2024-01-01"})
    assert st.stats.requests == 2  # the plan's: one for the total, one for the cut


async def test_filters_carry_into_the_pieces(st: SevenTime) -> None:
    wanted = {r.id async for r in st.supplier_invoices.list(is_invoiceable=True)}
    pieces = await st.supplier_invoices.list(limit=LIMIT, is_invoiceable=True).shards(3)
    ids = await _run(st, pieces)
    assert len(ids) == len(set(ids))
    assert set(ids) == wanted
    assert ("sortBy", "createDate") in pieces[0].filters
