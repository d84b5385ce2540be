"""The walk: write every record as it arrives, commit pages, count, show progress."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import shlex
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import attrs

from .._client import DEFAULT_BASE_URL, SevenTime
from .._exceptions import InvalidRequestError
from .._incremental import ChangeFeed
from .._pagination import Checkpoint, Paginator, PaginatorStats
from .._sender import ClientStats
from .._sync_state import FileSyncState, RedisSyncState, SyncState
from ._formats import format_for
from ._output import Output
from ._plan import SANDBOX_ORIGIN, ExportPlan

__all__ = ["Exporter", "export", "say"]


def say(message: str) -> None:
    """One line on stderr (whitespace runs, newlines included, collapse to one space)."""
    print(" ".join(message.split()), file=sys.stderr, flush=True)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# -- progress bar and counts --------------------------------------------------------------


def _progress_bar(plan: ExportPlan, initial: int) -> Any:
    """A tqdm bar on stderr when it is a terminal and tqdm is installed, else None."""
    if not plan.progress or not sys.stderr.isatty():
        return None
    try:
        tqdm = importlib.import_module("tqdm")
    except ImportError:
        return None
    return tqdm.tqdm(
        total=None, initial=initial, unit=" records", file=sys.stderr, dynamic_ncols=True
    )


class Exporter:
    """Writes records, commits pages, keeps the counts and the progress bar."""

    def __init__(self, plan: ExportPlan, output: Output) -> None:
        self.plan = plan
        self.output = output
        self.encode = format_for(plan.fmt, plan.spec.record).encode
        self.records = plan.resume.records_written if plan.resume else 0
        self.records_before = self.records
        self.records_committed = self.records
        self.pages = 0
        self.client_stats: ClientStats | None = None
        self.paginator: Paginator[Any] | None = None
        self.started = time.monotonic()
        self.bar: Any = _progress_bar(plan, self.records)
        #: On a resume: records added (+) or deleted (-) upstream since the checkpoint.
        self.drift: int | None = None
        #: With --incremental: the change feed (its stats go in the summary).
        self.feed: ChangeFeed[Any] | None = None

    def write(self, record: Any) -> None:
        """Write one record (on a resume, first check the server's totals)."""
        if self.drift is None and self.plan.resume is not None:
            self.check_drift()
        self.output.write(self.encode(record))
        self.records += 1

    def check_drift(self) -> None:
        """Compare the checkpoint's totals with the server's, once the first page is in.

        Records deleted or added upstream since the checkpoint shift the pages: records
        already written may be gone, and live ones may be skipped. Warn (and count it in
        the summary), or with ``--strict-resume`` refuse to go on.
        """
        stats = self.paginator.stats if self.paginator else None
        drift = stats.resume_drift if stats else None
        if drift is None:
            return
        self.drift = drift
        if drift == 0:
            return
        change = f"{abs(drift)} {'more' if drift > 0 else 'fewer'} records upstream"
        message = (
            f"{change} than when the checkpoint was made: pages have shifted, so records "
            "before it may be stale or missing; a fresh export (without --resume) is exact"
        )
        if self.plan.strict_resume:
            raise InvalidRequestError(f"--strict-resume: {message}", field="resume")
        say(f"warning: {message}")

    def page_completed(self, checkpoint: Checkpoint | None, total: int | None) -> None:
        """Every record of a page is written: commit it and move the bar."""
        if self.drift is None and self.plan.resume is not None:
            self.check_drift()
        if checkpoint is not None and self.plan.sandbox_records is not None:
            checkpoint = attrs.evolve(checkpoint, base_url=SANDBOX_ORIGIN)
        self.pages += 1
        self.records_committed = self.records
        self.output.commit(checkpoint, self.records)
        if self.bar is not None:
            if total is not None and self.plan.max_items is not None:
                total = min(total, self.plan.max_items)
            if total is not None and self.bar.total != total:
                self.bar.total = total
            self.bar.update(self.records - self.bar.n)

    def close_bar(self) -> None:
        """Bring the progress bar up to date and remove it before a message is printed."""
        if self.bar is not None:
            self.bar.update(self.records - self.bar.n)
            self.bar.close()
            self.bar = None

    def pages_touched(self) -> int:
        """Pages written in this run, counting one that was cut short by --max-items."""
        return self.pages + (1 if self.records > self.records_committed else 0)

    def summary(self) -> str:
        """The closing line: how many records, how long, and what went wrong on the way."""
        elapsed = time.monotonic() - self.started
        count = self.records - self.records_before
        more = " more" if self.plan.resume else ""
        line = (
            f"exported {count}{more} {self.plan.noun} ({_plural(self.pages_touched(), 'page')}) "
            f"in {elapsed:.1f} s"
        )
        if self.plan.resume:
            line += f" ({self.records} in {self.plan.out})"
        client = self.client_stats or ClientStats()
        dropped = self.paginator.stats.duplicates_dropped if self.paginator else 0
        line = (
            f"{line}; {client.retries} retries, {client.rate_limited} rate-limited, "
            f"{dropped} duplicates dropped"
        )
        if self.drift:
            line += f", {self.drift:+d} records upstream since the checkpoint"
        feed = self.feed
        if feed is not None and not feed.stats.incremental:
            line += f"; not incremental: {self.plan.noun} have no lastModified, exported whole"
        elif feed is not None:
            since = "the beginning" if feed.stats.since is None else feed.stats.since.isoformat()
            saved = feed.stats.saved.isoformat() if feed.stats.saved else "unchanged"
            line += (
                f"; changed since {since}, {feed.stats.skipped} already delivered skipped, "
                f"{_plural(feed.stats.passes, 'pass')}, watermark {saved}"
            )
        return line

    def resume_hint(self) -> str | None:
        """The command that continues this export, when a checkpoint was kept."""
        path = self.output.checkpoint_path
        if path is None or self.output.committed is None or self.plan.out is None:
            return None
        words = [self.plan.command, *map(shlex.quote, self.plan.source_flags)]
        words += ["--out", shlex.quote(self.plan.out), "--resume", shlex.quote(path)]
        return " ".join(words)

    def interrupted(self) -> str:
        """The message after Ctrl-C: how far it got and how to go on."""
        pages = self.output.committed.pages_done if self.output.committed else 0
        message = f"interrupted after {self.records} records ({_plural(pages, 'page')})"
        hint = self.resume_hint()
        if hint is not None:
            return f"{message}; resume with: {hint}"
        if self.output.is_file:
            return f"{message}; no page was completed, so there is nothing to resume"
        return message


# -- the walk -----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _endpoint(plan: ExportPlan) -> AsyncIterator[tuple[str, str | None]]:
    """(base URL, secret): the sandbox's, started here, or the API's with the env secret."""
    if plan.sandbox_records is None:
        yield plan.base_url or DEFAULT_BASE_URL, None  # SevenTime reads the secret from env
        return
    from ..testing import Sandbox

    records = plan.sandbox_records
    async with Sandbox(records=records, collection_records=records) as sandbox:
        yield sandbox.url, sandbox.client_secret


@contextlib.contextmanager
def _cancel_on_sigterm() -> Iterator[None]:
    """SIGTERM cancels the export like Ctrl-C does (where the loop supports signals)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    try:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover (Windows)
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


async def export(plan: ExportPlan, exporter: Exporter) -> None:
    """Walk the collection and write every record as it arrives."""
    with _cancel_on_sigterm():
        async with (
            _endpoint(plan) as (base_url, secret),
            SevenTime(secret, base_url=base_url, retry=plan.retry) as st,
        ):
            exporter.client_stats = st.stats

            def on_progress(stats: PaginatorStats) -> None:
                exporter.page_completed(paginator.checkpoint, stats.total_resources)

            collection = getattr(st, plan.spec.name)
            if plan.state is not None:
                await _export_changes(plan, exporter, collection)
                return
            paginator = collection.list(**plan.list_arguments(), on_progress=on_progress)
            exporter.paginator = paginator
            exporter.started = time.monotonic()
            async with paginator:
                async for record in paginator:
                    exporter.write(record)
            exporter.output.finish()


@contextlib.asynccontextmanager
async def _sync_state(location: str) -> AsyncIterator[SyncState]:
    """A Redis state for a ``redis://`` URL (closed after), else a state file."""
    if location.startswith(("redis://", "rediss://", "unix://")):
        state = RedisSyncState(location)
        try:
            yield state
        finally:
            await state.aclose()
    else:
        yield FileSyncState(location)


async def _export_changes(plan: ExportPlan, exporter: Exporter, collection: Any) -> None:
    """``--incremental``: only what changed since the last completed run."""
    arguments = dict(plan.filters)
    if plan.limit is not None:
        arguments["limit"] = plan.limit

    def on_progress(stats: PaginatorStats) -> None:
        exporter.page_completed(None, stats.total_resources)

    assert plan.state is not None
    async with _sync_state(plan.state) as state:
        feed = collection.changes(
            state, overlap=timedelta(seconds=plan.overlap), on_progress=on_progress, **arguments
        )
        exporter.feed = feed
        exporter.started = time.monotonic()
        async for record in feed:
            exporter.write(record)
        # The output is complete before the feed saved its watermark (its last step).
    exporter.output.finish()
