"""The ``seventime-async`` command line (also ``python -m seventime_async``).

One command so far::

    seventime-async export supplier-invoices [--out FILE|-] [--format jsonl|csv]
        [--sandbox [--sandbox-records N]] [--resume CHECKPOINT] [--limit N]
        [--max-items N] [--retries N] [--base-url URL] [--no-progress] [filters...]

The client secret comes only from the environment variable ``SEVENTIME_CLIENT_SECRET``
(a flag would end up in shell history and ``ps``); ``--sandbox`` exports from the built-in
sandbox server instead, with no key. Records are written as they arrive, never collected.

Output formats
--------------
``jsonl`` (default): one JSON object per line, the record as the API sent it
(``seventime_async.to_wire``): camelCase keys, every key the server sent, unknown ones
included; money as exact JSON numbers, timestamps as ISO 8601 strings (fields the model
knows but the server left out appear as ``null``).

``csv``: a header row, then one row per invoice. The columns are the wire names of the
``SupplierInvoice`` attributes in model order (``_id``, ``supplierInvoiceNumber``, ...,
``footerInfoText``), then a last column ``extra``. Cells: empty for null; ``true`` /
``false`` for booleans; money as the exact decimal text (``str(Decimal)``, ``7681.7``
stays ``7681.7``); timestamps ISO 8601 (``2020-09-15T13:44:06.566Z``); status as its
number; the list-valued columns (``selfBillingTimeLogIds``, ``selfBillingExpenseIds``,
``invoiceItems``, ``supplierInvoiceLogEntries``, ``documents``) as compact JSON text;
``extra`` holds the keys the model does not know as a compact JSON object (empty when
there are none). The header is the same for every export. Rows end in CRLF (RFC 4180).

Checkpoints
-----------
When writing to a file, after every completed page the output is flushed and
``<out>.checkpoint.json`` is replaced atomically with where the export stands (the SDK's
``Checkpoint``, the output's size in bytes, the format and the record count).
``--resume <out>.checkpoint.json`` truncates the output to that size (dropping a page
that was only partly written), appends the rest and deletes the checkpoint when done.

Exit status: 0 done; 1 the export failed (API, network or disk error); 2 the command line
is wrong (flags, filter values, checkpoint file); 130 interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import dataclasses
import importlib
import importlib.util
import io
import json
import os
import shlex
import signal
import stat
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any

import attrs

from . import __version__
from ._client import DEFAULT_BASE_URL, SECRET_ENV_VAR, ClientStats, SevenTime
from ._converter import dumps_json, to_wire, wire_name
from ._exceptions import InvalidRequestError, SevenTimeError
from ._options import SortDirection
from ._pagination import Checkpoint, Paginator, PaginatorStats
from ._retry import RetryPolicy
from .resources.supplier_invoices import SupplierInvoice, SupplierInvoiceStatus

__all__ = ["CSV_COLUMNS", "build_parser", "csv_row", "main"]

PROG = "seventime-async"
COMMAND = f"{PROG} export supplier-invoices"
BASE_URL_ENV_VAR = "SEVENTIME_BASE_URL"
DEFAULT_SANDBOX_RECORDS = 2500
CHECKPOINT_SUFFIX = ".checkpoint.json"
#: The base URL a sandbox export records in its checkpoint (its port changes each run).
SANDBOX_ORIGIN = "sandbox"
FORMATS = ("jsonl", "csv")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: The CSV header: the wire names of the ``SupplierInvoice`` attributes, then ``extra``.
CSV_COLUMNS: tuple[str, ...] = (
    *(wire_name(f.name) for f in attrs.fields(SupplierInvoice) if f.name != "extra"),
    "extra",
)


class UsageError(Exception):
    """The command line is wrong: exit status 2 with a one-line message."""


# -- encoding records ---------------------------------------------------------------------


def jsonl_line(record: SupplierInvoice) -> bytes:
    """One JSON Lines line: the record as the API sent it, unknown keys included."""
    return (dumps_json(to_wire(record)) + "\n").encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return dumps_json(value)
    return str(value)


def csv_row(record: SupplierInvoice) -> list[str]:
    """The CSV cells of one invoice, in :data:`CSV_COLUMNS` order."""
    wire = to_wire(record)
    cells = [_csv_cell(wire.get(column)) for column in CSV_COLUMNS[:-1]]
    cells.append(dumps_json(record.extra) if record.extra else "")
    return cells


def _csv_line(cells: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue().encode("utf-8")


def csv_line(record: SupplierInvoice) -> bytes:
    """One CSV row (see :func:`csv_row`), encoded."""
    return _csv_line(csv_row(record))


ENCODERS: dict[str, Callable[[SupplierInvoice], bytes]] = {"jsonl": jsonl_line, "csv": csv_line}
HEADERS: dict[str, bytes] = {"jsonl": b"", "csv": _csv_line(CSV_COLUMNS)}


# -- parsing the command line -------------------------------------------------------------


def _status(text: str) -> SupplierInvoiceStatus:
    name = text.strip().upper()
    if name in SupplierInvoiceStatus.__members__:
        return SupplierInvoiceStatus[name]
    if name.isdigit() and int(name) in SupplierInvoiceStatus.__members__.values():
        return SupplierInvoiceStatus(int(name))
    allowed = ", ".join(f"{s.name.lower()} ({s.value})" for s in SupplierInvoiceStatus)
    raise argparse.ArgumentTypeError(f"expected one of {allowed}, got {text!r}")


def _whole_number(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(text)


def _day(text: str) -> date:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}")


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date-time such as 2024-05-01T12:00:00, got {text!r}"
        ) from None


_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _boolean(text: str) -> bool:
    try:
        return _BOOLEANS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}") from None


def _direction(text: str) -> SortDirection:
    try:
        return SortDirection(text.strip().lower())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected ascending or descending, got {text!r}"
        ) from None


#: (flag, SDK filter name, value parser, metavar, help) for every list filter of the SDK.
FILTER_FLAGS: tuple[tuple[str, str, Callable[[str], Any], str, str], ...] = (
    ("--supplier-invoice-number", "supplier_invoice_number", _whole_number, "N",
     "supplier invoice number"),
    ("--status", "supplier_invoice_status", _status, "STATUS",
     "registered, draft, sent, invoiced (or 1, 5, 7, 10)"),
    ("--project", "project", str, "ID", "project id"),
    ("--customer", "customer", str, "ID", "customer id"),
    ("--work-order", "work_order", str, "ID", "work order id"),
    ("--work-order-number", "work_order_number", _whole_number, "N", "work order number"),
    ("--distributor", "distributor", str, "ID", "distributor (supplier) id"),
    ("--from-invoice-date", "from_invoice_date", _day, "YYYY-MM-DD", "invoice date from"),
    ("--to-invoice-date", "to_invoice_date", _day, "YYYY-MM-DD", "invoice date to"),
    ("--is-invoiceable", "is_invoiceable", _boolean, "true|false", "invoiceable or not"),
    ("--is-self-billing-invoice", "is_self_billing_invoice", _boolean, "true|false",
     "self-billing invoices or not"),
    ("--exported-to-economy", "exported_to_economy", _boolean, "true|false",
     "exported to the economy system or not"),
    ("--last-modified", "last_modified", _moment, "ISO",
     "modified since (e.g. 2024-05-01T12:00:00; with an offset it is converted to UTC)"),
    ("--sort-by", "sort_by", str, "FIELD", "field to sort by (e.g. invoiceDate)"),
    ("--sort-direction", "sort_direction", _direction, "ascending|descending",
     "sort order (with --sort-by)"),
)  # fmt: skip


def _add_export_arguments(parser: argparse.ArgumentParser) -> None:
    output = parser.add_argument_group("output")
    output.add_argument("--out", metavar="FILE|-", help="output file, - for stdout (default)")
    output.add_argument("--format", choices=FORMATS, help="jsonl (default) or csv")
    output.add_argument(
        "--resume", metavar="CHECKPOINT", help="continue an interrupted export from its checkpoint"
    )
    output.add_argument(
        "--strict-resume",
        action="store_true",
        help="with --resume: refuse to go on if records were added or deleted upstream "
        "since the checkpoint (the pages before it may have shifted)",
    )
    output.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    source = parser.add_argument_group("source")
    source.add_argument(
        "--base-url",
        metavar="URL",
        help=f"API base URL (default: ${BASE_URL_ENV_VAR} or {DEFAULT_BASE_URL})",
    )
    source.add_argument(
        "--sandbox", action="store_true", help="export from the built-in sandbox (no key needed)"
    )
    source.add_argument(
        "--sandbox-records", type=_whole_number, metavar="N",
        help=f"records in the sandbox (default {DEFAULT_SANDBOX_RECORDS})",
    )  # fmt: skip
    source.add_argument(
        "--limit", type=_whole_number, metavar="N", help="page size, 1..500 (default 500)"
    )
    source.add_argument("--max-items", type=_whole_number, metavar="N", help="stop after N records")
    source.add_argument(
        "--retries", type=_whole_number, metavar="N",
        help="retries per request after network errors, 429 and 5xx (default 3)",
    )  # fmt: skip
    filters = parser.add_argument_group("filters")
    for flag, name, parse, metavar, help_text in FILTER_FLAGS:
        filters.add_argument(flag, dest=name, type=parse, metavar=metavar, help=help_text)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``seventime-async``."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Command line of the seventime_async SDK."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export = commands.add_parser("export", help="export records", description="Export records.")
    resources = export.add_subparsers(dest="resource", required=True, metavar="RESOURCE")
    invoices = resources.add_parser(
        "supplier-invoices",
        help="export supplier invoices as JSON Lines or CSV",
        description="Export supplier invoices as JSON Lines or CSV, page by page.",
        epilog=f"The client secret is read from ${SECRET_ENV_VAR} (never from a flag).",
    )
    _add_export_arguments(invoices)
    return parser


# -- the plan: every decision taken before anything is opened or sent ---------------------


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
    """A validated export: where from, with which filters, to where."""

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

    @property
    def checkpoint_path(self) -> str | None:
        """Where checkpoints go: only a file output has one."""
        if self.out is None:
            return None
        return self.resume.path if self.resume else self.out + CHECKPOINT_SUFFIX

    def list_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``supplier_invoices.list`` (without ``on_progress``).

        An export is a long walk: the first pages are asked for at once (``speculative``),
        which saves a round trip at the cost of a few requests on a short export.
        """
        kwargs: dict[str, Any] = {"speculative": True}
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


