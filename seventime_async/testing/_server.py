"""Running the sandbox in the caller's event loop: :class:`Sandbox` and :func:`build_app`."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any, Self, Unpack

from aiohttp import web

from ._app import create_app
from ._state import SandboxOptions, SandboxState, make_config

__all__ = ["Sandbox", "build_app"]

_ACCESS_LOG = logging.getLogger("seventime_async.testing")


def build_app(**options: Unpack[SandboxOptions]) -> web.Application:
    """An aiohttp application serving a new sandbox; its state is in ``app[SANDBOX_STATE]``.

    Takes the same keyword options as :class:`Sandbox`. Use it with your own runner, or
    with ``aiohttp.test_utils.TestServer``.
    """
    return create_app(SandboxState(make_config(options)))


class Sandbox(SandboxState):
    """A sandbox of the supplier-invoice API, served on ``127.0.0.1`` in the running loop.

    ::

        async with Sandbox(records=50, rate_limit=False) as sb:
            async with aiohttp.ClientSession() as session:
                async with session.get(
                    f"{sb.url}/api/2/supplierInvoices/",
                    headers={"Client-Secret": sb.client_secret},
                ) as response:
                    page = await response.json()

    Keyword options are the fields of :class:`SandboxConfig` (``records``, ``seed``,
    ``client_secret``, ``latency``, ``rate_limit``, ``fault_rate``, ...). ``host`` and
    ``port`` (``0``: a free port) say where to listen; ``access_log=True`` logs each
    request to the ``seventime_async.testing`` logger. Everything of
    :class:`SandboxState` is available: ``requests``, ``faults``, ``invoices()``,
    ``add_invoice()``, ``count_429``, ...
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_log: bool = False,
        **options: Unpack[SandboxOptions],
    ) -> None:
        super().__init__(make_config(options))
        self._host = host
        self._port = port
        self._access_log = access_log
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the base URL to give a client (no trailing slash)."""
        if self._url is None:
            raise RuntimeError("the sandbox is not running: use 'async with' or await start()")
        return self._url

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`close`."""
        return self._runner is not None

    async def start(self) -> None:
        """Start listening (idempotent)."""
        if self._runner is not None:
            return
        runner = web.AppRunner(
            create_app(self),
            access_log=_ACCESS_LOG if self._access_log else None,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        host, port = runner.addresses[0][:2]
        self._runner = runner
        self._url = f"http://{_url_host(host)}:{port}"

    async def close(self) -> None:
        """Stop listening and close every connection (idempotent)."""
        runner, self._runner = self._runner, None
        self._url = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        where = self._url or "not running"
        return f"<Sandbox {where} records={len(self.store)} seed={self.config.seed}>"


def _url_host(host: Any) -> str:
    text = str(host)
    return f"[{text}]" if ":" in text else text
