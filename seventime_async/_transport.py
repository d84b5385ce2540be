"""The transport: the only module that speaks aiohttp.

It sends one fully built request and hands back status, headers and body, or raises
:class:`APIConnectionError` / :class:`APITimeoutError`. No retries, no decoding here.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, Protocol

import aiohttp
import attrs

from ._decode import Response
from ._exceptions import APIConnectionError, APITimeoutError, ResponseTooLargeError
from ._secret import RequestHeaders

__all__ = ["AiohttpTransport", "Timeouts", "Transport", "TransportFailure"]

# Node's HTTP server closes idle keep-alive connections after 5 s. Dropping ours sooner
# avoids reusing a connection the server is closing, the case in which aiohttp re-sends a
# request on its own (see ``_owned_session``).
_KEEPALIVE_SECONDS = 4.0


def _positive_or_none(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not value > 0
    ):
        raise ValueError(f"Timeouts.{attribute.name} must be a positive number of seconds")


@attrs.frozen(kw_only=True)
class Timeouts:
    """Seconds allowed, per attempt and per call.

    Per attempt (each try of a request): ``connect`` (DNS, TCP, TLS) and ``total`` (from
    sending to the last byte of the answer). Per call (what a web app needs): ``queue``,
    the longest the call may wait for its turn at the rate limiter and the in-flight cap
    before it is sent (past it: :class:`APITimeoutError` with ``request_sent=False`` and
    nothing sent), and ``call``, a deadline for the whole call: waiting, every attempt
    and the backoff between them (no retry is started that could not finish in time).
    ``None`` is no limit. The defaults suit exports: 10 s to connect, 60 s per attempt,
    no queue or call limit (a call may then take up to ~4 minutes with its retries).
    A web app might use ``Timeouts(total=10, queue=2, call=15)``, or ``timeout=10``
    (a number caps the whole call and each attempt at that many seconds).
    """

    connect: float = attrs.field(default=10.0, validator=_positive_or_none)
    total: float = attrs.field(default=60.0, validator=_positive_or_none)
    queue: float | None = attrs.field(default=None, validator=_positive_or_none)
    call: float | None = attrs.field(default=None, validator=_positive_or_none)

    @classmethod
    def of(cls, value: Timeouts | float) -> Timeouts:
        """``value`` as :class:`Timeouts`: a number is a cap on the whole call (and so on
        each attempt and its connect)."""
        if isinstance(value, Timeouts):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError(
                f"timeout must be a positive number of seconds or Timeouts, got {value!r}"
            )
        seconds = float(value)
        return cls(connect=min(10.0, seconds), total=seconds, call=seconds)

    def to_aiohttp(self, remaining: float | None = None) -> aiohttp.ClientTimeout:
        """One attempt's limits as an aiohttp ``ClientTimeout`` (``remaining``: what is
        left of the call's deadline, which caps both)."""
        total = self.total if remaining is None else min(self.total, remaining)
        return aiohttp.ClientTimeout(total=total, connect=min(self.connect, total))


class Transport(Protocol):
    """What the client sends through: one request in, one :class:`Response` out, or
    :class:`APIConnectionError`. :class:`AiohttpTransport` is the real one; tests can
    give the client another (``seventime_async.testing.MockTransport``)."""

    async def send(
        self,
        *,
        method: str,
        url: str,
        path: str,
        params: tuple[tuple[str, str], ...],
        headers: RequestHeaders,
        body: bytes | bytearray | None,
        timeout: aiohttp.ClientTimeout | None,
        max_bytes: int,
        on_sent: Callable[[float], None] | None = None,
    ) -> Response:
        """Send one request and read its whole answer; call ``on_sent`` with the event
        loop's time as the request leaves (when the transport can tell)."""
        ...

    async def aclose(self) -> None:
        """Release what the transport holds."""
        ...


class TransportFailure(Exception):
    """What aiohttp raised, by type and message only (the ``__cause__`` of a
    connection or timeout error): no traceback, no chained errors."""

    def __init__(self, message: str, type_name: str) -> None:
        super().__init__(message)
        #: The original error's type, ``aiohttp.client_exceptions.ServerTimeoutError``.
        self.type_name = type_name

    @classmethod
    def of(cls, error: BaseException) -> TransportFailure:
        """The type and message of ``error``, detached from its frames."""
        kind = type(error)
        return cls(f"{kind.__name__}: {error}", f"{kind.__module__}.{kind.__qualname__}")


