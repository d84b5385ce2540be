"""list / get / create / update / delete, written once for every collection.

:class:`Operations` does the work from a :class:`ResourceSpec`: split the caller's
keywords into options and filters or fields, build the request (pure, ``_build``), send
it (the sender: limiter, retries), decode the answer. A resource module's facade class
(``TimeLogs``) only gives each operation its typed signature and delegates here;
:class:`Lookup` is the whole facade of a read-only lookup list (statuses, types, tags).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Generic, Literal, TypeVar, Unpack

import attrs

from . import _build as build
from ._decode import RawPage, Response, decode_list_page, decode_record
from ._exceptions import InvalidRequestError
from ._http import Request
from ._incremental import DEFAULT_OVERLAP, ChangeFeed, sync_scope
from ._options import CallOptions, ListOptions, Sorting, check_call_options
from ._pagination import Paginator
from ._ratelimit import IdleOnly
from ._shards import Shard
from ._spec import OPTION_KEYS, ResourceSpec, Write
from ._sync_state import FileSyncState, SyncState

__all__ = [
    "Collection",
    "Lookup",
    "LookupFilters",
    "Operations",
    "RawResponse",
    "Send",
    "WithRawResponse",
]

R = TypeVar("R")

#: The sender: ``send(request, **call options) -> Response`` (a 2xx response).
Send = Callable[..., Awaitable[Response]]

#: Pages requested at once by a list walk: 4 covers the 4 req/s limit up to ~750 ms of
#: server latency per page (see benchmarks/RESULTS.md); more only costs memory.
DEFAULT_LIST_CONCURRENCY = 4

_CALL_OPTION_KEYS = frozenset(CallOptions.__annotations__)


def _split(kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(options, the rest) of a method's keywords."""
    options = {k: v for k, v in kwargs.items() if k in OPTION_KEYS}
    rest = {k: v for k, v in kwargs.items() if k not in OPTION_KEYS}
    return options, rest


def _call_options(options: Mapping[str, Any]) -> dict[str, Any]:
    return check_call_options({k: v for k, v in options.items() if k in _CALL_OPTION_KEYS})


@attrs.frozen(slots=True)
class RawResponse(Generic[R]):
    """A record with the answer it came in: ``status``, ``headers`` (lower-case names)
    and ``parsed``, the record (see ``collection.with_raw_response``)."""

    status: int
    headers: Mapping[str, str]
    parsed: R


