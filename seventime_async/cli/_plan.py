"""The plan of an export: every decision taken before anything is opened or sent."""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
from typing import Any

import attrs

from .._client import DEFAULT_BASE_URL, SECRET_ENV_VAR
from .._pagination import Checkpoint
from .._retry import RetryPolicy
from .._spec import ResourceSpec
from ._flags import (
    BASE_URL_ENV_VAR,
    DEFAULT_SANDBOX_RECORDS,
    PROG,
    UsageError,
    command_name,
    filter_flags,
    listable,
)
from ._formats import FORMATS

__all__ = ["CHECKPOINT_SUFFIX", "SANDBOX_ORIGIN", "ExportPlan", "ResumeState", "make_plan"]

CHECKPOINT_SUFFIX = ".checkpoint.json"
#: The base URL a sandbox export records in its checkpoint (its port changes each run).
SANDBOX_ORIGIN = "sandbox"
DEFAULT_OVERLAP_SECONDS = 300


@dataclasses.dataclass(frozen=True)
class ResumeState:
    """What a checkpoint file says: where to go on, and how much output to keep."""

    path: str
    checkpoint: Checkpoint
    output_bytes: int
    records_written: int
    fmt: str
    output: str | None
    max_items: int | None


@dataclasses.dataclass(frozen=True)
class ExportPlan:
    """A validated export: which collection, from where, with which filters, to where."""

    spec: ResourceSpec
    fmt: str
    out: str | None  # None: stdout
    resume: ResumeState | None
    filters: dict[str, Any]
    limit: int | None
    max_items: int | None
    sandbox_records: int | None
    base_url: str | None
    retry: RetryPolicy | None
    progress: bool
    source_flags: tuple[str, ...]
    strict_resume: bool = False
    #: --incremental: the state (a file path or a Redis URL) and the look-back.
    state: str | None = None
    overlap: int = DEFAULT_OVERLAP_SECONDS

    @property
    def command(self) -> str:
        """The command that runs this export (``seventime-async export time-logs``)."""
        return f"{PROG} export {command_name(self.spec)}"

    @property
    def noun(self) -> str:
        """What is exported, in words: ``time logs``."""
        return self.spec.name.replace("_", " ")

    @property
    def checkpoint_path(self) -> str | None:
        """Where checkpoints go: only a file output has one."""
        if self.out is None:
            return None
        return self.resume.path if self.resume else self.out + CHECKPOINT_SUFFIX

    def list_arguments(self) -> dict[str, Any]:
        """Keyword arguments for the collection's ``list`` (without ``on_progress``).

        The walk is ``list()``'s default: it guesses the next pages on idle limiter slots
        while page 1 is out, and keeps the window at the round trip (``speculative=True``
        asks for 4 pages at once and no more, slower from ~2 s of latency; see
        ``benchmarks/RESULTS.md``).
        """
        kwargs: dict[str, Any] = {}
        if self.resume is not None:
            checkpoint = self.resume.checkpoint
            if self.sandbox_records is not None and checkpoint.base_url == SANDBOX_ORIGIN:
                # A sandbox is born again on a new port, with the same seeded data.
                checkpoint = attrs.evolve(checkpoint, base_url=None)
            kwargs["resume"] = checkpoint
        else:
            kwargs.update(self.filters)
            if self.limit is not None:
                kwargs["limit"] = self.limit
        remaining = self.remaining_items()
        if remaining is not None:
            kwargs["max_items"] = remaining
        return kwargs

    def remaining_items(self) -> int | None:
        """``--max-items`` minus what a resumed file already holds."""
        if self.max_items is None:
            return None
        done = self.resume.records_written if self.resume else 0
        return max(self.max_items - done, 0)


