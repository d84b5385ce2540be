"""Where incremental sync keeps its watermarks: a local file, or Redis for many workers.

A :class:`Watermark` is what one completed run of one collection and filter set saw: the
newest ``lastModified`` and the (id, lastModified) pairs near it, so that the next run,
which looks back ``overlap`` before it, does not deliver those versions again. A state
only ever moves a scope's watermark forward.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from ._exceptions import InvalidRequestError

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["FileSyncState", "RedisSyncState", "SyncState", "Watermark"]

_FORMAT = 1


@attrs.frozen(kw_only=True)
class Watermark:
    """The end of one completed incremental run of one scope (collection + filters)."""

    #: The newest ``lastModified`` delivered (aware, the server's clock).
    modified: datetime
    #: ``(id, lastModified)`` of the versions delivered within ``overlap`` of ``modified``.
    boundary: frozenset[tuple[str, str]] = frozenset()
    collection: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    runs: int = 1

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for ``json.dumps``."""
        return {
            "modified": self.modified.isoformat(),
            "boundary": sorted([list(pair) for pair in self.boundary]),
            "collection": self.collection,
            "filters": [list(pair) for pair in self.filters],
            "runs": self.runs,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Watermark:
        """Rebuild a watermark from :meth:`to_dict` output (validated)."""
        try:
            modified = datetime.fromisoformat(str(data["modified"]))
            if modified.tzinfo is None:
                raise ValueError("modified must carry a time zone")
            return cls(
                modified=modified,
                boundary=frozenset((str(a), str(b)) for a, b in data.get("boundary", ())),
                collection=str(data.get("collection", "")),
                filters=tuple((str(k), str(v)) for k, v in data.get("filters", ())),
                runs=int(data.get("runs", 1)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRequestError(f"not a valid sync state: {exc}", field="state") from None


class SyncState(Protocol):
    """Stores one :class:`Watermark` per scope (a string naming collection, filters,
    server and key: never the secret)."""

    async def load(self, scope: str) -> Watermark | None:
        """The scope's watermark, or None before its first completed run."""
        ...

    async def save(self, scope: str, watermark: Watermark) -> None:
        """Store the scope's watermark unless a newer one is stored already."""
        ...


class FileSyncState:
    """Watermarks in one JSON file (``--state FILE``), written atomically (a temporary
    file renamed over it) under an exclusive lock, so that processes sharing the file
    never lose each other's scopes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FileSyncState({str(self.path)!r})"

    async def load(self, scope: str) -> Watermark | None:
        scopes = await asyncio.to_thread(self._read)
        data = scopes.get(scope)
        return None if data is None else Watermark.from_dict(data)

    async def save(self, scope: str, watermark: Watermark) -> None:
        await asyncio.to_thread(self._update, scope, watermark)

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
            scopes = data["scopes"]
            if data.get("format") != _FORMAT or not isinstance(scopes, dict):
                raise ValueError("unknown format")
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidRequestError(
                f"{self.path} is not a seventime-async sync state ({exc})", field="state"
            ) from None
        return scopes

    def _update(self, scope: str, watermark: Watermark) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(self.path.with_name(self.path.name + ".lock")):
            scopes = self._read()
            stored = scopes.get(scope)
            if stored is not None and Watermark.from_dict(stored).modified > watermark.modified:
                return  # only forward
            scopes[scope] = watermark.to_dict()
            text = json.dumps({"format": _FORMAT, "scopes": scopes}, indent=1, sort_keys=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise


@contextlib.contextmanager
def _locked(lock_path: Path) -> Any:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: one process at a time
        yield
        return
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# KEYS[1]: the scope's key; ARGV[1]: the watermark (µs since the epoch), ARGV[2]: JSON.
_SAVE_FORWARD = """
local stored = tonumber(redis.call('HGET', KEYS[1], 'modified_us'))
if stored and stored > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'modified_us', ARGV[1], 'watermark', ARGV[2])
return 1
"""


class RedisSyncState:
    """Watermarks in Redis, shared by every worker: one hash per scope under
    ``<prefix>:sync:{<scope>}``, saved by a script that only moves them forward.
    ``redis``: a URL or a ``redis.asyncio.Redis`` (not closed by this object)."""

    def __init__(self, redis: str | Redis, *, prefix: str = "seventime") -> None:
        try:
            import redis.asyncio as redis_asyncio
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError(
                "RedisSyncState needs redis-py: pip install 'seventime-async[redis]'"
            ) from None
        self._owns_client = isinstance(redis, str)
        self.redis: Redis = redis_asyncio.Redis.from_url(redis) if isinstance(redis, str) else redis
        self.prefix = prefix
        self._save = self.redis.register_script(_SAVE_FORWARD)

    def __repr__(self) -> str:
        return f"RedisSyncState(prefix={self.prefix!r})"

    def _key(self, scope: str) -> str:
        return f"{self.prefix}:sync:{{{scope}}}"

    async def load(self, scope: str) -> Watermark | None:
        text = await self.redis.hget(self._key(scope), "watermark")
        return None if text is None else Watermark.from_dict(json.loads(text))

    async def save(self, scope: str, watermark: Watermark) -> None:
        micros = round(watermark.modified.timestamp() * 1_000_000)
        payload = json.dumps(watermark.to_dict(), sort_keys=True)
        await self._save(keys=[self._key(scope)], args=[micros, payload])

    async def aclose(self) -> None:
        """Close the Redis connections (when made from a URL)."""
        if self._owns_client:
            await self.redis.aclose()
