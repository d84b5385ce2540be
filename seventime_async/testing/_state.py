"""The sandbox's knobs (:class:`SandboxConfig`) and live state (:class:`SandboxState`)."""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from ..resources import REGISTRY
from ._collections import CollectionStore
from ._faults import Fault, FaultInjector
from ._log import RequestRecord, max_in_window
from ._ratelimit import SlidingWindowLimiter
from ._store import InvoiceStore
from ._wire import now_ms, parse_timestamp
from ._writes import WriteContext

__all__ = [
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_FAULT_KINDS",
    "SandboxConfig",
    "SandboxOptions",
    "SandboxState",
]

#: The client secret a sandbox accepts unless told otherwise.
DEFAULT_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - a test double's well-known key
#: Random faults draw from these unless told otherwise (``"slow"`` is left out: it waits).
DEFAULT_FAULT_KINDS = ("500", "503", "502_html", "504_html", "reset", "429", "truncated")
# Knobs that only take effect when the sandbox is built.
_FIXED_AT_START = (
    "records",
    "collection_records",
    "seed",
    "client_secret",
    "extra_secrets",
    "fault_seed",
)


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Every knob of a sandbox. All have defaults; see each field's comment.

    ``fault_kinds`` entries are kinds from :data:`FAULT_KINDS`, optionally with
    ``"_after"`` (``"500_after"``, ``"reset_after"``): see :class:`Fault`.
    """

    #: How many seeded invoices to generate.
    records: int = 250
    #: How many records every other paged collection starts with (copies of the
    #: reference's examples; an unpaged lookup serves its examples as they are).
    collection_records: int = 30
    #: Seed of the generated data (and of the fault generator unless ``fault_seed`` is set).
    seed: int = 0
    #: The ``Client-Secret`` the sandbox accepts.
    client_secret: str = DEFAULT_CLIENT_SECRET
    #: More accepted secrets; each has its own rate-limit window.
    extra_secrets: tuple[str, ...] = ()
    #: Seconds added before every response.
    latency: float = 0.0
    #: Whether to answer 429 past ``rate_limit_per_second`` requests per key.
    rate_limit: bool = True
    #: Accepted requests per key within any 1-second window (the API's is 4).
    rate_limit_per_second: int = 4
    #: Whether 429 answers carry a ``Retry-After`` header (whole seconds, at least 1).
    retry_after: bool = True
    #: Probability (0..1) that a request gets a random fault.
    fault_rate: float = 0.0
    #: The kinds random faults are drawn from.
    fault_kinds: tuple[str, ...] = DEFAULT_FAULT_KINDS
    #: Seed of the random fault generator (``None``: derived from ``seed``).
    fault_seed: int | None = None
    #: How long a ``"slow"`` fault waits before answering.
    slow_seconds: float = 5.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra_secrets", tuple(self.extra_secrets))
        object.__setattr__(self, "fault_kinds", tuple(self.fault_kinds))
        _check_config(self)


def _check_config(config: SandboxConfig) -> None:
    problems = []
    if config.records < 0 or config.collection_records < 0:
        problems.append("records and collection_records must be at least 0")
    secrets = (config.client_secret, *config.extra_secrets)
    if not all(isinstance(secret, str) and secret for secret in secrets):
        problems.append("client secrets must be non-empty strings")
    if len(set(secrets)) != len(secrets):
        problems.append("client secrets must differ from each other")
    if config.latency < 0 or config.slow_seconds < 0:
        problems.append("latency and slow_seconds must be at least 0")
    if config.rate_limit_per_second < 1:
        problems.append("rate_limit_per_second must be at least 1")
    if not 0.0 <= config.fault_rate <= 1.0:
        problems.append(f"fault_rate must be within 0..1, got {config.fault_rate}")
    for kind in config.fault_kinds:
        try:
            Fault.parse(kind)
        except ValueError as error:
            problems.append(str(error))
    if problems:
        raise ValueError("; ".join(problems))


class SandboxOptions(TypedDict, total=False):
    """Keyword arguments of :class:`Sandbox`, ``build_app`` and ``SandboxProcess``.

    The same names as the fields of :class:`SandboxConfig`, where they are described.
    """

    records: int
    collection_records: int
    seed: int
    client_secret: str
    extra_secrets: Sequence[str]
    latency: float
    rate_limit: bool
    rate_limit_per_second: int
    retry_after: bool
    fault_rate: float
    fault_kinds: Sequence[str]
    fault_seed: int | None
    slow_seconds: float


def make_config(options: Mapping[str, Any]) -> SandboxConfig:
    """A :class:`SandboxConfig` from keyword options (sequences become tuples)."""
    return SandboxConfig(**options)


class SandboxState:
    """What a running sandbox knows: its invoices, rate limiter, faults and request log.

    A :class:`Sandbox` is one (plus a server); an app from ``build_app`` keeps one in
    ``app[SANDBOX_STATE]``. Everything here runs on the server's event loop: call the
    mutators from that loop (or before the server starts).
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self._config = config or SandboxConfig()
        config = self._config
        self.store = InvoiceStore(records=config.records, seed=config.seed)
        #: Every other declared collection (``collections.records("time_logs")``).
        self.collections = CollectionStore(
            (spec for spec in REGISTRY if spec.path != InvoiceStore.SEGMENT),
            records=config.collection_records,
            seed=config.seed,
        )
        self.limiter = SlidingWindowLimiter(config.rate_limit_per_second)
        fault_seed = config.fault_seed if config.fault_seed is not None else config.seed
        #: Fault injection: ``faults.script([...])``, ``faults.rate``, ``faults.kinds``.
        self.faults = FaultInjector(config.fault_rate, config.fault_kinds, seed=fault_seed)
        secrets = (config.client_secret, *config.extra_secrets)
        self._keys = {secret: f"key{index}" for index, secret in enumerate(secrets)}
        self._log: list[RequestRecord] = []
        self._seq = itertools.count()

    # -- knobs ---------------------------------------------------------------------------

    @property
    def config(self) -> SandboxConfig:
        """The current knobs."""
        return self._config

    @property
    def client_secret(self) -> str:
        """The ``Client-Secret`` header value the sandbox accepts (label ``"key0"``)."""
        return self._config.client_secret

    def configure(self, **changes: Any) -> None:
        """Change knobs while running: latency, rate limit, Retry-After, faults, slowness.

        ``records``, ``seed``, the secrets and ``fault_seed`` are fixed once built.
        """
        fixed = sorted(set(changes) & set(_FIXED_AT_START))
        if fixed:
            raise ValueError(f"cannot change {', '.join(fixed)} after the sandbox is built")
        config = dataclasses.replace(self._config, **changes)
        if config.rate_limit_per_second != self.limiter.limit:
            self.limiter = SlidingWindowLimiter(config.rate_limit_per_second)
        self.faults.configure(config.fault_rate, config.fault_kinds)
        self._config = config

    def key_for(self, secret: str | None) -> str | None:
        """The label of a client secret (``"key0"``, ...), or ``None`` if it is not valid."""
        return self._keys.get(secret) if secret is not None else None

    # -- request log ---------------------------------------------------------------------

    def next_seq(self) -> int:
        """A number for the next arriving request (orders the log by arrival)."""
        return next(self._seq)

    def record(self, entry: RequestRecord) -> None:
        """Add an answered request to the log."""
        self._log.append(entry)

    @property
    def requests(self) -> list[RequestRecord]:
        """The answered requests so far, in order of arrival (a copy)."""
        return sorted(self._log, key=lambda entry: entry.seq)

    @property
    def count_429(self) -> int:
        """How many requests were answered 429 (rate limit or injected)."""
        return sum(1 for entry in self._log if entry.status == 429)

    def max_requests_in_any_window(
        self, seconds: float = 1.0, *, key: str | None = None, accepted_only: bool = False
    ) -> int:
        """The most requests that arrived within any ``seconds``-long window.

        ``key`` counts only requests with that secret label; ``accepted_only`` leaves out
        requests answered 429. With the API's limit, a well-paced client keeps this <= 4.
        """
        times = [
            entry.time
            for entry in self._log
            if (key is None or entry.key == key) and not (accepted_only and entry.status == 429)
        ]
        return max_in_window(times, seconds)

    def clear_requests(self) -> None:
        """Forget the request log (and the rate limiter's memory)."""
        self._log.clear()
        self.limiter.reset()

    # -- invoices ------------------------------------------------------------------------

    def invoices(self) -> list[dict[str, Any]]:
        """Copies of all stored invoices, in insertion order (the list's default order)."""
        return self.store.documents()

    def invoice(self, invoice_id: str) -> dict[str, Any] | None:
        """A copy of one stored invoice, or ``None``."""
        row = self.store.row(invoice_id)
        return self.store.copy_of(row) if row is not None else None

    def add_invoice(
        self, fields: Mapping[str, Any] | None = None, /, **more: Any
    ) -> dict[str, Any]:
        """Store a new invoice directly (no request, no validation) and return a copy.

        It starts as a realistic generated invoice created now; the given wire-named
        ``fields`` (``add_invoice({"supplierInvoiceNumber": "1", "OCR": "42"})`` or
        ``add_invoice(project=None)``) override its keys. Appended last in list order --
        unless ``_id`` names a stored invoice, which is then replaced where it stands.
        """
        now = now_ms()
        doc = self.store.sample_document(now)
        doc.update(copy.deepcopy({**(fields or {}), **more}))
        doc["_id"] = str(doc["_id"])
        if parse_timestamp(doc.get("lastModified")) is None:
            doc["lastModified"] = doc["createDate"]
        self.store.put(doc)
        return copy.deepcopy(doc)

    def delete_invoice(self, invoice_id: str) -> bool:
        """Remove an invoice directly; ``False`` if there was none with that id."""
        return self.store.remove(invoice_id) is not None

    def _write_context(self) -> WriteContext:
        """The time, pools and id source for one write request."""
        now = now_ms()
        return WriteContext(
            pools=self.store.pools,
            now_ms=now,
            new_id=lambda: self.store.new_id(now),
            item_token=self.store.item_token,
        )