def _given_filters(args: argparse.Namespace) -> dict[str, Any]:
    values = {name: getattr(args, name) for _, name, *_ in FILTER_FLAGS}
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


def make_plan(args: argparse.Namespace) -> ExportPlan:
    """Check the parsed flags against each other; a :class:`UsageError` if they clash."""
    filters = _given_filters(args)
    resume = _resume_state(args, filters)
    sandbox_records, base_url, source_flags = _source(args)
    return ExportPlan(
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
    )


# -- the output: a byte stream plus, for a file, its checkpoint ---------------------------


def write_json_atomically(path: str, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON: a temporary file, fsync, ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _is_regular_file(stream: IO[bytes]) -> bool:
    return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)


class Output:
    """Where the records go: stdout, or a file with a checkpoint after every page.

    Only a regular file has checkpoints (``--out /dev/stdout`` or a named pipe cannot be
    truncated on resume) and only a regular file is ever removed.
    """

    def __init__(self, plan: ExportPlan, stream: IO[bytes]) -> None:
        self.plan = plan
        self.stream = stream
        self.committed: Checkpoint | None = plan.resume.checkpoint if plan.resume else None
        regular = plan.out is not None and _is_regular_file(stream)
        self.checkpoint_path = plan.checkpoint_path if regular else None

    @property
    def is_file(self) -> bool:
        """True for a regular file output (which has checkpoints)."""
        return self.checkpoint_path is not None

    def write(self, data: bytes) -> None:
        """Append encoded records."""
        self.stream.write(data)

    def commit(self, checkpoint: Checkpoint | None, records_written: int) -> None:
        """A page is complete: flush, and (for a file) save the checkpoint atomically."""
        self.stream.flush()
        path = self.checkpoint_path
        if path is None or checkpoint is None:
            self.committed = checkpoint
            return
        os.fsync(self.stream.fileno())
        write_json_atomically(path, {
            "checkpoint": checkpoint.to_dict(),
            "output_bytes": self.stream.tell(),
            "format": self.plan.fmt,
            "records_written": records_written,
            "output": os.path.abspath(self.plan.out or ""),
            "max_items": self.plan.max_items,
        })  # fmt: skip
        self.committed = checkpoint

    def finish(self) -> None:
        """The export is complete: flush and delete the checkpoint."""
        self.stream.flush()
        path = self.checkpoint_path
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def discard_if_empty(self) -> None:
        """After a failure: remove a new output file that has no completed page."""
        if self.is_file and self.plan.resume is None and self.committed is None:
            self.stream.close()
            with contextlib.suppress(OSError):
                os.unlink(self.plan.out or "")


