"""The ``seventime-async`` command line (also ``python -m seventime_async``).

One command, for every collection with a list (``seventime-async export --help`` lists
them: ``supplier-invoices``, ``time-logs``, ``tasks``, ...)::

    seventime-async export <collection> [--out FILE|-] [--format jsonl|csv]
        [--sandbox [--sandbox-records N]] [--resume CHECKPOINT] [--limit N]
        [--max-items N] [--retries N] [--base-url URL] [--no-progress]
        [--strict-resume] [filters...]

Every documented filter of the collection is a flag (``--last-modified``,
``--from-invoice-date``, ...), derived from its declaration.

The client secret comes only from the environment variable ``SEVENTIME_CLIENT_SECRET``
(a flag would end up in shell history and ``ps``); ``--sandbox`` exports from the built-in
sandbox server instead, with no key. Records are written as they arrive, never collected.

Output formats
--------------
``jsonl`` (default): one JSON object per line, the record as the API sent it
(``seventime_async.to_wire``): camelCase keys, every key the server sent, unknown ones
included; money as exact JSON numbers, timestamps as ISO 8601 strings (fields the model
knows but the server left out appear as ``null``).

``csv``: a header row, then one row per record. The columns are the wire names of the
record's attributes in model order (for supplier invoices ``_id``,
``supplierInvoiceNumber``, ..., ``footerInfoText``), then a last column ``extra``.
Cells: empty for null; ``true`` / ``false`` for booleans; money as the exact decimal
text (``str(Decimal)``, ``7681.7`` stays ``7681.7``); timestamps ISO 8601
(``2020-09-15T13:44:06.566Z``); status as its number; list- and object-valued columns
(``invoiceItems``, ``documents``, ...) as compact JSON text;
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

import asyncio
import os
import sys
from collections.abc import Sequence

from .._exceptions import InvalidRequestError, SevenTimeError
from ._export import Exporter, export, say
from ._flags import PROG, UsageError, build_parser
from ._formats import csv_columns, csv_row
from ._output import Output, open_output
from ._plan import CHECKPOINT_SUFFIX, ExportPlan, make_plan

__all__ = [
    "CHECKPOINT_SUFFIX",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
    "Exporter",
    "Output",
    "build_parser",
    "csv_columns",
    "csv_row",
    "main",
    "make_plan",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


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
        say(exporter.interrupted())
        return EXIT_INTERRUPTED
    except InvalidRequestError as exc:
        exporter.close_bar()
        output.discard_if_empty()
        say(f"error: {exc}")
        return EXIT_USAGE
    except (SevenTimeError, OSError) as exc:
        exporter.close_bar()
        return _failed(exc, exporter)
    exporter.close_bar()
    say(exporter.summary())
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
    say(f"error: {message}")
    return EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``seventime-async`` with ``argv`` (default ``sys.argv[1:]``); the exit status."""
    args = build_parser().parse_args(argv)
    try:
        plan = make_plan(args)
        with open_output(plan) as output:
            return _run(plan, output)
    except UsageError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        say(f"error: cannot open the output: {exc}")
        return EXIT_FAILED
    except KeyboardInterrupt:  # pragma: no cover (Ctrl-C outside the export itself)
        say("interrupted")
        return EXIT_INTERRUPTED
