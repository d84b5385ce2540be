"""A faithful sandbox of the Seven Time API, for testing code that uses it.

It serves the real wire format of every collection the SDK declares: supplier invoices
(``/api/2/supplierInvoices/`` list, get, create, update, delete and the v1 form create)
over seeded, deliberately messy data, and every other collection from the reference's
example responses, with the documented rate limit (4 requests per second per key,
429 past it), ``Client-Secret`` auth, optional latency and injected faults. It depends on
aiohttp and the standard library only.

Three ways to run it:

* in your event loop: ``async with Sandbox(records=100) as sb:`` then use ``sb.url`` and
  ``sb.client_secret``; inspect ``sb.requests``, ``sb.invoices()``, script
  ``sb.faults.script(["500", None, "reset"])``;
* in its own process: ``python -m seventime_async.testing --records 20000 --latency 0.3``
  (prints ``{"url": ..., "client_secret": ...}`` on one line), or :class:`SandboxProcess`;
* as a pytest fixture: ``pytest_plugins = ["seventime_async.testing.pytest_plugin"]``
  gives ``seventime_sandbox``.

Without a server, :class:`MockTransport` answers the client from a function
(``SevenTime(secret, transport=MockTransport(handler))``).

``set_testing(True)`` switches the SDK's backoff waits off for test suites: retries
still happen, at once.
"""

from .._retry import set_testing
from ._app import SANDBOX_STATE
from ._faults import AFTER_KINDS, FAULT_KINDS, Fault, FaultInjector
from ._log import RequestRecord
from ._mock import MockRequest, MockResponse, MockTransport
from ._process import SandboxProcess
from ._server import Sandbox, build_app
from ._state import (
    DEFAULT_CLIENT_SECRET,
    DEFAULT_FAULT_KINDS,
    SandboxConfig,
    SandboxOptions,
    SandboxState,
)

__all__ = [
    "AFTER_KINDS",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_FAULT_KINDS",
    "FAULT_KINDS",
    "SANDBOX_STATE",
    "Fault",
    "FaultInjector",
    "MockRequest",
    "MockResponse",
    "MockTransport",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
    "SandboxOptions",
    "SandboxProcess",
    "SandboxState",
    "build_app",
    "set_testing",
]
