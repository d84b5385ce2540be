"""The sandbox serves every declared collection through the public client."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from seventime_async import NotFoundError, SevenTime
from seventime_async._naming import wire_name
from seventime_async.resources import REGISTRY
from seventime_async.testing import Sandbox

GENERIC = [spec for spec in REGISTRY if spec.path != "supplierInvoices"]


@pytest.fixture
async def sandbox() -> Any:
    async with Sandbox(rate_limit=False, collection_records=12) as sb:
        yield sb


def client(sb: Any) -> SevenTime:
    return SevenTime(sb.client_secret, base_url=sb.url, rate_limit=None)


@pytest.mark.parametrize("spec", [s for s in GENERIC if s.list], ids=lambda s: s.name)
async def test_every_list_walks_every_record_once(sandbox: Any, spec: Any) -> None:
    stored = sandbox.collections.records(spec.name)
    assert stored, f"{spec.name}: nothing seeded"
    # A required filter (the distributor of its contact persons) takes a seeded value.
    required = {f.name: stored[0][f.wire] for f in spec.filters() if f.required}
    options = {"limit": 5} if spec.list.paged else {}
    async with client(sandbox) as st:
        records = [r async for r in getattr(st, spec.name).list(**required, **options)]
    key = spec.id_field
    wire_key = wire_name(key)
    wanted = [s for s in stored if all(s[f.wire] == v for f, v in _pairs(spec, required))]
    assert [getattr(r, key) for r in records] == [s[wire_key] for s in wanted]
    assert all(r.extra == {} for r in records)


def _pairs(spec: Any, given: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(f, given[f.name]) for f in spec.filters() if f.name in given]


@pytest.mark.parametrize("spec", [s for s in GENERIC if s.get], ids=lambda s: s.name)
async def test_every_get_finds_a_listed_record_and_404s_an_unknown_id(
    sandbox: Any, spec: Any
) -> None:
    wanted = sandbox.collections.records(spec.name)[-1]["_id"]
    async with client(sandbox) as st:
        facade = getattr(st, spec.name)
        assert (await facade.get(wanted)).id == wanted
        with pytest.raises(NotFoundError):
            await facade.get("0" * 24)


async def test_last_modified_returns_only_what_changed_since(sandbox: Any) -> None:
    spec = next(s for s in GENERIC if any(f.wire == "lastModified" for f in s.filters()))
    stored = sandbox.collections.records(spec.name)
    stamps = sorted(datetime.fromisoformat(r["lastModified"]) for r in stored)
    since = stamps[len(stamps) // 2]
    async with client(sandbox) as st:
        found = [r async for r in getattr(st, spec.name).list(last_modified=since)]
    assert found
    assert all(r.last_modified >= since.replace(microsecond=0) for r in found)
    expected = sum(1 for s in stamps if s >= since.replace(microsecond=0))
    assert len(found) == expected


async def test_a_time_log_is_created_updated_and_deleted(sandbox: Any) -> None:
    start = datetime(2024, 5, 2, 7, 0, tzinfo=UTC)
    async with client(sandbox) as st:
        created = await st.time_logs.create(
            created_by_user="u1", user="u1", timestamp=start, time=Decimal("1.5")
        )
        assert created.time == Decimal("1.5")
        assert created.timestamp == start
        changed = await st.time_logs.update(
            created.id, modified_by_user="u1", user="u1", description="fixed"
        )
        assert (changed.id, changed.description) == (created.id, "fixed")
        assert (await st.time_logs.get(created.id)).description == "fixed"
        gone = await st.time_logs.delete(created.id, deleted_by_user="u1")
        assert gone.id == created.id
        with pytest.raises(NotFoundError):
            await st.time_logs.get(created.id)
