"""The collections of the API, one small module per family; :data:`REGISTRY` lists them.

Each module declares its records, its filter and field TypedDicts and one
:class:`~seventime_async._spec.ResourceSpec` per URL collection. The client, the CLI,
the sandbox and the registry-wide tests are all built from :data:`REGISTRY`.
"""

from __future__ import annotations

from .._spec import ResourceSpec
from .departments import DEPARTMENTS
from .time_logs import TIME_CATEGORIES, TIME_LOGS

__all__ = ["REGISTRY"]

#: Every implemented collection, in the order the client lists them.
REGISTRY: tuple[ResourceSpec, ...] = (
    DEPARTMENTS,
    TIME_LOGS,
    TIME_CATEGORIES,
)
