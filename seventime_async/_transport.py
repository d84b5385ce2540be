"""The transport: the only module that speaks aiohttp.

It sends one fully built request and hands back status, headers and body, or raises
:class:`APIConnectionError` / :class:`APITimeoutError`. No retries, no decoding here.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping

import aiohttp
import attrs

from ._decode import Response
from ._exceptions import APIConnectionError, APITimeoutError

__all__ = ["AiohttpTransport", "Timeouts"]

# Node's HTTP server closes idle keep-alive connections after 5 s. Dropping ours sooner
# avoids reusing a connection the server is closing, the case in which aiohttp re-sends a
# request on its own (see ``_owned_session``).
_KEEPALIVE_SECONDS = 4.0


@attrs.frozen(kw_only=True)
class Timeouts:
    """Seconds allowed to connect (DNS, TCP, TLS) and for a whole request."""

    connect: float = 10.0
    total: float = 60.0

    def __attrs_post_init__(self) -> None:
        if not self.connect > 0 or not self.total > 0:
            raise ValueError("timeouts must be positive")

    def to_aiohttp(self) -> aiohttp.ClientTimeout:
        """The same limits as an aiohttp ``ClientTimeout``."""
        return aiohttp.ClientTimeout(total=self.total, connect=self.connect)


class AiohttpTransport:
    """Sends requests through one ``aiohttp.ClientSession``: its own, or the caller's."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None,
        timeouts: Timeouts,
        max_connections: int,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._timeouts = timeouts
        self._max_connections = max_connections
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session in use, if one was created or given."""
        return self._session

    def _owned_session(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running loop, as aiohttp requires.
        connector = aiohttp.TCPConnector(
            limit=self._max_connections, keepalive_timeout=_KEEPALIVE_SECONDS, ssl=self._ssl
        )
        session = aiohttp.ClientSession(
            connector=connector, timeout=self._timeouts.to_aiohttp(), raise_for_status=False
        )
        # aiohttp silently re-sends an idempotent request once when a reused keep-alive
        # connection turns out dead. That second send bypasses our rate limiter (a real
        # 429 was seen) and our attempt count; our own retry loop does it through the
        # limiter instead. There is no public switch, so the private flag is set where
        # it exists (aiohttp >= 3.10).
        if hasattr(session, "_retry_connection"):
            session._retry_connection = False
        return session

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = self._owned_session()
        return self._session

    async def send(
        self,
        *,
        method: str,
        url: str,
        path: str,
        params: tuple[tuple[str, str], ...],
        headers: Mapping[str, str],
        body: bytes | None,
        timeouts: Timeouts | None = None,
    ) -> Response:
        """Send one request and read the whole body."""
        session = self._get_session()
        try:
            async with session.request(
                method,
                url,
                params=params or None,
                data=body,
                headers=dict(headers),
                timeout=timeouts.to_aiohttp() if timeouts is not None else None,
                allow_redirects=False,
                ssl=self._ssl,
            ) as raw:
                payload = await raw.read()
                return Response(
                    status=raw.status,
                    headers={k.lower(): v for k, v in raw.headers.items()},
                    body=payload,
                    method=method,
                    path=path,
                )
        except aiohttp.ConnectionTimeoutError as exc:
            raise APITimeoutError(
                f"{method} {path}: timed out connecting",
                method=method,
                path=path,
                request_sent=False,
            ) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise APITimeoutError(
                f"{method} {path}: timed out waiting for the response", method=method, path=path
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise APIConnectionError(
                f"{method} {path}: cannot connect: {exc}",
                method=method,
                path=path,
                request_sent=False,
            ) from exc
        except aiohttp.ClientError as exc:
            raise APIConnectionError(
                f"{method} {path}: connection failed: {type(exc).__name__}: {exc}",
                method=method,
                path=path,
            ) from exc

    async def aclose(self) -> None:
        """Close the session if this transport created it."""
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()
            # Lets the connector's transports finish closing (aiohttp's advice), so no
            # "unclosed transport" warning follows a clean shutdown.
            await asyncio.sleep(0)
