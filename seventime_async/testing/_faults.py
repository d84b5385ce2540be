"""Fault injection: random faults at a rate, and scripted faults for the next requests.

Fault kinds:

``"500"``, ``"503"``
    JSON error answers from the API (``{"errorMessage": ...}``).
``"502_html"``, ``"504_html"``
    An HTML error page with ``Content-Type: text/html``, as a proxy in front sends.
``"reset"``
    The connection is dropped without any response.
``"429"``
    A ``Too many requests`` answer with ``Retry-After``, whatever the real rate.
``"truncated"``
    The real answer (and its status), its JSON body cut in the middle.
``"slow"``
    The real answer, after ``slow_seconds``.

When a fault happens matters for writes. By default (``when="before"``) a fault happens
before the request reaches the API: nothing is written, nothing counts against the rate
limit. ``"500"`` and ``"reset"`` also exist ``when="after"`` (spelled ``"500_after"`` and
``"reset_after"``): the request is fully processed -- a create *does* create the invoice --
and only then does the client get a 500 or a dropped connection. That is the case where
blindly retrying a ``POST`` creates a duplicate. ``"truncated"`` and ``"slow"`` always
process the request.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["AFTER_KINDS", "FAULT_KINDS", "Fault", "FaultInjector"]

#: Every fault kind.
FAULT_KINDS = ("500", "503", "502_html", "504_html", "reset", "429", "truncated", "slow")
#: Kinds that can also happen after the request was processed (``when="after"``).
AFTER_KINDS = ("500", "reset")

When = Literal["before", "after"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault: its ``kind`` and ``when`` it happens relative to processing."""

    kind: str
    when: When = "before"

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if self.when not in ("before", "after"):
            raise ValueError(f"when must be 'before' or 'after', got {self.when!r}")
        if self.when == "after" and self.kind not in AFTER_KINDS:
            raise ValueError(f"fault {self.kind!r} has no 'after' form; only {AFTER_KINDS} do")

    @classmethod
    def parse(cls, spec: str | Fault, when: When = "before") -> Fault:
        """``"500"``, ``"500_after"`` or a :class:`Fault`; ``when`` applies to plain kinds."""
        if isinstance(spec, Fault):
            return spec
        if spec.endswith("_after"):
            return cls(spec.removesuffix("_after"), "after")
        if when == "after" and spec not in AFTER_KINDS:
            return cls(spec)  # "after" only means something for 500 and reset
        return cls(spec, when)

    @property
    def processes_request(self) -> bool:
        """True when the request is still processed (and written) despite the fault."""
        return self.when == "after" or self.kind in ("truncated", "slow")

    def __str__(self) -> str:
        return self.kind if self.when == "before" else f"{self.kind}_after"


@dataclass(frozen=True, slots=True)
class _Scripted:
    fault: Fault | None
    method: str | None


class FaultInjector:
    """Decides the fault, if any, for each request.

    Scripted faults come first: each request takes the first scripted entry whose method
    matches it (``None`` in a script means "answer normally"). When no entry matches, a
    random fault happens with probability ``rate``, its kind drawn from ``kinds``, using
    its own seeded random generator (so a run is reproducible).
    """

    def __init__(
        self, rate: float = 0.0, kinds: Iterable[str | Fault] = (), seed: int | None = 0
    ) -> None:
        self._rng = random.Random(seed)
        self._script: list[_Scripted] = []
        self.rate = 0.0
        self.kinds: tuple[Fault, ...] = ()
        self.configure(rate, kinds)

    def configure(self, rate: float, kinds: Iterable[str | Fault]) -> None:
        """Set the random fault ``rate`` (0..1) and the ``kinds`` it draws from."""
        parsed = tuple(Fault.parse(kind) for kind in kinds)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be within 0..1, got {rate}")
        if rate > 0 and not parsed:
            raise ValueError("a fault rate above 0 needs at least one fault kind")
        self.rate, self.kinds = rate, parsed

    def script(
        self,
        faults: Sequence[str | Fault | None],
        *,
        method: str | None = None,
        when: When = "before",
    ) -> None:
        """Queue faults for the next requests, in order (``None``: a normal answer).

        ``method`` (e.g. ``"POST"``) limits the entries to requests with that method;
        ``when="after"`` makes ``"500"`` and ``"reset"`` happen after processing.
        """
        method = method.upper() if method is not None else None
        entries = [
            _Scripted(None if fault is None else Fault.parse(fault, when), method)
            for fault in faults
        ]
        self._script.extend(entries)

    @property
    def pending(self) -> int:
        """How many scripted entries have not been used yet."""
        return len(self._script)

    def clear(self) -> None:
        """Drop the scripted entries that were not used."""
        self._script.clear()

    def next_fault(self, method: str) -> Fault | None:
        """The fault for a request with ``method`` (consumes a scripted entry if one fits)."""
        for index, entry in enumerate(self._script):
            if entry.method is None or entry.method == method.upper():
                del self._script[index]
                return entry.fault
        if self.rate > 0 and self._rng.random() < self.rate:
            return self._rng.choice(self.kinds)
        return None
