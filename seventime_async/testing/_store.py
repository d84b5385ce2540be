"""The sandbox's invoices: insertion-ordered rows, generated documents, cached JSON."""

from __future__ import annotations

import copy
import json
import random
from collections import OrderedDict
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from ._data import ROW_ATTRIBUTES, Pools, Row, expand, generate_rows, make_pools, seeded_row
from ._query import ListQuery, build_predicate, sort_rows
from ._wire import new_object_id

__all__ = ["InvoiceStore"]

_SELECTION_CACHE_SIZE = 32


class InvoiceStore:
    """All invoices of one sandbox, in insertion order.

    Seeded rows are generated from ``seed`` (the same seed, the same data). Their full
    documents are made on demand; the encoded JSON of each served record is cached and
    dropped when the record changes. Selections (filtered and sorted row lists) are cached
    per query until the next write.
    """

    #: The URL segment this store answers (v1 and v2); other collections are generic.
    SEGMENT = "supplierInvoices"

    def __init__(self, *, records: int, seed: int) -> None:
        rng = random.Random(seed)
        self.pools: Pools = make_pools(rng)
        self._rows: dict[str, Row] = {
            row.id: row for row in generate_rows(self.pools, rng, records)
        }
        self._write_rng = random.Random(f"seventime-sandbox-writes:{seed}")
        self._version = 0
        self._ordered: list[Row] | None = None
        self._selections: OrderedDict[tuple[Any, ...], list[Row]] = OrderedDict()
        self._encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    @property
    def version(self) -> int:
        """Grows with every write; cached selections belong to one version."""
        return self._version

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, invoice_id: object) -> bool:
        return invoice_id in self._rows

    def row(self, invoice_id: str) -> Row | None:
        """The row with this id, or ``None``."""
        return self._rows.get(invoice_id)

    def document(self, row: Row) -> dict[str, Any]:
        """The row's full document (live for written rows: copy before handing it out)."""
        return row.doc if row.doc is not None else expand(self.pools, row)

    def copy_of(self, row: Row) -> dict[str, Any]:
        """A document of the row that the caller may change freely."""
        return copy.deepcopy(row.doc) if row.doc is not None else expand(self.pools, row)

    def documents(self) -> list[dict[str, Any]]:
        """Copies of every document, in insertion order."""
        return [self.copy_of(row) for row in self.ordered()]

    def encode(self, value: Any) -> bytes:
        """Compact JSON, UTF-8, non-ASCII kept as is (like ``JSON.stringify``)."""
        return self._encoder.encode(value).encode()

    def body(self, row: Row) -> bytes:
        """The row's encoded document, cached on the row."""
        if row.body is None:
            row.body = self.encode(self.document(row))
        return row.body

    def ordered(self) -> list[Row]:
        """All rows in insertion order (a cached list: do not modify)."""
        if self._ordered is None:
            self._ordered = list(self._rows.values())
        return self._ordered

    def select(self, query: ListQuery) -> list[Row]:
        """The rows a list query selects, in its order (cached until the next write)."""
        key = query.selection_key
        cached = self._selections.get(key)
        if cached is not None:
            self._selections.move_to_end(key)
            return cached
        rows = self.ordered()
        predicate = build_predicate(query.filters)
        if predicate is not None:
            rows = [row for row in rows if predicate(row)]
        if query.sort_by is not None:
            rows = sort_rows(rows, self._value_of(query.sort_by), descending=query.descending)
        self._selections[key] = rows
        if len(self._selections) > _SELECTION_CACHE_SIZE:
            self._selections.popitem(last=False)
        return rows

    def _value_of(self, key: str) -> Callable[[Row], Any]:
        attribute = ROW_ATTRIBUTES.get(key)
        if attribute is not None:
            return attrgetter(attribute)
        return lambda row: self.document(row).get(key)

    def _changed(self) -> None:
        self._version += 1
        self._ordered = None
        self._selections.clear()

    def put(self, doc: dict[str, Any]) -> Row:
        """Store ``doc`` (kept, not copied): replace the row with its ``_id`` or append it."""
        row = Row.from_doc(doc)
        self._rows[row.id] = row
        self._changed()
        return row

    def remove(self, invoice_id: str) -> Row | None:
        """Delete a row; the removed row, or ``None`` if there was none."""
        row = self._rows.pop(invoice_id, None)
        if row is not None:
            self._changed()
        return row

    def new_id(self, epoch_ms: int) -> str:
        """A fresh ObjectId-like id for a document made at ``epoch_ms``."""
        return new_object_id(epoch_ms // 1000, self._write_rng.getrandbits(64))

    def item_token(self) -> str:
        """An ``itemId`` like the server's (``"0.949579694947744"``)."""
        return repr(self._write_rng.random())

    def sample_document(self, epoch_ms: int) -> dict[str, Any]:
        """A new realistic document created (and last modified) at ``epoch_ms``; not stored."""
        row = seeded_row(self.pools, self._write_rng, epoch_ms)
        row.last_modified, row.last_modified_ms = row.create_date, epoch_ms
        return expand(self.pools, row)
