"""Incremental sync: only what changed since the last completed run.

A run lists the collection with ``lastModified >= watermark - overlap``, sorted by
``lastModified`` oldest first (a record changed during the run moves to the end, where
the walk still meets it). The look-back ``overlap`` covers clock skew between the
server's writers; versions delivered last time within it, by (id, lastModified), are
not delivered again. Offset pages can skip a record when another is deleted mid-walk:
a pass during which the list's total changed is followed by another pass over the same
range (only versions not yet delivered are yielded), up to ``max_passes``. Once a pass
ends with no change, the run is complete and the watermark moves to the newest
``lastModified`` delivered; a run that stops early (an error, a ``break``) saves nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import attrs

from ._exceptions import InvalidRequestError
from ._pagination import Paginator
from ._sync_state import SyncState, Watermark

__all__ = ["DEFAULT_OVERLAP", "ChangeFeed", "ChangeStats", "sync_scope"]

T = TypeVar("T")
logger = logging.getLogger("seventime_async")

#: The default look-back before the watermark.
DEFAULT_OVERLAP = timedelta(minutes=5)
MakeList = Callable[[datetime | None], Paginator[Any]]


@attrs.define(kw_only=True)
class ChangeStats:
    """What one run of a :class:`ChangeFeed` did."""

    #: False when the collection's list takes no ``lastModified``: a full export.
    incremental: bool = True
    since: datetime | None = None
    passes: int = 0
    delivered: int = 0
    #: Versions skipped as delivered already (the overlap, or an earlier pass).
    skipped: int = 0
    #: The watermark saved at the end (None: nothing saved).
    saved: datetime | None = None


def sync_scope(collection: str, filters: tuple[tuple[str, str], ...], where: str) -> str:
    """The state's name for one collection + filter set + server and key (``where``
    holds the server and the key's one-way id): readable, then a hash."""
    blob = json.dumps([where, collection, sorted(filters)], separators=(",", ":"))
    return f"{collection}:{hashlib.sha256(blob.encode()).hexdigest()[:24]}"


class ChangeFeed(Generic[T]):
    """``async for record in st.<collection>.changes(state, ...)``: the records changed
    since the last completed run (every record on the first run). The state moves
    forward when the loop runs to its end; ``stats`` tells what happened."""

    def __init__(
        self,
        make_list: MakeList,
        *,
        state: SyncState,
        scope: str,
        collection: str,
        filters: tuple[tuple[str, str], ...],
        incremental: bool,
        overlap: timedelta = DEFAULT_OVERLAP,
        max_passes: int = 3,
        id_attribute: str = "id",
    ) -> None:
        if not isinstance(overlap, timedelta) or overlap < timedelta(0):
            raise InvalidRequestError("overlap must be a timedelta >= 0", field="overlap")
        if isinstance(max_passes, bool) or not isinstance(max_passes, int) or max_passes < 1:
            raise InvalidRequestError("max_passes must be a whole number >= 1", field="max_passes")
        self._make_list = make_list
        self._state = state
        self._scope = scope
        self._collection = collection
        self._filters = filters
        self._incremental = incremental
        self._overlap = overlap
        self._max_passes = max_passes
        self._id = id_attribute
        self.stats = ChangeStats(incremental=incremental)

    def __repr__(self) -> str:
        return f"<ChangeFeed {self._scope} state={self._state!r}>"

    def __aiter__(self) -> AsyncIterator[T]:
        return self._run()

    async def _run(self) -> AsyncGenerator[T, None]:
        stats = self.stats = ChangeStats(incremental=self._incremental)
        if not self._incremental:
            logger.warning(
                "%s has no lastModified filter: no incremental sync, exporting it whole",
                self._collection,
            )
            async for record in self._make_list(None):
                stats.delivered += 1
                yield record
            return
        previous = await self._state.load(self._scope)
        since = None if previous is None else previous.modified - self._overlap
        stats.since = since
        seen: set[tuple[str, str]] = set(previous.boundary) if previous else set()
        newest = previous.modified if previous else None
        for _ in range(self._max_passes):
            stats.passes += 1
            paginator = self._make_list(since)
            async for record in paginator:
                modified = getattr(record, "last_modified", None)
                version = (str(getattr(record, self._id)), _text(modified))
                if version in seen:
                    stats.skipped += 1
                    continue
                seen.add(version)
                if isinstance(modified, datetime) and (newest is None or modified > newest):
                    newest = modified
                stats.delivered += 1
                yield record
            if not paginator.stats.drift_events:
                break
            logger.warning(
                "%s changed during the run (pages shifted): walking the range again",
                self._collection,
            )
        else:
            logger.warning(
                "%s kept changing over %d passes: the watermark stays where it was; "
                "the next run looks again",
                self._collection,
                self._max_passes,
            )
            return
        if newest is None:
            return  # nothing with a lastModified yet: the next run is a full one again
        floor = newest - self._overlap
        boundary = frozenset(
            version for version in seen if (at := _instant(version[1])) and at >= floor
        )
        await self._state.save(
            self._scope,
            Watermark(
                modified=newest,
                boundary=boundary,
                collection=self._collection,
                filters=self._filters,
                runs=(previous.runs + 1) if previous else 1,
            ),
        )
        stats.saved = newest


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else ""


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