class Operations(Generic[R]):
    """The operations of one collection, driven by its spec."""

    def __init__(
        self,
        spec: ResourceSpec,
        send: Send,
        base_url: str | None = None,
        rate: float | None = None,
        key_id: str = "",
        idle_guesses: bool = True,
    ) -> None:
        self.spec = spec
        # Whether a walk guesses its first pages on idle limiter slots (see _speculation).
        self._idle_guesses = idle_guesses
        self._send = send
        self._base_url = base_url
        self._rate = rate  # the client's requests per second; None: not paced
        self._key_id = key_id  # a one-way id of the client's key (sync state scopes)

    def changes(
        self,
        kwargs: Mapping[str, Any],
        *,
        state: SyncState | str | os.PathLike[str],
        overlap: timedelta,
        max_passes: int,
    ) -> ChangeFeed[R]:
        """An incremental feed of the records that match ``kwargs`` (see ``ChangeFeed``)."""
        spec = self.spec
        if spec.list is None:
            raise InvalidRequestError(f"{spec.name} has no list to sync", field="changes")
        options, filters = _split(kwargs)
        owned = {"last_modified", "sort_by", "sort_direction"} & set(filters)
        owned |= {"resume", "shard", "pages", "max_items", "dedupe"} & set(options)
        if owned:
            raise InvalidRequestError(
                f"changes() sets {', '.join(sorted(owned))} itself; pass filters only",
                field=sorted(owned)[0],
            )
        if isinstance(state, str | os.PathLike):
            state = FileSyncState(state)
        params = build.validate_filters(spec, filters)
        incremental = spec.list.paged and any(
            field.wire == "lastModified" for field in spec.filters()
        )

        def make_list(since: datetime | None) -> Paginator[R]:
            if not incremental:
                return self.list(kwargs)
            walk: dict[str, Any] = {
                **kwargs,
                "sort_by": "lastModified",
                "sort_direction": "ascending",
                "dedupe": False,  # the feed dedupes by (id, lastModified)
            }
            if since is not None:
                walk["last_modified"] = since
            return self.list(walk)

        where = f"{self._base_url or ''} {self._key_id}"
        return ChangeFeed(
            make_list,
            state=state,
            scope=sync_scope(spec.name, params, where),
            collection=spec.name,
            filters=params,
            incremental=incremental,
            overlap=overlap,
            max_passes=max_passes,
            id_attribute=spec.id_field,
        )

    def list(self, kwargs: Mapping[str, Any]) -> Paginator[R]:
        """A paginator over the records that match the filters in ``kwargs``."""
        spec = self.spec
        listing = spec.list
        if listing is None:
            raise InvalidRequestError(f"{spec.name} has no list", field="list")
        options, filters = _split(kwargs)
        call = _call_options(options)
        max_items = options.get("max_items")
        # A short list asks for no more than it wants (a page of 20, not of 500).
        wanted = max_items if isinstance(max_items, int) and not isinstance(max_items, bool) else 0
        default_limit = min(wanted, build.MAX_PAGE_SIZE) if wanted > 0 else build.MAX_PAGE_SIZE
        limit = options.get("limit", default_limit)
        resume = options.get("resume")
        shard = options.get("shard")
        pages = options.get("pages")
        first_page, stop_page = 1, None
        if shard is not None:
            if filters or pages is not None or resume is not None or max_items is not None:
                raise InvalidRequestError(
                    "shard carries its own filters and pages; pass no filters, pages, "
                    "resume or max_items with it",
                    field="shard",
                )
            if not isinstance(shard, Shard):
                raise InvalidRequestError("shard must be a Shard", field="shard")
            _check_resume(shard, spec.name, self._base_url)
            params, limit = shard.filters, shard.limit
            # A page early: records deleted before the piece moved its start back.
            first_page, stop_page = max(1, shard.first_page - 1), shard.stop_page
        elif resume is not None:
            if filters or pages is not None:
                raise InvalidRequestError(
                    "resume carries its own filters and pages; pass neither with it",
                    field="resume",
                )
            _check_resume(resume, spec.name, self._base_url)
            params, limit = resume.filters, resume.limit
            first_page, stop_page = resume.next_page, resume.stop_page
        else:
            params = build.validate_filters(spec, filters)
            if pages is not None:
                if not isinstance(pages, range) or pages.step != 1:
                    raise InvalidRequestError("pages must be a range with step 1", field="pages")
                first_page, stop_page = pages.start, pages.stop
        build.validate_page_size(limit)

        async def fetch_page(
            params: tuple[tuple[str, str], ...], page: int, limit: int, idle: IdleOnly
        ) -> RawPage:
            request = build.list_request(spec, params, page=page, limit=limit)
            response = await self._send(request, **call, **({"idle": idle} if idle else {}))
            # A loop turn between reading the body and splitting it (~1.7 ms a 1.3 MB
            # page): two short holds of the event loop rather than one twice as long.
            await asyncio.sleep(0)
            return decode_list_page(response, paged=listing.paged)

        return Paginator(
            fetch_page,
            spec.record,
            params,
            limit=limit,
            first_page=first_page,
            stop_page=stop_page,
            max_items=max_items,
            concurrency=options.get("concurrency", DEFAULT_LIST_CONCURRENCY),
            adaptive="concurrency" not in options,
            rate=self._rate,
            speculative=_speculation(
                options.get("speculative"),
                self._rate is not None and self._idle_guesses,
                listing.paged,
            ),
            dedupe=options.get("dedupe", True),
            on_progress=options.get("on_progress"),
            checkpoint=resume,
            id_field=spec.id_field,
            collection=spec.name,
            base_url=self._base_url,
            sort_field=spec.sort_field if listing.paged else None,
            shard=shard,
        )

    async def get(self, record_id: str, kwargs: Mapping[str, Any], *, id_name: str = "id") -> R:
        """One record by id (``id_name``: the caller's name for it, in errors)."""
        record: R = await self.get_raw(record_id, kwargs, id_name=id_name, raw=False)
        return record

    async def create(self, kwargs: Mapping[str, Any], *, form: bool = False) -> R:
        """Create a record and return it as the server stored it."""
        record: R = await self.create_raw(kwargs, form=form, raw=False)
        return record

    async def update(self, record_id: str, kwargs: Mapping[str, Any], *, id_name: str = "id") -> R:
        """Change the given fields (and only those) of a record."""
        record: R = await self.update_raw(record_id, kwargs, id_name=id_name, raw=False)
        return record

    async def delete(
        self, record_id: str, kwargs: Mapping[str, Any], *, id_name: str = "id"
    ) -> Any:
        """Delete a record; returns what the server answers (its id, at least)."""
        return await self.delete_raw(record_id, kwargs, id_name=id_name, raw=False)

    async def get_raw(
        self, record_id: str, kwargs: Mapping[str, Any], *, id_name: str = "id", raw: bool = True
    ) -> Any:
        """:meth:`get`; with ``raw`` a :class:`RawResponse` around the record."""
        options, rest = _split(kwargs)
        if rest:
            name = sorted(rest)[0]
            raise InvalidRequestError(f"get takes no argument {name}", field=name)
        if not self.spec.get:
            raise InvalidRequestError(f"{self.spec.name} has no get", field="get")
        request = build.get_request(self.spec, record_id, field=id_name)
        return await self._call(request, self.spec.record, options, raw)

    async def create_raw(
        self, kwargs: Mapping[str, Any], *, form: bool = False, raw: bool = True
    ) -> Any:
        """:meth:`create`; with ``raw`` a :class:`RawResponse` around the record."""
        write = self._write(self.spec.create, "create")
        options, fields = _split(kwargs)
        request = build.write_request(self.spec, "create", write, fields, method="POST", form=form)
        return await self._call(request, write.result or self.spec.record, options, raw)

    async def update_raw(
        self, record_id: str, kwargs: Mapping[str, Any], *, id_name: str = "id", raw: bool = True
    ) -> Any:
        """:meth:`update`; with ``raw`` a :class:`RawResponse` around the record."""
        write = self._write(self.spec.update, "update")
        options, fields = _split(kwargs)
        request = build.write_request(
            self.spec, "update", write, fields, record_id=record_id, id_name=id_name, method="PUT"
        )
        return await self._call(request, write.result or self.spec.record, options, raw)

    async def delete_raw(
        self, record_id: str, kwargs: Mapping[str, Any], *, id_name: str = "id", raw: bool = True
    ) -> Any:
        """:meth:`delete`; with ``raw`` a :class:`RawResponse` around the answer."""
        write = self._write(self.spec.delete, "delete")
        options, fields = _split(kwargs)
        request = build.write_request(
            self.spec,
            "delete",
            write,
            fields,
            record_id=record_id,
            id_name=id_name,
            method="DELETE",
        )
        return await self._call(request, write.result or self.spec.record, options, raw)

    async def action(self, name: str, kwargs: Mapping[str, Any]) -> Any:
        """Run one of the spec's actions; POSTed once (never retried once it may have
        reached the server, like a create)."""
        action = self.spec.actions.get(name)
        if action is None:
            raise InvalidRequestError(f"{self.spec.name} has no action {name}", field=name)
        options, fields = _split(kwargs)
        request = build.action_request(self.spec, name, fields)
        return await self._call(request, action.result, options, raw=False)

    async def call(self, request: Request, result: type[Any], options: Mapping[str, Any]) -> Any:
        """Send a request a facade built itself (an upload) and decode ``result``."""
        return await self._call(request, result, options, raw=False)

    def _write(self, write: Write | None, operation: str) -> Write:
        if write is None:
            raise InvalidRequestError(f"{self.spec.name} has no {operation}", field=operation)
        return write

    async def _call(
        self, request: Request, record_type: type[Any], options: Mapping[str, Any], raw: bool
    ) -> Any:
        response = await self._send(request, **_call_options(options))
        record = decode_record(response, record_type)
        return RawResponse(response.status, response.headers, record) if raw else record


