"""How records are written: JSON Lines, or CSV with columns derived from the record."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from .._converter import dumps_json, record_wire_name, to_wire

__all__ = ["FORMATS", "Format", "csv_columns", "csv_row", "format_for", "jsonl_line"]

FORMATS = ("jsonl", "csv")


def csv_columns(record_type: type) -> tuple[str, ...]:
    """The CSV header of a record type: the wire names of its attributes in model order,
    then ``extra`` (the keys the model does not know, as one JSON object)."""
    names = (record_wire_name(f) for f in attrs.fields(record_type) if f.name != "extra")
    return (*names, "extra")


def jsonl_line(record: Any) -> bytes:
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


def csv_row(record: Any, columns: Sequence[str] | None = None) -> list[str]:
    """The CSV cells of one record, in :func:`csv_columns` order."""
    wire = to_wire(record)
    columns = columns or csv_columns(type(record))
    cells = [_csv_cell(wire.get(column)) for column in columns[:-1]]
    cells.append(dumps_json(record.extra) if record.extra else "")
    return cells


def _csv_line(cells: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue().encode("utf-8")


@dataclasses.dataclass(frozen=True)
class Format:
    """An output format for one record type: the bytes that open the output, and how
    each record is encoded."""

    header: bytes
    encode: Callable[[Any], bytes]


def format_for(name: str, record_type: type) -> Format:
    """The ``jsonl`` or ``csv`` format of ``record_type``."""
    if name == "csv":
        columns = csv_columns(record_type)
        return Format(_csv_line(columns), lambda record: _csv_line(csv_row(record, columns)))
    return Format(b"", jsonl_line)
