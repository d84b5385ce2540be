"""``SevenTime``: the session object. Holds the settings and the sender; the collections
(``st.time_logs``, ...) are bound to it from the registry."""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import ssl
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import aiohttp

from ._converter import converter
from ._decode import Response
from ._exceptions import InvalidRequestError
from ._http import Request
from ._options import check_retry, check_timeout
from ._ratelimit import IdleOnly, KeyLimiter, Limiter, RateLimiter
from ._redis_limiter import REDIS_URL_ENV_VAR, RedisRateLimiter
from ._retry import RetryPolicy
from ._secret import Secret
from ._sender import CallSettings, ClientStats, Sender
from ._transport import AiohttpTransport, Timeouts, Transport
from .resources import Collections

__all__ = ["DEFAULT_BASE_URL", "ClientStats", "SevenTime"]

DEFAULT_BASE_URL = "https://app.seventime.se"
SECRET_ENV_VAR = "SEVENTIME_CLIENT_SECRET"  # noqa: S105 (a variable name, not a secret)
BASE_URL_ENV_VAR = "SEVENTIME_BASE_URL"
USER_AGENT = "seventime-async/0.1"
#: The largest answer read into memory: a 500-record page is ~1.3 MB.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

logger = logging.getLogger("seventime_async")
logger.addHandler(logging.NullHandler())


def _check_secret(value: str | None) -> Secret | InvalidRequestError:
    """The secret wrapped, or the error to raise. The error is returned, not raised, so
    that no traceback holds this frame, whose ``value`` is the secret in plain text."""
    if value is None:
        value = os.environ.get(SECRET_ENV_VAR)
    if not value:
        return InvalidRequestError(
            f"no client secret: pass client_secret= or set {SECRET_ENV_VAR} "
            "(Seven Time: Settings -> Integrations -> API)",
            field="client_secret",
        )
    if not isinstance(value, str):
        return InvalidRequestError("client_secret must be a string", field="client_secret")
    # CR/LF would let the secret inject headers; other control characters and
    # surrounding spaces are always a copy-paste accident. The secret is not echoed.
    if value != value.strip() or not value.isprintable() or not value.isascii():
        return InvalidRequestError(
            "client_secret contains spaces at its ends, control characters (CR/LF) or "
            "non-ASCII characters",
            field="client_secret",
        )
    return Secret(value)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str | None) -> str:
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL
    if not isinstance(base_url, str):
        raise InvalidRequestError("base_url must be a string", field="base_url")
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
    if parts.path not in ("", "/"):
        raise InvalidRequestError(
            f"base_url must be the server only ({parts.scheme}://{parts.netloc}), without a "
            f"path: the SDK adds /api/<version>/..., got path {parts.path!r}",
            field="base_url",
        )
    return base_url.rstrip("/")


class _Default:
    """``rate_limit``'s default: the API's 4/s, in Redis when ``SEVENTIME_REDIS_URL`` is set."""

    def __repr__(self) -> str:
        return "4.0"


DEFAULT_RATE_LIMIT: Any = _Default()


def _check_rate_limit(value: Any) -> Limiter | None:
    if value is DEFAULT_RATE_LIMIT:
        url = os.environ.get(REDIS_URL_ENV_VAR)
        if not url:
            return RateLimiter()
        try:
            return RedisRateLimiter(url)
        except (ImportError, ValueError) as exc:
            raise InvalidRequestError(f"{REDIS_URL_ENV_VAR}: {exc}", field="rate_limit") from None
    if value is None or value is False:
        return None
    if isinstance(value, RateLimiter | RedisRateLimiter):
        return value
    if callable(getattr(value, "for_key", None)) and callable(getattr(value, "aclose", None)):
        limiter: Limiter = value  # a limiter of your own (the Limiter protocol)
        return limiter
    if value is True:
        return RateLimiter()
    if isinstance(value, int | float) and math.isfinite(value) and value > 0:
        return RateLimiter(value)
    raise InvalidRequestError(
        "rate_limit must be requests per second (a finite number > 0), a RateLimiter, a "
        "RedisRateLimiter or another Limiter, "
        f"True (the API's 4/s) or None/False (no pacing), got {value!r}",
        field="rate_limit",
    )


def _check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(f"{name} must be a whole number >= 1", field=name)
    return value