def _speculation(given: Any, paced: bool, paged: bool) -> bool | Literal["idle"]:
    """``speculative=`` as the paginator takes it. Unless told, a client paced by a local
    limiter guesses the first window on idle limiter slots (a short list then costs
    nothing another request wanted); an unpaced one does not guess (it would send the
    guesses at once), nor does one on a shared schedule (see ``SharedSchedule``)."""
    if not paged:
        return False
    if given is None:
        return "idle" if paced else False
    if given not in (True, False, "idle"):
        raise InvalidRequestError(
            f"speculative must be True, False or 'idle', got {given!r}", field="speculative"
        )
    speculative: bool | Literal["idle"] = given
    return speculative


def _check_resume(resume: Any, collection: str, base_url: str | None) -> None:
    """A checkpoint resumes only the walk it came from: same collection, same server."""
    if resume.collection is not None and resume.collection != collection:
        raise InvalidRequestError(
            f"this checkpoint is of {resume.collection}, not {collection}", field="resume"
        )
    if resume.base_url is not None and base_url is not None and resume.base_url != base_url:
        raise InvalidRequestError(
            f"this checkpoint was made against {resume.base_url}, not {base_url}",
            field="resume",
        )


class Collection(Generic[R]):
    """The base of a resource's facade: holds its :class:`Operations`."""

    def __init__(
        self,
        spec: ResourceSpec,
        send: Send,
        base_url: str | None = None,
        rate: float | None = None,
        key_id: str = "",
        idle_guesses: bool = True,
    ) -> None:
        self._ops: Operations[R] = Operations(spec, send, base_url, rate, key_id, idle_guesses)

    @property
    def spec(self) -> ResourceSpec:
        """The declaration this collection was built from."""
        return self._ops.spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.url()}>"

    def changes(
        self,
        state: SyncState | str | os.PathLike[str],
        *,
        overlap: timedelta = DEFAULT_OVERLAP,
        max_passes: int = 3,
        **filters: Any,
    ) -> ChangeFeed[R]:
        """The records changed since the last completed run (incremental sync)::

            async for record in st.time_logs.changes("sync-state.json", user=user_id):
                upsert(record)  # the state moves forward once the loop ends

        ``state``: a :class:`FileSyncState` or :class:`RedisSyncState`, or a file path.
        Each collection + filter set keeps its own watermark; ``overlap`` looks back
        before it (clock skew). A list without ``lastModified`` is exported whole each
        time, with a warning (``feed.stats.incremental`` is False). See ``ChangeFeed``.
        """
        return self._ops.changes(filters, state=state, overlap=overlap, max_passes=max_passes)

    @property
    def with_raw_response(self) -> WithRawResponse[R]:
        """The same calls, answering :class:`RawResponse` (status, headers, record)::

        raw = await st.time_logs.with_raw_response.get(time_log_id)
        raw.headers["date"], raw.parsed.time
        """
        return WithRawResponse(self._ops)


