"""The reference's example responses, repaired into JSON (``examples/<Family>.json``).

Each file lists a family's ```json blocks: the section heading, the block's line in the
reference, the documented request line (``GET /api/2/timeLogs``) and the body. The
sandbox seeds every collection from these; the registry-wide tests decode every one.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .._spec import ResourceSpec

__all__ = ["EXAMPLES", "examples_of", "records_in"]

EXAMPLES = Path(__file__).resolve().parent / "examples"


@functools.cache
def _all_examples() -> tuple[dict[str, Any], ...]:
    found = []
    for source in sorted(EXAMPLES.glob("*.json")):
        for entry in json.loads(source.read_text("utf-8")):
            found.append({**entry, "file": source.name})
    return tuple(found)


def _segments(spec: ResourceSpec) -> set[str | None]:
    segments = {spec.path, spec.get_path, spec.list.path if spec.list else None}
    for write in (spec.create, spec.update, spec.delete):
        if write is not None:
            segments.add(write.path)
    segments.update(action.path for action in spec.actions.values())
    return segments


def examples_of(spec: ResourceSpec) -> list[dict[str, Any]]:
    """Every example whose documented request is on ``spec``'s collection."""
    segments = _segments(spec)
    found = []
    for entry in _all_examples():
        segment = _segment(entry)
        # A singular documented path (``/vehicle/<_id>``) is the plural collection's get.
        if segment is not None and (segment in segments or segment + "s" in segments):
            found.append(entry)
    return found


def _segment(entry: dict[str, Any]) -> str | None:
    """The collection an example belongs to. The documented request line and the
    section's own curl example disagree in places: the line says ``/expenses`` for
    expense items and ``/userRoles/`` for work types, where the examples are right; the
    examples call ``/machines/<_id>`` for a machine time log, where the (singular) line
    is right. Every collection's segment is a plural: a documented segment that is not
    (a singular get, an action such as ``stopTimer``) is taken; otherwise the examples'."""
    documented = _path_segment((entry.get("request") or "").split(" ", 1)[-1])
    example = _path_segment(entry.get("url") or "")
    if documented is not None and not documented.endswith("s"):
        return documented
    return example or documented


def _path_segment(path: str) -> str | None:
    parts = path.split("/")
    return parts[3] if len(parts) > 3 and parts[3] else None


def records_in(body: Any) -> list[dict[str, Any]]:
    """The record objects of an example body: ``data`` (a list or one object) or itself."""
    data = body.get("data", body) if isinstance(body, dict) else body
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]
