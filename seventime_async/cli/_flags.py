"""The command line, derived from the registry: one ``export <collection>`` command per
listable collection, with one flag per documented filter of that collection."""

from __future__ import annotations

import argparse
import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import __version__
from .._client import DEFAULT_BASE_URL, SECRET_ENV_VAR
from .._options import SortDirection
from .._spec import Field, ResourceSpec
from ..resources import REGISTRY
from ._formats import FORMATS

__all__ = [
    "BASE_URL_ENV_VAR",
    "DEFAULT_SANDBOX_RECORDS",
    "PROG",
    "UsageError",
    "build_parser",
    "command_name",
    "filter_flags",
    "listable",
]

PROG = "seventime-async"
BASE_URL_ENV_VAR = "SEVENTIME_BASE_URL"
DEFAULT_SANDBOX_RECORDS = 2500


class UsageError(Exception):
    """The command line is wrong: exit status 2 with a one-line message."""


def command_name(spec: ResourceSpec) -> str:
    """The collection's name on the command line: ``time_logs`` -> ``time-logs``."""
    return spec.name.replace("_", "-")


def listable() -> dict[str, ResourceSpec]:
    """Every collection with a list, by command name."""
    return {command_name(spec): spec for spec in REGISTRY if spec.list is not None}


# -- values from text ---------------------------------------------------------------------


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


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _enum_parser(kind: type[enum.Enum]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        name = text.strip().upper().replace("-", "_")
        if name in kind.__members__:
            return kind[name]
        for member in kind:
            if str(member.value) == text.strip():
                return member
        allowed = ", ".join(f"{m.name.lower()} ({m.value})" for m in kind)
        raise argparse.ArgumentTypeError(f"expected one of {allowed}, got {text!r}")

    return parse


def _base_types(annotation: Any) -> list[Any]:
    """The plain types an annotation allows (Annotated, Required and None stripped)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Annotated, typing.Required, typing.NotRequired):
        return _base_types(typing.get_args(annotation)[0])
    if origin in (types.UnionType, typing.Union):
        return [t for arg in typing.get_args(annotation) for t in _base_types(arg)]
    return [] if annotation is type(None) else [annotation]


def _parser_for(field: Field) -> tuple[Callable[[str], Any], str]:
    """(text -> value, metavar) for a filter; the SDK checks the value itself."""
    kinds = _base_types(field.annotation)
    enums = [k for k in kinds if isinstance(k, type) and issubclass(k, enum.Enum)]
    if SortDirection in enums:
        return _direction, "ascending|descending"
    if enums:
        return _enum_parser(enums[0]), "|".join(m.name.lower() for m in enums[0])
    if datetime in kinds:
        return _moment, "ISO"
    if date in kinds:
        return _day, "YYYY-MM-DD"
    if bool in kinds:
        return _boolean, "true|false"
    if int in kinds:
        return _whole_number, "N"
    if Decimal in kinds or float in kinds:
        return _decimal, "NUMBER"
    return str, "TEXT"


def filter_flags(spec: ResourceSpec) -> list[tuple[list[str], str, Callable[[str], Any], str]]:
    """(flags, filter name, parser, metavar) for every documented filter of ``spec``.

    The flag is the filter's name in kebab-case; a collection's one status filter
    (``supplier_invoice_status``) also answers to the short ``--status``.
    """
    statuses = [field.name for field in spec.filters() if field.name.endswith("_status")]
    flags = []
    for field in spec.filters():
        parse, metavar = _parser_for(field)
        names = [f"--{field.name.replace('_', '-')}"]
        if statuses == [field.name] and field.name != "status":
            names.append("--status")
        flags.append((names, field.name, parse, metavar))
    return flags


def _add_export_arguments(parser: argparse.ArgumentParser, spec: ResourceSpec) -> None:
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
    sync = parser.add_argument_group("incremental sync")
    sync.add_argument(
        "--incremental",
        action="store_true",
        help="export only what changed since the last completed run (lists with "
        "lastModified; others are exported whole, with a warning); needs --state",
    )
    sync.add_argument(
        "--state",
        metavar="FILE|redis://...",
        help="where --incremental keeps its watermarks: a JSON file, or a Redis URL that "
        "workers share",
    )
    sync.add_argument(
        "--overlap", type=_whole_number, metavar="SECONDS",
        help="with --incremental: look back this far before the watermark (default 300)",
    )  # fmt: skip
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
    filters = parser.add_argument_group("filters (the documented ones, in the SDK's names)")
    required = {field.name for field in spec.filters() if field.required}
    for names, name, parse, metavar in filter_flags(spec):
        note = " (required)" if name in required else ""
        filters.add_argument(*names, dest=name, type=parse, metavar=metavar, help=name + note)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``seventime-async``."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Command line of the seventime_async SDK."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export = commands.add_parser("export", help="export records", description="Export records.")
    collections = export.add_subparsers(dest="resource", required=True, metavar="COLLECTION")
    for name, spec in listable().items():
        words = spec.name.replace("_", " ")
        command = collections.add_parser(
            name,
            help=f"export {words} as JSON Lines or CSV",
            description=f"Export {words} ({spec.url()}) as JSON Lines or CSV, page by page.",
            epilog=f"The client secret is read from ${SECRET_ENV_VAR} (never from a flag).",
        )
        _add_export_arguments(command, spec)
    return parser