class SevenTime(Collections):
    """An async session with the Seven Time API.

    Use it as ``async with SevenTime() as st:`` (or call ``await st.aclose()``). The
    secret comes from ``client_secret`` or the ``SEVENTIME_CLIENT_SECRET`` environment
    variable, the server from ``base_url`` or ``SEVENTIME_BASE_URL`` (default
    ``https://app.seventime.se``). One client is safe to share between any number of tasks
    of one event loop: they share its connection pool, its rate limiter (``rate_limit``
    requests per second, 4 as documented; None turns it off) and at most
    ``max_concurrency`` requests in flight. Clients of one key in one event loop can
    share a limiter: pass the same :class:`RateLimiter` as ``rate_limit`` to each. Processes
    and machines on one key share one through Redis: :class:`RedisRateLimiter`, or set
    ``SEVENTIME_REDIS_URL`` and leave ``rate_limit`` at its default.

    ``timeout`` (a :class:`Timeouts`, or seconds for a whole call) and ``retry`` (a
    :class:`RetryPolicy`, or a number of retries) are the defaults of every call; each
    method also takes them per call, and :meth:`with_options` makes a copy with others.
    ``session`` takes an ``aiohttp.ClientSession`` of your own, which the client uses but
    does not close (its own timeout then applies unless ``timeout`` is given);
    ``transport`` replaces the network altogether (tests:
    ``seventime_async.testing.MockTransport``). An answer larger than
    ``max_response_bytes`` is refused (:class:`ResponseTooLargeError`).
    """

    def __init__(
        self,
        client_secret: str | None = None,
        *,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: Timeouts | float | None = None,
        timeouts: Timeouts | float | None = None,
        retry: RetryPolicy | int | None = None,
        rate_limit: float | RateLimiter | RedisRateLimiter | bool | None = DEFAULT_RATE_LIMIT,
        max_concurrency: int = 8,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str | None = None,
        transport: Transport | None = None,
    ) -> None:
        secret = _check_secret(client_secret)
        del client_secret  # from here on, no frame of a set-up error holds it in plain text
        if isinstance(secret, InvalidRequestError):
            raise secret
        self.base_url = _check_base_url(base_url)
        _check_positive_int(max_concurrency, "max_concurrency")
        _check_positive_int(max_response_bytes, "max_response_bytes")
        if timeout is not None and timeouts is not None:
            raise InvalidRequestError(
                "pass timeout= or its older name timeouts=, not both", field="timeout"
            )
        given = timeout if timeout is not None else timeouts
        #: The default timeouts of every call (see :class:`Timeouts`).
        self.timeouts = check_timeout(given) if given is not None else Timeouts()
        # A session of the caller's keeps its own timeout unless the client was given one.
        self._session_timeouts = session is not None and given is None
        #: The default retry policy of every call.
        self.retry = check_retry(retry) if retry is not None else RetryPolicy()
        if transport is None:
            transport = AiohttpTransport(
                session=session,
                timeouts=self.timeouts,
                max_connections=max_concurrency,
                ssl_context=ssl_context,
            )
        limiter = _check_rate_limit(rate_limit)
        # A limiter the client made (from SEVENTIME_REDIS_URL) is the client's to close.
        self._own_limiter = limiter if rate_limit is DEFAULT_RATE_LIMIT else None
        self._sender = Sender(
            transport=transport,
            base_url=self.base_url,
            secret=secret,
            user_agent=user_agent or USER_AGENT,
            rate_limiter=limiter,
            max_concurrency=max_concurrency,
            max_response_bytes=max_response_bytes,
        )
        self._bind_collections(
            self._send, self.base_url, self._pace(), secret.key_id(), self._guesses_on_idle_slots()
        )
        # Build the (cached, process-wide) converter now, at set-up, rather than in the
        # middle of the first response: building it holds the event loop for ~10 ms.
        converter()

    def with_options(
        self,
        *,
        timeout: Timeouts | float | None = None,
        retry: RetryPolicy | int | None = None,
        max_retries: int | None = None,
    ) -> SevenTime:
        """A light copy with other defaults for its calls (``max_retries`` is ``retry``'s
        number form). It shares this client's connection pool, rate limiter, in-flight
        cap, stats and event loop: closing either closes both."""
        if retry is not None and max_retries is not None:
            raise InvalidRequestError("pass retry= or max_retries=, not both", field="retry")
        copy = object.__new__(SevenTime)
        copy.__dict__.update(self.__dict__)
        if timeout is not None:
            copy.timeouts = check_timeout(timeout)
            copy._session_timeouts = False
        chosen = retry if retry is not None else max_retries
        if chosen is not None:
            copy.retry = check_retry(chosen, "retry" if retry is not None else "max_retries")
        copy._bind_collections(
            copy._send,
            copy.base_url,
            copy._pace(),
            copy._sender.key_id,
            copy._guesses_on_idle_slots(),
        )
        return copy

    def _pace(self) -> float | None:
        limiter = self.rate_limiter
        return None if limiter is None else limiter.rate / limiter.period

    def _guesses_on_idle_slots(self) -> bool:
        limiter = self.rate_limiter
        # A limiter of your own without ``idle_slots`` is not asked for idle slots.
        return limiter is not None and bool(getattr(limiter, "idle_slots", False))

    @property
    def rate_limiter(self) -> KeyLimiter | None:
        """The limiter that paces this client (None: no pacing); with a
        :class:`RedisRateLimiter`, the shared schedule of this client's key."""
        return self._sender.rate_limiter

    @property
    def stats(self) -> ClientStats:
        """Requests sent, retries and 429s so far (shared with ``with_options`` copies)."""
        return self._sender.stats

    @property
    def closed(self) -> bool:
        """True once ``aclose()`` was called."""
        return self._sender.closed

    @property
    def _transport(self) -> Transport:
        return self._sender.transport

    def __repr__(self) -> str:
        sender = self.__dict__.get("_sender")  # absent while __init__ is refusing
        state = "closed" if sender is None or sender.closed else "open"
        where = self.__dict__.get("base_url", "(not set up)")
        return f"<SevenTime {where} client_secret=<redacted> {state}>"

    async def __aenter__(self) -> Self:
        self._sender.check_usable()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client (and its session, unless the caller passed one in)."""
        await self._sender.aclose()
        if self._own_limiter is not None:
            await self._own_limiter.aclose()

    async def _send(
        self,
        request: Request,
        *,
        timeout: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
        extra_query: tuple[tuple[str, str], ...] = (),
        idle: IdleOnly = False,
    ) -> Response:
        """Send ``request`` (limiter, retries, deadlines); returns a 2xx response.
        ``idle``: take only a limiter slot no other request wants (a speculative page;
        a callable: while it says so)."""
        settings = CallSettings(
            idle=idle,
            timeouts=timeout or self.timeouts,
            retry=retry or self.retry,
            session_timeouts=self._session_timeouts and timeout is None,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return await self._sender.send(request, settings)
