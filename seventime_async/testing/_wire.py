"""Pure helpers for the wire format: timestamps, ids, numbers and qs-style form bodies.

Nothing here does I/O; every function is a small, separately testable transformation.
"""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

__all__ = [
    "format_timestamp",
    "is_number",
    "new_object_id",
    "now_ms",
    "parse_day",
    "parse_form",
    "parse_last_modified",
    "parse_timestamp",
    "wire_number",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)

# ISO date of the form YYYY-MM-DD, nothing else (date.fromisoformat also takes 20200915).
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The documented lastModified forms, plus seconds fractions and a Z or +HH:MM offset.
_LAST_MODIFIED = re.compile(
    r"(?P<day>\d{4}-\d{2}-\d{2})[ T](?P<hm>\d{2}:\d{2})(?P<s>:\d{2}(?:\.\d{1,6})?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


def now_ms() -> int:
    """Wall-clock time as whole milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def format_timestamp(epoch_ms: int) -> str:
    """``2020-09-15T13:44:06.566Z``: the API's timestamp form (UTC, milliseconds, ``Z``)."""
    seconds, millis = divmod(epoch_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def parse_timestamp(value: Any) -> int | None:
    """Milliseconds since the epoch of an ISO timestamp (naive means UTC), else ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed - _EPOCH) // _MILLISECOND


def parse_day(value: str) -> date:
    """A strict ``YYYY-MM-DD`` date; :class:`ValueError` for anything else."""
    if not _DAY.fullmatch(value):
        raise ValueError(f"expected YYYY-MM-DD, got {value!r}")
    return date.fromisoformat(value)


def parse_last_modified(value: str) -> int:
    """Parse a ``lastModified`` filter into milliseconds since the epoch.

    Accepts ``YYYY-MM-DD HH:MM``, ``YYYY-MM-DD HH:MM:SS``, the same with ``T``, optional
    fractional seconds and an optional ``Z`` or ``±HH:MM`` offset. Without an offset the
    time is taken as UTC. Anything else is a :class:`ValueError`.
    """
    match = _LAST_MODIFIED.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"expected YYYY-MM-DD HH:MM[:SS], got {value!r}")
    text = f"{match['day']}T{match['hm']}{match['s'] or ':00'}"
    tz = match["tz"]
    if tz and tz != "Z":
        text += tz if ":" in tz else f"{tz[:3]}:{tz[3:]}"
    stamp = parse_timestamp(text)
    if stamp is None:
        raise ValueError(f"not a valid date and time: {value!r}")
    return stamp


def new_object_id(epoch_seconds: int, random_bits: int) -> str:
    """A MongoDB-like ObjectId: 8 hex digits of time, then 16 of randomness (24 in all)."""
    return f"{epoch_seconds & 0xFFFFFFFF:08x}{random_bits & 0xFFFFFFFFFFFFFFFF:016x}"


def is_number(value: Any) -> bool:
    """True for an int or a finite float (a bool is not a number here)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def wire_number(value: float, decimals: int = 3) -> int | float:
    """Round to ``decimals`` places and drop a ``.0`` (``100000.0`` is sent as ``100000``)."""
    rounded = round(value, decimals)
    if rounded == int(rounded):
        return int(rounded)
    return rounded


def parse_form(body: str) -> dict[str, Any]:
    """Parse a form body the way Express's ``qs`` does, brackets and all.

    ``invoiceItems[0][itemType]=expense&invoiceItems[0][expenseItem]=abc`` becomes
    ``{"invoiceItems": [{"itemType": "expense", "expenseItem": "abc"}]}``. Objects whose keys
    are all digits become lists ordered by index (gaps are closed, as ``qs`` does); ``a[]=x``
    appends. Every leaf stays a string. A repeated plain key keeps its last value.
    """
    root: dict[str, Any] = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        head, _, rest = raw_key.partition("[")
        path = [head, *_BRACKETS.findall("[" + rest)] if rest else [head]
        _insert(root, path, value)
    return {key: _lists_from_digit_keys(child) for key, child in root.items()}


def _insert(node: dict[str, Any], path: list[str], value: str) -> None:
    for position, key in enumerate(path[:-1]):
        if key == "":
            key = str(len(node))
            path[position] = key
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    last = path[-1]
    node[str(len(node)) if last == "" else last] = value


def _lists_from_digit_keys(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists_from_digit_keys(child) for key, child in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted
