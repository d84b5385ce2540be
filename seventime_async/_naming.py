"""The naming rule between the SDK and the wire: snake_case attributes, camelCase keys.

``total_amount`` <-> ``totalAmount``; a few keys break the rule (``_id``, ``OCR``) and
are declared where they occur (a record field's ``wire=`` metadata, a spec's
``wire_names``); :data:`SPECIAL_WIRE_NAMES` holds the ones every resource shares.
"""

from __future__ import annotations

import functools
import re

__all__ = ["SPECIAL_WIRE_NAMES", "attribute_name", "wire_name", "wire_path"]

SPECIAL_WIRE_NAMES = {"id": "_id", "ocr": "OCR"}
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@functools.cache
def wire_name(attribute: str) -> str:
    """The API's key for a snake_case attribute: ``total_amount`` -> ``totalAmount``."""
    special = SPECIAL_WIRE_NAMES.get(attribute)
    if special is not None:
        return special
    head, *rest = attribute.split("_")
    return head + "".join(part.capitalize() for part in rest)


@functools.cache
def attribute_name(key: str) -> str:
    """The snake_case name of a wire key: ``timeLogs`` -> ``time_logs``, ``OCR`` -> ``ocr``."""
    for attribute, special in SPECIAL_WIRE_NAMES.items():
        if key == special:
            return attribute
    return _CAMEL_BOUNDARY.sub("_", key.strip("_")).lower()


def wire_path(cattrs_path: str) -> str:
    """Rewrite a cattrs error path (``$.invoice_items[0].item_order``) in wire names."""
    out: list[str] = []
    for segment in cattrs_path.split("."):
        name, bracket, rest = segment.partition("[")
        out.append(wire_name(name) + bracket + rest if name and name != "$" else segment)
    return ".".join(out)