def _open_file(plan: ExportPlan, path: str) -> IO[bytes]:
    resume = plan.resume
    if resume is None:
        checkpoint_path = path + CHECKPOINT_SUFFIX
        if os.path.exists(checkpoint_path):
            raise UsageError(
                f"{checkpoint_path} exists: an export to {path} was interrupted; continue it "
                f"with --resume {checkpoint_path}, or delete it to start over"
            )
        stream: IO[bytes] = open(path, "wb")  # noqa: SIM115 (closed by open_output)
        stream.write(HEADERS[plan.fmt])
        return stream
    if not os.path.isfile(path):
        raise UsageError(f"cannot resume: {path} does not exist or is not a regular file")
    stream = open(path, "r+b")  # noqa: SIM115 (closed by open_output)
    size = stream.seek(0, os.SEEK_END)
    if size < resume.output_bytes:
        stream.close()
        raise UsageError(
            f"cannot resume: {path} has {size} bytes, the checkpoint expects at least "
            f"{resume.output_bytes}; it is not the file this checkpoint belongs to"
        )
    stream.truncate(resume.output_bytes)
    stream.seek(resume.output_bytes)
    return stream


@contextlib.contextmanager
def open_output(plan: ExportPlan) -> Iterator[Output]:
    """Open stdout or the output file (truncated to the checkpoint when resuming)."""
    if plan.out is None:
        stdout = sys.stdout.buffer
        stdout.write(HEADERS[plan.fmt])
        yield Output(plan, stdout)
        return
    with _open_file(plan, plan.out) as stream:
        yield Output(plan, stream)


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
        total=None, initial=initial, unit=" invoices", file=sys.stderr, dynamic_ncols=True
    )


