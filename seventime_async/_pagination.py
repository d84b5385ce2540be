"""Auto-pagination over ``meta.totalPages``.

Two parts: a pure plan (:class:`PagePlan`: which page to ask next, is it done) and one
async loop (:meth:`Paginator._run`) that drives it. Once a page's ``meta`` is known the
next pages are requested at once, up to ``concurrency`` in flight (each through the
client's rate limiter), before that page's records are decoded; pages are still yielded
in order. Records are decoded one at a time as they are yielded, so a 500-record page
never blocks the event loop for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import weakref
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Generic, Literal, TypeVar

import attrs

from ._build import validate_page_size
from ._decode import RawPage, iter_records, prepare_decoding
from ._exceptions import InvalidRequestError, PaginationError
from ._models import Page
from ._naming import attribute_name
from ._ratelimit import IdleOnly
from ._shards import Shard, ShardKey, compare_keys, plan_shards, record_key

__all__ = ["Checkpoint", "PagePlan", "Paginator", "PaginatorStats"]

T = TypeVar("T")
U = TypeVar("U")
logger = logging.getLogger("seventime_async")

#: ``fetch(filters, page, limit, idle)``: ``idle`` asks for a page that may only take
#: a rate-limiter slot nobody else wants, while it says so (a speculative page, see
#: ``Paginator`` and ``IdleOnly``).
FetchPage = Callable[[tuple[tuple[str, str], ...], int, int, IdleOnly], Awaitable[RawPage]]

# Records are decoded (and consumed) in turns of about 0.5 ms of the event loop: a rate
# limiter's grant, another request's answer, wait about that long behind a page. Time,
# not a count of records: records differ in size, and consumers in what they do with them.
_LOOP_TURN_SECONDS = 0.0005


@attrs.frozen(kw_only=True)
class Checkpoint:
    """Where an export stands after its last completed page; JSON-serialisable.

    Pass it back as ``list(..., resume=checkpoint)`` (or ``Paginator.resume``) to go on
    with the next page. ``filters`` are the wire query parameters of the original list.
    """

    filters: tuple[tuple[str, str], ...]
    limit: int
    next_page: int
    stop_page: int | None = None
    pages_done: int = 0
    records_done: int = 0
    total_resources: int | None = None
    total_pages: int | None = None
    #: The collection (``"supplier_invoices"``) and server the walk was on; a resume
    #: on another collection or server is refused. None in checkpoints from before.
    collection: str | None = None
    base_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for ``json.dumps``."""
        data = attrs.asdict(self)
        data["filters"] = [list(pair) for pair in self.filters]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        """Rebuild a checkpoint from :meth:`to_dict` output (validated)."""
        try:
            filters = tuple((str(k), str(v)) for k, v in data["filters"])
            checkpoint = cls(
                filters=filters,
                limit=int(data["limit"]),
                next_page=int(data["next_page"]),
                stop_page=None if data.get("stop_page") is None else int(data["stop_page"]),
                pages_done=int(data.get("pages_done", 0)),
                records_done=int(data.get("records_done", 0)),
                total_resources=_optional_int(data.get("total_resources")),
                total_pages=_optional_int(data.get("total_pages")),
                collection=_optional_str(data.get("collection")),
                base_url=_optional_str(data.get("base_url")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRequestError(f"not a valid checkpoint: {exc}", field="resume") from None
        validate_page_size(checkpoint.limit)
        if checkpoint.next_page < 1:
            raise InvalidRequestError("checkpoint next_page must be >= 1", field="resume")
        return checkpoint


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _optional_str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


@attrs.define(kw_only=True)
class PaginatorStats:
    """Counts of one walk, updated after every page (also handed to ``on_progress``)."""

    pages: int = 0
    records: int = 0
    duplicates_dropped: int = 0
    drift_events: int = 0
    total_resources: int | None = None
    total_pages: int | None = None
    #: On a resumed walk: the server's ``totalResources`` now minus the checkpoint's
    #: (records added or removed since; pages before the checkpoint may have shifted).
    resume_drift: int | None = None


@attrs.define
class _Walk:
    """The state of one walk: its counters and the ids it yielded (for dedupe)."""

    seen: set[Any] | None
    stats: PaginatorStats = attrs.Factory(PaginatorStats)
    #: Records of the current page dropped as already yielded (see ``_check_progress``).
    page_duplicates: int = 0
    #: In a shard walk: the greatest key delivered so far (None: none yet).
    last_key: ShardKey | None = None


@attrs.frozen(kw_only=True)
class PagePlan:
    """Which pages a walk asks for. Pure: every method returns a value or a new plan.

    ``last_page`` is None until the first page's meta is known; it is re-read from every
    page's meta and capped by ``stop_page`` (exclusive) and by ``max_items``.
    """

    first_page: int = 1
    stop_page: int | None = None
    limit: int
    max_items: int | None = None
    last_page: int | None = None

    def wanted_last_page(self, total_pages: int) -> int:
        """The last page to fetch, given the server's current ``totalPages``."""
        last = total_pages
        if self.stop_page is not None:
            last = min(last, self.stop_page - 1)
        if self.max_items is not None:
            last = min(last, self.first_page + math.ceil(self.max_items / self.limit) - 1)
        return last

    def after(self, requested: int, page: RawPage) -> PagePlan:
        """The plan once page ``requested`` arrived; raises if the server did not page."""
        if page.meta.current_page != requested:
            raise PaginationError(
                f"asked for page {requested}, the server answered page "
                f"{page.meta.current_page}; stopping instead of looping",
                method=page.source.method,
                path=page.source.path,
            )
        return attrs.evolve(self, last_page=self.wanted_last_page(page.meta.total_pages))

    def may_fetch(self, page_number: int) -> bool:
        """Whether ``page_number`` is still part of the walk."""
        if self.max_items == 0:
            return False
        if self.stop_page is not None and page_number >= self.stop_page:
            return False
        if self.last_page is None:
            return page_number == self.first_page
        return page_number <= self.last_page


#: The most pages a walk keeps in flight when its window follows the round trip
#: (each holds up to a 1.3 MB body): 12 fill 4 req/s up to ~2.7 s per page.
MAX_WINDOW = 12


def window_for(round_trip: float, rate: float, floor: int) -> int:
    """Pages to keep in flight so that the rate limit, not the round trip, is the
    bottleneck: ``rate x round trip`` pages are on the way at any time, plus one being
    decoded; never fewer than ``floor``, never more than :data:`MAX_WINDOW`."""
    return max(floor, min(MAX_WINDOW, math.ceil(rate * round_trip) + 1))


class Paginator(Generic[T]):
    """Async-iterable over the records of a list, across every page.

    ``async for record in paginator`` walks the records, ``paginator.pages()`` the pages
    with their meta, ``await paginator.collect()`` gathers every record. Each iteration
    starts a new walk. ``stats`` and ``checkpoint`` describe the latest walk (on a
    shard piece's walk, ``shard_checkpoint`` instead of ``checkpoint``).
    Use ``async with`` (or ``await paginator.aclose()``) to stop a walk early and release
    its in-flight requests at once; a plain ``break`` also releases them, when the loop
    finalises the abandoned iterator.
    """

    def __init__(
        self,
        fetch_page: FetchPage,
        record_type: type[T],
        filters: tuple[tuple[str, str], ...],
        *,
        limit: int,
        first_page: int = 1,
        stop_page: int | None = None,
        max_items: int | None = None,
        concurrency: int = 4,
        speculative: bool | Literal["idle"] = False,
        dedupe: bool = True,
        on_progress: Callable[[PaginatorStats], None] | None = None,
        checkpoint: Checkpoint | None = None,
        id_field: str = "id",
        adaptive: bool = False,
        rate: float | None = None,
        collection: str | None = None,
        base_url: str | None = None,
        sort_field: str | None = None,
        shard: Shard | None = None,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidRequestError(
                "concurrency must be a whole number >= 1", field="concurrency"
            )
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
        ):
            raise InvalidRequestError("max_items must be a whole number >= 0", field="max_items")
        if first_page < 1 or (stop_page is not None and stop_page <= first_page):
            raise InvalidRequestError("pages must be a non-empty range from 1", field="pages")
        self._fetch_page = fetch_page
        self._record_type = record_type
        self._filters = filters
        plan = PagePlan(
            first_page=first_page, stop_page=stop_page, limit=limit, max_items=max_items
        )
        # Before the first page's meta says how many pages there are: a resumed walk
        # knows from its checkpoint; a speculative one assumes a full first window.
        if checkpoint is not None and checkpoint.total_pages is not None:
            plan = attrs.evolve(plan, last_page=plan.wanted_last_page(checkpoint.total_pages))
        elif speculative:
            guess = plan.wanted_last_page(first_page + concurrency - 1)
            plan = attrs.evolve(plan, last_page=guess)
        self._plan = plan
        self._idle = speculative == "idle"
        self._concurrency = concurrency
        # A window that follows the round trip (``concurrency`` not given, a paced client).
        self._rate = rate if adaptive else None
        self._dedupe = dedupe
        self._id_field = id_field
        self._collection = collection
        self._base_url = base_url
        self._on_progress = on_progress
        self._resumed_from = checkpoint
        self._sort_field = sort_field
        self._shard = shard
        # Walks in progress. Weak, so that an abandoned walk is finalised (and its pages in
        # flight cancelled) as soon as it is dropped; inside ``async with`` they are held
        # strongly too, so that leaving the block closes them, deterministically.
        self._active: weakref.WeakSet[Any] = weakref.WeakSet()
        self._held: list[Any] | None = None
        self.stats = PaginatorStats()
        self.checkpoint: Checkpoint | None = checkpoint
        #: On a shard piece's walk: the rest of the piece after the last completed page,
        #: itself a :class:`Shard` (``list(shard=...)`` goes on with it); None otherwise.
        self.shard_checkpoint: Shard | None = shard

    def __repr__(self) -> str:
        return (
            f"<Paginator {self._record_type.__name__} filters={dict(self._filters)!r} "
            f"limit={self._plan.limit} pages={self.stats.pages} records={self.stats.records}>"
        )

    # -- the public ways to walk ----------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[T]:
        return self._track(self._records())

    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate pages (``.meta``, ``.items``) instead of records."""
        return self._track(self._pages())

    def _track(self, iterator: AsyncGenerator[U, None]) -> AsyncGenerator[U, None]:
        self._active.add(iterator)
        if self._held is not None:
            self._held.append(iterator)
        return iterator

    async def collect(self) -> list[T]:
        """Every record of every page, in order."""
        return [record async for record in self]

    async def shards(self, n: int) -> list[Shard]:
        """Cut this list into ``n`` pieces (fewer if it has fewer pages) that separate
        workers run independently with ``list(shard=piece)``; together they yield every
        record once. The list is sorted by creation date, oldest first (see :class:`Shard`
        for what may still move). Costs one request plus one per cut."""
        plan = self._plan
        if self._shard is not None or self._resumed_from is not None:
            raise InvalidRequestError("shards: plan from a plain list", field="shards")
        if plan.first_page != 1 or plan.stop_page is not None or plan.max_items is not None:
            raise InvalidRequestError(
                "shards: plan the whole list (no pages= or max_items=)", field="shards"
            )
        if self._sort_field is None:
            raise InvalidRequestError(
                "shards: this list has no creation date to sort by (a stable order)",
                field="shards",
            )
        return await plan_shards(
            self._fetch_page,
            self._filters,
            count=n,
            limit=plan.limit,
            sort_field=self._sort_field,
            key_of=self._first_key,
            collection=self._collection,
            base_url=self._base_url,
        )

    def _key(self, record: Any) -> ShardKey:
        assert self._sort_field is not None
        return record_key(record, attribute_name(self._sort_field), self._id_field)

    def _first_key(self, raw: RawPage) -> ShardKey | None:
        """The key of a page's first record (None: an empty page)."""
        for record in iter_records(raw, self._record_type):
            return self._key(record)
        return None

    async def aclose(self) -> None:
        """Stop every walk of this paginator and cancel its in-flight requests."""
        for iterator in {*self._active, *(self._held or ())}:
            await iterator.aclose()

    async def __aenter__(self) -> Paginator[T]:
        self._held = []
        return self

    async def __aexit__(self, *_: object) -> None:
        try:
            await self.aclose()
        finally:
            self._held = None

    # -- the walk -------------------------------------------------------------------------

    def _start_walk(self) -> _Walk:
        walk = _Walk(seen=set() if self._dedupe else None)
        self.stats = walk.stats  # the latest walk's counters
        return walk

    async def _records(self) -> AsyncGenerator[T, None]:
        walk = self._start_walk()
        remaining = self._plan.max_items
        # aclosing: closing this iterator must close the walk at once (it cancels the
        # pages in flight), not whenever the garbage collector gets to it.
        async with contextlib.aclosing(self._run(walk)) as pages:
            async for raw, number in pages:
                fresh = 0
                turn_ends = time.perf_counter() + _LOOP_TURN_SECONDS
                for record in self._unseen(raw, walk):
                    fresh += 1
                    if remaining is not None:
                        if remaining == 0:
                            return
                        remaining -= 1
                    walk.stats.records += 1
                    yield record
                    if time.perf_counter() >= turn_ends:
                        await asyncio.sleep(0)
                        turn_ends = time.perf_counter() + _LOOP_TURN_SECONDS
                self._check_progress(raw, number, fresh, walk)
                self._page_completed(number, walk)
                if remaining == 0:
                    return

    async def _pages(self) -> AsyncGenerator[Page[T], None]:
        walk = self._start_walk()
        remaining = self._plan.max_items
        async with contextlib.aclosing(self._run(walk)) as pages:
            async for raw, number in pages:
                items: list[T] = []
                turn_ends = time.perf_counter() + _LOOP_TURN_SECONDS
                for record in self._unseen(raw, walk):
                    items.append(record)
                    if time.perf_counter() >= turn_ends:
                        await asyncio.sleep(0)
                        turn_ends = time.perf_counter() + _LOOP_TURN_SECONDS
                self._check_progress(raw, number, len(items), walk)
                if remaining is not None:
                    items = items[:remaining]
                    remaining -= len(items)
                walk.stats.records += len(items)
                yield Page(meta=raw.meta, items=items)
                self._page_completed(number, walk)
                if remaining == 0:
                    return

    def _unseen(self, raw: RawPage, walk: _Walk) -> Iterator[T]:
        """Decode a page's records one by one, dropping ids already yielded (dedupe) and,
        in a shard walk, records outside the piece."""
        seen = walk.seen
        shard = self._shard
        walk.page_duplicates = 0
        for record in iter_records(raw, self._record_type):
            if shard is not None:
                key = self._key(record)
                if not shard.contains(key):
                    continue
                if walk.last_key is None or compare_keys(key, walk.last_key) > 0:
                    walk.last_key = key
            if seen is not None:
                record_id = getattr(record, self._id_field, None)
                if record_id in seen:
                    walk.stats.duplicates_dropped += 1
                    walk.page_duplicates += 1
                    continue
                seen.add(record_id)
            yield record

    def _check_progress(self, raw: RawPage, number: int, fresh: int, walk: _Walk) -> None:
        """A page after the first whose records were all yielded already: the server
        ignores ``page`` (and echoes ``currentPage``); walking on would never end."""
        if (
            fresh == 0
            and walk.page_duplicates
            and self._dedupe
            and number != self._plan.first_page
            and raw.records
        ):
            raise PaginationError(
                f"page {number} holds only records already yielded: the server seems to "
                "ignore the page parameter; stopping instead of looping",
                method=raw.source.method,
                path=raw.source.path,
            )

    def _page_completed(self, number: int, walk: _Walk) -> None:
        stats = walk.stats
        stats.pages += 1
        if self._shard is not None:
            self.shard_checkpoint = self._shard.rest_after(walk.last_key, number + 1)
        else:
            self.checkpoint = self._checkpoint_after(number, stats)
        if self._on_progress is not None:
            self._on_progress(stats)

    def _checkpoint_after(self, number: int, stats: PaginatorStats) -> Checkpoint:
        return Checkpoint(
            filters=self._filters,
            limit=self._plan.limit,
            next_page=number + 1,
            stop_page=self._plan.stop_page,
            pages_done=(self._resumed_from.pages_done if self._resumed_from else 0) + stats.pages,
            records_done=(self._resumed_from.records_done if self._resumed_from else 0)
            + stats.records,
            total_resources=stats.total_resources,
            total_pages=stats.total_pages,
            collection=self._collection,
            base_url=self._base_url,
        )

    def _started_too_late(self, number: int, raw: RawPage, first_page: int) -> bool:
        """A piece's walk whose first page begins past the piece's first record."""
        shard = self._shard
        if shard is None or number != first_page or number == 1:
            return False
        key = self._first_key(raw)
        return key is not None and shard.starts_after(key)

    def _note_meta(self, raw: RawPage, walk: _Walk) -> None:
        stats = walk.stats
        total = raw.meta.total_resources
        resumed = self._resumed_from
        first_page = stats.total_resources is None
        if first_page and resumed is not None and resumed.total_resources is not None:
            stats.resume_drift = total - resumed.total_resources
        if stats.total_resources is not None and total != stats.total_resources:
            stats.drift_events += 1
            logger.warning(
                "totalResources changed from %d to %d during the walk: records were added "
                "or removed; pages may shift (duplicates are dropped: %s)",
                stats.total_resources,
                total,
                "yes" if self._dedupe else "no",
            )
        stats.total_resources = total
        stats.total_pages = raw.meta.total_pages

    async def _run(self, walk: _Walk) -> AsyncGenerator[tuple[RawPage, int], None]:
        """Fetch pages in order, with up to ``concurrency`` requests in flight."""
        plan = self._plan
        in_flight: deque[tuple[int, asyncio.Task[RawPage]]] = deque()
        next_number = plan.first_page
        # Until a page's meta is in, pages past the first are a guess: in "idle" mode they
        # take only limiter slots nobody else wants, and are dropped unsent when the first
        # page says there are fewer.
        guessing = self._idle
        window = self._concurrency
        loop = asyncio.get_running_loop()
        first_asked = loop.time()  # the first page is asked at once, below

        def still_guessing() -> bool:
            # Asked by a guess's limiter wait: once the first page is in, a guess that
            # is still waiting is a page the walk needs; it waits for a turn as usual.
            return guessing

        def top_up() -> None:
            nonlocal next_number
            while len(in_flight) < window and plan.may_fetch(next_number):
                idle = guessing and next_number > plan.first_page
                task = asyncio.ensure_future(
                    self._fetch_page(
                        self._filters, next_number, plan.limit, still_guessing if idle else False
                    )
                )
                in_flight.append((next_number, task))
                next_number += 1

        try:
            top_up()
            while in_flight:
                number, task = in_flight[0]
                if guessing and self._rate is not None:
                    # A slow first page: keep guessing, one more page each time the rate
                    # would have sent one, so the pages keep coming at the limit (the
                    # guesses still take only idle slots).
                    while not task.done() and window < MAX_WINDOW:
                        await asyncio.wait([task], timeout=1 / self._rate)
                        grown = window_for(loop.time() - first_asked, self._rate, window)
                        if grown > window:
                            window = grown
                            last = plan.wanted_last_page(plan.first_page + window - 1)
                            plan = attrs.evolve(plan, last_page=last)
                            top_up()
                in_flight.popleft()
                raw = await task
                # The decoders, once per record class and process (at once after that),
                # in short turns; not while the walk's first requests wait for their
                # slots: on a shared schedule a worker woken late gives its slot up.
                await prepare_decoding(self._record_type)
                guessing = False
                if self._started_too_late(number, raw, plan.first_page):
                    # Records before the piece were deleted since it was planned: its
                    # first records are on an earlier page now. Nothing was yielded yet.
                    for _, pending in in_flight:
                        pending.cancel()
                    await asyncio.gather(*(t for _, t in in_flight), return_exceptions=True)
                    in_flight.clear()
                    step = 2 * max(1, (self._shard.first_page if self._shard else 1) - number)
                    plan = attrs.evolve(plan, first_page=max(1, number - step), last_page=None)
                    next_number = plan.first_page
                    top_up()
                    continue
                if self._rate is not None and number == self._plan.first_page:
                    # The first page waits behind none of the walk's own pages, so its
                    # time is the round trip (plus whatever else the client was sending:
                    # the window may then be a little larger than needed, never above 12).
                    round_trip = loop.time() - first_asked
                    window = window_for(round_trip, self._rate, self._concurrency)
                plan = plan.after(number, raw)
                self._note_meta(raw, walk)
                if not raw.records:
                    return
                # Pages past a shrunken total will come back empty: cancel them now.
                while in_flight and not plan.may_fetch(in_flight[-1][0]):
                    in_flight.pop()[1].cancel()
                if plan.last_page is not None:
                    next_number = min(next_number, max(plan.last_page, number) + 1)
                top_up()  # ask for the next pages now, before this page's records are decoded
                yield raw, number
        finally:
            for _, task in in_flight:
                task.cancel()
            if in_flight:
                await asyncio.gather(*(task for _, task in in_flight), return_exceptions=True)
