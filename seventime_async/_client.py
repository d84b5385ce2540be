"""``SevenTime``: the session object. Owns the transport, the rate limiter and retries."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import ssl
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

import aiohttp
import attrs

from ._converter import converter
from ._decode import Response, status_error
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    ClientClosedError,
    InvalidRequestError,
    RateLimitError,
    SevenTimeError,
)
from ._http import Request
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy, is_testing, retry_delay
from ._transport import AiohttpTransport, Timeouts
from .resources import Collections

__all__ = ["DEFAULT_BASE_URL", "ClientStats", "SevenTime"]

DEFAULT_BASE_URL = "https://app.seventime.se"
SECRET_ENV_VAR = "SEVENTIME_CLIENT_SECRET"  # noqa: S105 (a variable name, not a secret)
USER_AGENT = "seventime-async/0.1"

logger = logging.getLogger("seventime_async")
logger.addHandler(logging.NullHandler())


class _Secret:
    """Holds the client secret; its repr and str never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<redacted>"

    __str__ = __repr__


def _check_secret(value: str | None) -> _Secret:
    if value is None:
        value = os.environ.get(SECRET_ENV_VAR)
    if not value:
        raise InvalidRequestError(
            f"no client secret: pass client_secret= or set {SECRET_ENV_VAR} "
            "(Seven Time: Settings -> Integrations -> API)",
            field="client_secret",
        )
    if not isinstance(value, str):
        raise InvalidRequestError("client_secret must be a string", field="client_secret")
    # CR/LF would let the secret inject headers; other control characters and
    # surrounding spaces are always a copy-paste accident. The secret is not echoed.
    if value != value.strip() or not value.isprintable() or not value.isascii():
        raise InvalidRequestError(
            "client_secret contains spaces at its ends, control characters (CR/LF) or "
            "non-ASCII characters",
            field="client_secret",
        )
    return _Secret(value)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidRequestError(f"base_url {base_url!r} is not an http(s) URL", field="base_url")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InvalidRequestError(
            "base_url must use https (plain http only for loopback hosts, such as the "
            "sandbox): the client secret would travel in clear text",
            field="base_url",
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidRequestError(
            "base_url must not carry credentials, a query or a fragment", field="base_url"
        )
    return base_url.rstrip("/")


@attrs.define
class ClientStats:
    """Counters of one client, for summaries and monitoring."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


class SevenTime(Collections):
    """An async session with the Seven Time API.

    Use it as ``async with SevenTime() as st:`` (or call ``await st.aclose()``). The
    secret comes from ``client_secret`` or the ``SEVENTIME_CLIENT_SECRET`` environment
    variable. One client is safe to share between any number of tasks of one event loop:
    they share its connection pool, its rate limiter (``rate_limit`` requests per second,
    4 as documented; None turns it off) and at most ``max_concurrency`` requests in flight.
    Clients of one key in one event loop can share a limiter: pass the same
    :class:`RateLimiter` as ``rate_limit`` to each.

    ``session`` takes an ``aiohttp.ClientSession`` of your own, which the client then
    uses but does not close. ``timeouts`` and ``retry`` set the defaults for every call;
    each method also takes them per call.
    """

    def __init__(
        self,
        client_secret: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = 4.0,
        max_concurrency: int = 8,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str | None = None,
    ) -> None:
        self._secret = _check_secret(client_secret)
        self.base_url = _check_base_url(base_url)
        if (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or (max_concurrency < 1)
        ):
            raise InvalidRequestError("max_concurrency must be >= 1", field="max_concurrency")
        if isinstance(rate_limit, RateLimiter) or rate_limit is None:
            self.rate_limiter = rate_limit
        elif isinstance(rate_limit, int | float) and rate_limit > 0:
            self.rate_limiter = RateLimiter(rate_limit)
        else:
            raise InvalidRequestError(
                "rate_limit must be requests per second (> 0), a RateLimiter or None",
                field="rate_limit",
            )
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self._user_agent = user_agent or USER_AGENT
        self._transport = AiohttpTransport(
            session=session,
            timeouts=self.timeouts,
            max_connections=max_concurrency,
            ssl_context=ssl_context,
        )
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._bind_collections(self._send)
        # Build the (cached, process-wide) converter now, at set-up, rather than in the
        # middle of the first response: building it holds the event loop for ~10 ms.
        converter()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<SevenTime {self.base_url} client_secret=<redacted> {state}>"

    async def __aenter__(self) -> Self:
        self._check_usable()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def closed(self) -> bool:
        """True once ``aclose()`` was called."""
        return self._closed

    async def aclose(self) -> None:
        """Close the client (and its session, unless the caller passed one in)."""
        self._closed = True
        await self._transport.aclose()

    def _check_usable(self) -> None:
        if self._closed:
            raise ClientClosedError("this SevenTime client is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("a SevenTime client is bound to the event loop it was first used in")

    def _headers(self, request: Request) -> dict[str, str]:
        # The reference requires Content-Type: application/json on every v2 request,
        # GET included; v1 bodies are forms (``request.content_type`` says which).
        return {
            "Client-Secret": self._secret.reveal(),
            "Accept": "application/json",
            "Content-Type": request.content_type,
            "User-Agent": self._user_agent,
        }

    async def _send(
        self,
        request: Request,
        *,
        timeout: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> Response:
        """Send ``request`` through the limiter, with retries; returns a 2xx response."""
        self._check_usable()
        policy = retry or self.retry
        url = self.base_url + request.path
        headers = self._headers(request)
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            attempt += 1
            error: SevenTimeError
            async with self._in_flight:
                if self.rate_limiter is not None:
                    await self.rate_limiter.acquire()
                self._check_usable()
                started = loop.time()
                self.stats.requests += 1
                try:
                    response = await self._transport.send(
                        method=request.method,
                        url=url,
                        path=request.path,
                        params=request.params,
                        headers=headers,
                        body=request.body,
                        timeouts=timeout,
                    )
                except APIConnectionError as exc:
                    error = exc
                    status: int | str = type(exc).__name__
                else:
                    status = response.status
                    if response.status < 400:
                        self._log(request, status, loop.time() - started, attempt)
                        return response
                    error = status_error(response)
            self._log(request, status, loop.time() - started, attempt)
            retry_after = error.retry_after if isinstance(error, RateLimitError) else None
            if isinstance(error, RateLimitError):
                self.stats.rate_limited += 1
                if self.rate_limiter is not None and not is_testing():
                    # The whole client waits, not only this request: its other tasks
                    # would hit the same limit.
                    self.rate_limiter.pause(
                        min(retry_after if retry_after is not None else 1.0, policy.retry_after_max)
                    )
            delay = retry_delay(policy, request.method, error, attempt, retry_after=retry_after)
            if delay is None:
                error.attempts = attempt
                raise error
            self.stats.retries += 1
            logger.info(
                "retrying %s %s in %.2f s after %s (attempt %d of %d)",
                request.method,
                request.path,
                delay,
                _describe(error),
                attempt,
                policy.max_attempts,
            )
            if not is_testing():
                await asyncio.sleep(delay)

    @staticmethod
    def _log(request: Request, status: int | str, duration: float, attempt: int) -> None:
        logger.debug(
            "%s %s -> %s in %.3f s (attempt %d)",
            request.method,
            request.path,
            status,
            duration,
            attempt,
        )


def _describe(error: SevenTimeError) -> str:
    if isinstance(error, APIStatusError):
        return f"HTTP {error.status}"
    return type(error).__name__