class Exporter:
    """Writes records, commits pages, keeps the counts and the progress bar."""

    def __init__(self, plan: ExportPlan, output: Output) -> None:
        self.plan = plan
        self.output = output
        self.encode = ENCODERS[plan.fmt]
        self.records = plan.resume.records_written if plan.resume else 0
        self.records_before = self.records
        self.records_committed = self.records
        self.pages = 0
        self.client_stats: ClientStats | None = None
        self.paginator: Paginator[SupplierInvoice] | None = None
        self.started = time.monotonic()
        self.bar: Any = _progress_bar(plan, self.records)
        #: On a resume: records added (+) or deleted (-) upstream since the checkpoint.
        self.drift: int | None = None

    def write(self, record: SupplierInvoice) -> None:
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
        _say(f"warning: {message}")

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
            f"exported {count}{more} supplier invoices ({_plural(self.pages_touched(), 'page')}) "
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
        return line

    def resume_hint(self) -> str | None:
        """The command that continues this export, when a checkpoint was kept."""
        path = self.output.checkpoint_path
        if path is None or self.output.committed is None or self.plan.out is None:
            return None
        words = [COMMAND, *map(shlex.quote, self.plan.source_flags)]
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
    from .testing import Sandbox

    async with Sandbox(records=plan.sandbox_records) as sandbox:
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
    """Walk the supplier invoices and write every record as it arrives."""
    with _cancel_on_sigterm():
        async with (
            _endpoint(plan) as (base_url, secret),
            SevenTime(secret, base_url=base_url, retry=plan.retry) as st,
        ):
            exporter.client_stats = st.stats

            def on_progress(stats: PaginatorStats) -> None:
                exporter.page_completed(paginator.checkpoint, stats.total_resources)

            paginator = st.supplier_invoices.list(**plan.list_arguments(), on_progress=on_progress)
            exporter.paginator = paginator
            exporter.started = time.monotonic()
            async with paginator:
                async for record in paginator:
                    exporter.write(record)
            exporter.output.finish()


# -- the entry point ----------------------------------------------------------------------


def _say(message: str) -> None:
    """One line on stderr (whitespace runs, newlines included, collapse to one space)."""
    print(" ".join(message.split()), file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """After a broken pipe on stdout: point it at /dev/null so exit does not complain."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _run(plan: ExportPlan, output: Output) -> int:
    """Run the export and turn its outcome into an exit status and one line on stderr."""
    exporter = Exporter(plan, output)
    try:
        asyncio.run(export(plan, exporter))
    except (KeyboardInterrupt, asyncio.CancelledError):
        exporter.close_bar()
        output.stream.flush()
        _say(exporter.interrupted())
        return EXIT_INTERRUPTED
    except InvalidRequestError as exc:
        exporter.close_bar()
        output.discard_if_empty()
        _say(f"error: {exc}")
        return EXIT_USAGE
    except (SevenTimeError, OSError) as exc:
        exporter.close_bar()
        return _failed(exc, exporter)
    exporter.close_bar()
    _say(exporter.summary())
    return EXIT_OK


def _failed(exc: BaseException, exporter: Exporter) -> int:
    if isinstance(exc, BrokenPipeError):  # the reader went away (`| head`): no message
        _silence_stdout()
        return EXIT_FAILED
    message = str(exc) if isinstance(exc, SevenTimeError) else f"I/O error: {exc}"
    exporter.output.discard_if_empty()
    hint = exporter.resume_hint()
    if hint is not None:
        message += f" (after {exporter.records} records; resume with: {hint})"
    _say(f"error: {message}")
    return EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``seventime-async`` with ``argv`` (default ``sys.argv[1:]``); the exit status."""
    args = build_parser().parse_args(argv)
    try:
        plan = make_plan(args)
        with open_output(plan) as output:
            return _run(plan, output)
    except UsageError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        _say(f"error: cannot open the output: {exc}")
        return EXIT_FAILED
    except KeyboardInterrupt:  # pragma: no cover (Ctrl-C outside the export itself)
        _say("interrupted")
        return EXIT_INTERRUPTED