async def _read_bounded(
    raw: aiohttp.ClientResponse, max_bytes: int, method: str, path: str
) -> bytes:
    """The body, or :class:`ResponseTooLargeError` as soon as it passes ``max_bytes``."""
    if raw.content_length is not None and raw.content_length > max_bytes:
        raise ResponseTooLargeError(method=method, path=path, status=raw.status, limit=max_bytes)
    if raw.content_length is not None:
        return await raw.read()
    chunks = bytearray()
    async for chunk in raw.content.iter_any():
        chunks += chunk
        if len(chunks) > max_bytes:
            raise ResponseTooLargeError(
                method=method, path=path, status=raw.status, limit=max_bytes
            )
    return bytes(chunks)


class _Departure:
    """One request's ``trace_request_ctx``: when it left, and whom to tell."""

    __slots__ = ("at", "on_sent")

    def __init__(self, on_sent: Callable[[float], None] | None) -> None:
        self.at: float | None = None
        self.on_sent = on_sent


async def _headers_sent(_: aiohttp.ClientSession, context: SimpleNamespace, __: Any) -> None:
    departure = context.trace_request_ctx
    if isinstance(departure, _Departure):
        loop = asyncio.get_running_loop()
        departure.at = loop.time()
        if departure.on_sent is not None:
            # Not called here: aiohttp's frames (and this one's arguments) hold the
            # request's headers, which no error raised by the callback may carry.
            loop.call_soon(departure.on_sent, departure.at)


def _departure_trace() -> aiohttp.TraceConfig:
    """Times each request's departure: its headers go out once it has a connection (a new
    one's TCP and TLS set-up done), which can be well after its rate-limit turn."""
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_headers_sent)
    return trace


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
            connector=connector,
            timeout=self._timeouts.to_aiohttp(),
            raise_for_status=False,
            trace_configs=[_departure_trace()],
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
        headers: RequestHeaders,
        body: bytes | bytearray | None,
        timeout: aiohttp.ClientTimeout | None,
        max_bytes: int,
        on_sent: Callable[[float], None] | None = None,
    ) -> Response:
        """Send one request and read the whole body (at most ``max_bytes`` of it);
        ``on_sent`` hears when it left (on the transport's own session: a session the
        caller passed in is not traced, and the answer's ``sent_at`` is then None).

        ``timeout`` None leaves the session's own timeout in charge (a session the
        caller passed in). An aiohttp failure becomes :class:`APIConnectionError` or
        :class:`APITimeoutError` whose ``__cause__`` keeps the failure's type and
        message but not its frames: aiohttp's frames hold the request headers.
        """
        session = self._get_session()
        departure = _Departure(on_sent)
        try:
            async with session.request(
                method,
                url,
                params=params or None,
                data=body,
                headers=headers.for_wire(),
                allow_redirects=False,
                ssl=self._ssl,
                timeout=timeout if timeout is not None else session.timeout,
                trace_request_ctx=departure,
            ) as raw:
                answered_at = asyncio.get_running_loop().time()
                payload = await _read_bounded(raw, max_bytes, method, path)
                return Response(
                    status=raw.status,
                    headers={k.lower(): v for k, v in raw.headers.items()},
                    body=payload,
                    method=method,
                    path=path,
                    answered_at=answered_at,
                    sent_at=departure.at,
                )
        except aiohttp.ConnectionTimeoutError as exc:
            failure: APIConnectionError = APITimeoutError(
                f"{method} {path}: timed out connecting",
                method=method,
                path=path,
                request_sent=False,
            )
            failure.__cause__ = TransportFailure.of(exc)
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            failure = APITimeoutError(
                f"{method} {path}: timed out waiting for the response", method=method, path=path
            )
            failure.__cause__ = TransportFailure.of(exc)
        except aiohttp.ClientConnectorError as exc:
            failure = APIConnectionError(
                f"{method} {path}: cannot connect: {exc}",
                method=method,
                path=path,
                request_sent=False,
            )
            failure.__cause__ = TransportFailure.of(exc)
        except aiohttp.ClientError as exc:
            failure = APIConnectionError(
                f"{method} {path}: connection failed: {type(exc).__name__}: {exc}",
                method=method,
                path=path,
            )
            failure.__cause__ = TransportFailure.of(exc)
        # Raised here, outside the except blocks, so that it has no __context__ either.
        raise failure

    async def aclose(self) -> None:
        """Close the session if this transport created it."""
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()
            # Lets the connector's transports finish closing (aiohttp's advice), so no
            # "unclosed transport" warning follows a clean shutdown.
            await asyncio.sleep(0)