def read_checkpoint_file(path: str) -> ResumeState:
    """Read and check a ``.checkpoint.json`` file (a :class:`UsageError` if it is bad)."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except OSError as exc:
        raise UsageError(f"cannot read checkpoint {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise UsageError(f"{path} is not a checkpoint file (not JSON)") from None
    try:
        state = ResumeState(
            path=path,
            checkpoint=Checkpoint.from_dict(data["checkpoint"]),
            output_bytes=int(data["output_bytes"]),
            records_written=int(data["records_written"]),
            fmt=str(data["format"]),
            output=None if data.get("output") is None else str(data["output"]),
            max_items=None if data.get("max_items") is None else int(data["max_items"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{path} is not a valid checkpoint file: {exc}") from None
    if state.fmt not in FORMATS or state.output_bytes < 0 or state.records_written < 0:
        raise UsageError(f"{path} is not a valid checkpoint file")
    return state


def _given_filters(args: argparse.Namespace, spec: ResourceSpec) -> dict[str, Any]:
    values = {name: getattr(args, name) for _, name, *_ in filter_flags(spec)}
    return {name: value for name, value in values.items() if value is not None}


def _resume_state(args: argparse.Namespace, filters: dict[str, Any]) -> ResumeState | None:
    if args.resume is None:
        if args.strict_resume:
            raise UsageError("--strict-resume needs --resume")
        return None
    if filters or args.limit is not None or args.max_items is not None:
        raise UsageError(
            "--resume continues the checkpoint's export: its filters, --limit and "
            "--max-items come from the checkpoint; pass none of them"
        )
    state = read_checkpoint_file(args.resume)
    if args.format is not None and args.format != state.fmt:
        raise UsageError(f"the checkpoint is for --format {state.fmt}, not {args.format}")
    return state


def _output_path(args: argparse.Namespace, resume: ResumeState | None) -> str | None:
    out: str | None = args.out
    if out is None and resume is not None:
        out = resume.output
    if out == "-" or out is None:
        if resume is not None:
            raise UsageError("--resume appends to a file: pass --out FILE")
        return None
    return out


def _source(args: argparse.Namespace) -> tuple[int | None, str | None, tuple[str, ...]]:
    """(sandbox records, base URL, the flags that name this source in a resume hint)."""
    if args.sandbox:
        if args.base_url is not None:
            raise UsageError("--sandbox and --base-url exclude each other")
        if importlib.util.find_spec("seventime_async.testing") is None:
            raise UsageError("--sandbox is not available: seventime_async.testing is missing")
        records = DEFAULT_SANDBOX_RECORDS if args.sandbox_records is None else args.sandbox_records
        flags: tuple[str, ...] = ("--sandbox",)
        if args.sandbox_records is not None:
            flags += ("--sandbox-records", str(records))
        return records, None, flags
    if args.sandbox_records is not None:
        raise UsageError("--sandbox-records needs --sandbox")
    if not os.environ.get(SECRET_ENV_VAR):
        raise UsageError(
            f"no client secret: set {SECRET_ENV_VAR} or pass --sandbox to export "
            "from the built-in sandbox"
        )
    base_url = args.base_url or os.environ.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL
    return None, base_url, () if args.base_url is None else ("--base-url", args.base_url)


def _check_incremental(args: argparse.Namespace) -> None:
    if not args.incremental:
        if args.state is not None or args.overlap is not None:
            raise UsageError("--state and --overlap go with --incremental")
        return
    if args.state is None:
        raise UsageError("--incremental needs --state FILE (or a redis:// URL)")
    if args.resume is not None or args.max_items is not None:
        raise UsageError(
            "--incremental runs to the end to move its watermark: no --resume or --max-items"
        )


def make_plan(args: argparse.Namespace) -> ExportPlan:
    """Check the parsed flags against each other; a :class:`UsageError` if they clash."""
    spec = listable()[args.resource]
    filters = _given_filters(args, spec)
    _check_incremental(args)
    resume = _resume_state(args, filters)
    sandbox_records, base_url, source_flags = _source(args)
    return ExportPlan(
        spec=spec,
        fmt=args.format or (resume.fmt if resume else "jsonl"),
        out=_output_path(args, resume),
        resume=resume,
        filters=filters,
        limit=args.limit,
        max_items=resume.max_items if resume else args.max_items,
        sandbox_records=sandbox_records,
        base_url=base_url,
        retry=None if args.retries is None else RetryPolicy(max_attempts=args.retries + 1),
        progress=not args.no_progress,
        source_flags=source_flags,
        strict_resume=args.strict_resume,
        state=args.state if args.incremental else None,
        overlap=DEFAULT_OVERLAP_SECONDS if args.overlap is None else args.overlap,
    )