class WithRawResponse(Generic[R]):
    """``collection.with_raw_response``: get, create, update and delete, each answering
    a :class:`RawResponse` around the record (arguments as the collection's own)."""

    def __init__(self, ops: Operations[R]) -> None:
        self._ops = ops

    async def get(self, record_id: str, **options: Any) -> RawResponse[R]:
        """One record by id, with its answer."""
        result: RawResponse[R] = await self._ops.get_raw(record_id, options)
        return result

    async def create(self, **fields: Any) -> RawResponse[R]:
        """Create a record; ``api_version=1`` where the collection has a v1 form."""
        version = fields.pop("api_version", None)
        create = self._ops.spec.create
        form = version is not None and create is not None and version == create.form_version
        result: RawResponse[R] = await self._ops.create_raw(fields, form=form)
        return result

    async def update(self, record_id: str, **changes: Any) -> RawResponse[R]:
        """Change the given fields of a record, with the answer."""
        result: RawResponse[R] = await self._ops.update_raw(record_id, changes)
        return result

    async def delete(self, record_id: str, **fields: Any) -> RawResponse[Any]:
        """Delete a record, with the answer."""
        result: RawResponse[Any] = await self._ops.delete_raw(record_id, fields)
        return result


class LookupFilters(ListOptions, Sorting, total=False):
    """A lookup list takes only ``sort_by``/``sort_direction`` (and the list options)."""


class Lookup(Collection[R]):
    """A read-only lookup list (statuses, types, tags): ``list()`` and, where the
    reference documents it, ``get(id)``."""

    def list(self, **filters: Unpack[LookupFilters]) -> Paginator[R]:
        """Every record of the lookup (one page: these lists are not paged)."""
        return self._ops.list(filters)

    async def get(self, record_id: str, **options: Unpack[CallOptions]) -> R:
        """One record by id (only where the reference documents a get)."""
        record: R = await self._ops.get(record_id, options)
        return record
