"""Shard plans: one export cut into pieces that separate workers run independently.

A plan sorts the list oldest first (the collection's creation date, ascending) and cuts
it where whole pages begin. Each :class:`Shard` holds two things: the page where it
began when planned (a *hint*, to start near it) and the *key* of its first record and of
the next piece's first record (creation date, then id: the *bounds*). A worker walks
from one page before its hint and keeps exactly the records whose key lies within its
bounds, so the pieces together yield every record once even when pages shift:

- records created after the plan sort last: the last piece, open-ended, takes them;
- records deleted before a piece's first record move it to an earlier page: the walk
  starts a page early, and further back if its first record shows it started too late;
- a piece ends at most one page after where the next began (records only move earlier).

A piece resumes like an export: after each page, the walk's ``shard_checkpoint`` is the
rest of the piece, a piece itself, whose ``after`` is the key of the last record
delivered (records up to it are not delivered again) and whose hint is the next page.

What can still move: a record created *with* an old creation date (an import) after its
piece ran is missed by this run; more than a page of records sharing one creation date
(to the millisecond) across a cut may be cut wrongly. Within a piece, ids already
yielded are dropped (the usual dedupe).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ._decode import RawPage
from ._exceptions import InvalidRequestError, PaginationError

__all__ = ["Shard", "ShardKey", "compare_keys", "plan_shards", "record_key", "sorted_filters"]

#: ``(sort value, id)``: where a record sorts. A missing sort value sorts first.
ShardKey = tuple[str, str]
FetchPage = Callable[[tuple[tuple[str, str], ...], int, int, bool], Awaitable[RawPage]]
_SORT_PARAMS = ("sortBy", "sortDirection")
_ASCENDING = "ascending"


@attrs.frozen(kw_only=True)
class Shard:
    """One piece of a sharded export; JSON-serialisable like :class:`Checkpoint`.

    Run it with ``list(shard=piece)`` on the same collection; run a failed piece again
    whole, or resume it from the walk's ``shard_checkpoint`` (the rest of the piece).
    ``start``/``stop`` are the piece's first record's key and the next piece's (None:
    from the beginning / to the end); ``after``, on the rest of a piece, the key of the
    last record already delivered; ``first_page`` is where it began when planned (on
    the rest of a piece: the next page). ``filters`` are the wire query parameters, the
    stable sort included.
    """

    index: int
    count: int
    filters: tuple[tuple[str, str], ...]
    limit: int
    first_page: int
    stop_page: int | None
    start: ShardKey | None
    stop: ShardKey | None
    sort_field: str
    collection: str | None = None
    base_url: str | None = None
    total_resources: int | None = None
    after: ShardKey | None = None

    def contains(self, key: ShardKey) -> bool:
        """Whether a record with this key belongs to the piece (and, on the rest of a
        piece, was not delivered yet)."""
        if self.after is not None:
            from_start = compare_keys(key, self.after) > 0
        else:
            from_start = self.start is None or compare_keys(key, self.start) >= 0
        return from_start and (self.stop is None or compare_keys(key, self.stop) < 0)

    def starts_after(self, key: ShardKey) -> bool:
        """Whether a page whose first record has this key may begin past the piece's
        first record still to deliver (a walk that began it there started too late)."""
        bound = self.after if self.after is not None else self.start
        return bound is not None and compare_keys(key, bound) > 0

    def rest_after(self, key: ShardKey | None, next_page: int) -> Shard:
        """The rest of the piece once the records up to ``key`` (None: none yet) were
        delivered and the walk goes on at ``next_page``."""
        after = self.after
        if key is not None and (after is None or compare_keys(key, after) > 0):
            after = key
        return attrs.evolve(self, after=after, first_page=next_page)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for ``json.dumps``."""
        data = attrs.asdict(self)
        data["filters"] = [list(pair) for pair in self.filters]
        for name in ("start", "stop", "after"):
            data[name] = None if data[name] is None else list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Shard:
        """Rebuild a piece from :meth:`to_dict` output (validated)."""
        try:
            shard = cls(
                index=int(data["index"]),
                count=int(data["count"]),
                filters=tuple((str(k), str(v)) for k, v in data["filters"]),
                limit=int(data["limit"]),
                first_page=int(data["first_page"]),
                stop_page=None if data.get("stop_page") is None else int(data["stop_page"]),
                start=_key(data.get("start")),
                stop=_key(data.get("stop")),
                sort_field=str(data["sort_field"]),
                collection=data.get("collection"),
                base_url=data.get("base_url"),
                total_resources=(
                    None if data.get("total_resources") is None else int(data["total_resources"])
                ),
                after=_key(data.get("after")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRequestError(f"not a valid shard: {exc}", field="shard") from None
        if not 0 <= shard.index < shard.count or shard.first_page < 1:
            raise InvalidRequestError("not a valid shard: index or first_page", field="shard")
        return shard


def _key(value: Any) -> ShardKey | None:
    if value is None:
        return None
    sort_value, record_id = value
    return (str(sort_value), str(record_id))


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def compare_keys(left: ShardKey, right: ShardKey) -> int:
    """-1, 0 or 1: creation dates compared as instants (as text if either is not one),
    then ids (ObjectIds sort by creation time as text)."""
    left_time, right_time = _instant(left[0]), _instant(right[0])
    if left_time is not None and right_time is not None:
        first = (left_time > right_time) - (left_time < right_time)
    else:
        first = (left[0] > right[0]) - (left[0] < right[0])
    if first:
        return first
    return (left[1] > right[1]) - (left[1] < right[1])


def record_key(record: Any, sort_attribute: str, id_attribute: str) -> ShardKey:
    """The key of a decoded record."""
    sort_value = getattr(record, sort_attribute, None)
    if isinstance(sort_value, datetime):
        text = sort_value.isoformat()
    else:
        text = "" if sort_value is None else str(sort_value)
    return (text, str(getattr(record, id_attribute, "")))


def sorted_filters(
    filters: tuple[tuple[str, str], ...], sort_field: str
) -> tuple[tuple[str, str], ...]:
    """``filters`` with the stable sort (creation date, oldest first); a different sort
    the caller asked for is refused (pieces need one order)."""
    given = dict(filters)
    if given.get("sortBy", sort_field) != sort_field or given.get(
        "sortDirection", _ASCENDING
    ) not in (_ASCENDING,):
        raise InvalidRequestError(
            f"shards sort by {sort_field}, oldest first; leave sort_by/sort_direction out",
            field="sort_by",
        )
    rest = tuple(pair for pair in filters if pair[0] not in _SORT_PARAMS)
    return (*rest, ("sortBy", sort_field), ("sortDirection", _ASCENDING))


async def plan_shards(
    fetch_page: FetchPage,
    filters: tuple[tuple[str, str], ...],
    *,
    count: int,
    limit: int,
    sort_field: str,
    key_of: Callable[[RawPage], ShardKey | None],
    collection: str | None,
    base_url: str | None,
) -> list[Shard]:
    """Cut the list into ``count`` pieces (fewer when it has fewer pages): one request
    for the total, then one single-record request per cut, for its key."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidRequestError("shards: n must be a whole number >= 1", field="shards")
    filters = sorted_filters(filters, sort_field)
    probe = await fetch_page(filters, 1, 1, False)
    total = probe.meta.total_resources
    pages = max(1, math.ceil(total / limit))
    count = min(count, pages)
    starts = [1 + (index * pages) // count for index in range(count)]

    async def key_at(page: int) -> ShardKey:
        position = (page - 1) * limit + 1  # the page's first record: a page of 1 record
        raw = await fetch_page(filters, position, 1, False)
        key = key_of(raw)
        if key is None:
            raise PaginationError(
                f"planning shards: record {position} of {total} is gone (the list "
                "shrank while planning); plan again",
                method=raw.source.method,
                path=raw.source.path,
            )
        return key

    cuts = await asyncio.gather(*(key_at(page) for page in starts[1:]))
    bounds: list[ShardKey | None] = [None, *cuts, None]
    return [
        Shard(
            index=index,
            count=count,
            filters=filters,
            limit=limit,
            first_page=starts[index],
            stop_page=None if index == count - 1 else starts[index + 1] + 1,
            start=bounds[index],
            stop=bounds[index + 1],
            sort_field=sort_field,
            collection=collection,
            base_url=base_url,
            total_resources=total,
        )
        for index in range(count)
    ]
