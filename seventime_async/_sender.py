"""The send loop, below the resources: turn-taking, retries, deadlines, stats.

One :class:`Sender` per client (shared by its ``with_options`` copies): it takes a built
:class:`Request`, waits for a turn (the in-flight cap, then the rate limiter), sends it
through the transport, and retries what is safe to retry, within the call's deadline.
It hands back a 2xx :class:`Response` or raises a typed error; decoding is the caller's.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import attrs

from ._decode import Response, redirect_error, status_error
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    EventLoopError,
    InvalidRequestError,
    RateLimitError,
    SevenTimeError,
)
from ._http import Request
from ._ratelimit import IdleOnly, KeyLimiter, Limiter
from ._retry import RetryPolicy, is_testing, retry_delay
from ._secret import RequestHeaders, Secret
from ._transport import Timeouts, Transport

__all__ = ["ClientStats", "Sender"]

logger = logging.getLogger("seventime_async")


@attrs.define
class ClientStats:
    """Counters of one client, for summaries and monitoring."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


@attrs.frozen(kw_only=True)
class CallSettings:
    """How one call is sent: its timeouts and retry policy, and what the caller adds.

    ``session_timeouts`` leaves each attempt to the timeout of a session the caller
    passed in (the client was given no timeouts of its own).
    """

    timeouts: Timeouts
    retry: RetryPolicy
    session_timeouts: bool = False
    extra_headers: tuple[tuple[str, str], ...] = ()
    extra_query: tuple[tuple[str, str], ...] = ()
    #: A speculative request: its first attempt takes only a limiter slot nobody wants
    #: (while a callable says so: see ``IdleOnly``).
    idle: IdleOnly = False


class Sender:
    """Sends requests for one client; safe to share between the tasks of one event loop."""

    def __init__(
        self,
        *,
        transport: Transport,
        base_url: str,
        secret: Secret,
        user_agent: str,
        rate_limiter: Limiter | None,
        max_concurrency: int,
        max_response_bytes: int,
    ) -> None:
        self.transport = transport
        self.base_url = base_url
        # Bound to this key: a shared (Redis) limiter keeps one schedule per API key.
        self.rate_limiter: KeyLimiter | None = (
            None if rate_limiter is None else rate_limiter.for_key(secret.key_id())
        )
        self.max_response_bytes = max_response_bytes
        self.stats = ClientStats()
        self.closed = False
        self._secret = secret
        #: A one-way id of the key (names shared schedules and sync state).
        self.key_id = secret.key_id()
        self._user_agent = user_agent
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None

    def check_usable(self) -> None:
        """Raise if the client is closed or used from a second event loop."""
        if self.closed:
            raise ClientClosedError("this SevenTime client is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise EventLoopError(
                "a SevenTime client is bound to the event loop it was first used in; "
                "create one client per event loop"
            )

    async def aclose(self) -> None:
        """Close the transport; every later call raises :class:`ClientClosedError`."""
        self.closed = True
        await self.transport.aclose()

    def _headers(self, request: Request, extra: tuple[tuple[str, str], ...]) -> RequestHeaders:
        # The reference requires Content-Type: application/json on every v2 request,
        # GET included; v1 bodies are forms (``request.content_type`` says which).
        plain = {
            "Accept": "application/json",
            "Content-Type": request.content_type,
            "User-Agent": self._user_agent,
            **dict(extra),
        }
        return RequestHeaders(self._secret, plain)

    async def send(self, request: Request, settings: CallSettings) -> Response:
        """Send ``request`` with retries; returns a 2xx response or raises."""
        self.check_usable()
        loop = asyncio.get_running_loop()
        timeouts, policy = settings.timeouts, settings.retry
        deadline = None if timeouts.call is None else loop.time() + timeouts.call
        headers = self._headers(request, settings.extra_headers)
        clash = sorted({k for k, _ in settings.extra_query} & {k for k, _ in request.params})
        if clash:
            raise InvalidRequestError(
                f"extra_query: {clash[0]} is already a parameter of this request "
                "(pass it as the method's own argument)",
                field="extra_query",
            )
        params = request.params + settings.extra_query
        attempt = 0
        while True:
            attempt += 1
            error: SevenTimeError
            idle = settings.idle if attempt == 1 else False
            async with self._turn(request, timeouts, deadline, attempt, idle):
                started = loop.time()
                self.stats.requests += 1
                limiter = self.rate_limiter
                departed = None if limiter is None else functools.partial(limiter.departed, started)
                try:
                    response = await self.transport.send(
                        method=request.method,
                        url=self.base_url + request.path,
                        path=request.path,
                        params=params,
                        headers=headers,
                        body=request.body,
                        timeout=_attempt_timeout(settings, deadline, started),
                        max_bytes=self.max_response_bytes,
                        on_sent=departed,
                    )
                except APIConnectionError as exc:
                    error = exc
                    status: int | str = type(exc).__name__
                except SevenTimeError as exc:  # an answer refused as read (too large)
                    exc.attempts = attempt
                    raise
                else:
                    status = response.status
                    if self.rate_limiter is not None and response.status != 429:
                        # To the headers, not the end of the body: reading a large body
                        # while the loop decodes other pages would pass for jitter.
                        answered = response.answered_at
                        if answered is None:
                            answered = loop.time()
                        self.rate_limiter.observe(
                            answered - started,
                            _kind(request),
                            sent_at=started,
                            departed_at=response.sent_at,
                        )
                    if response.status < 300:
                        _log(request, status, loop.time() - started, attempt)
                        return response
                    response = attrs.evolve(
                        response,
                        body=self._secret.scrub(response.body),
                        headers={
                            name: self._secret.scrub_text(value)
                            for name, value in response.headers.items()
                        },
                    )
                    error = (
                        redirect_error(response)
                        if response.status < 400
                        else status_error(response)
                    )
            _log(request, status, loop.time() - started, attempt)
            retry_after = error.retry_after if isinstance(error, RateLimitError) else None
            if isinstance(error, RateLimitError):
                self.stats.rate_limited += 1
                if self.rate_limiter is not None and not is_testing():
                    # The whole client waits, not only this request: its other tasks
                    # would hit the same limit. The spacing widens too.
                    await self.rate_limiter.backoff(
                        min(retry_after if retry_after is not None else 1.0, policy.retry_after_max)
                    )
            delay = retry_delay(policy, request.method, error, attempt, retry_after=retry_after)
            if delay is not None and deadline is not None and loop.time() + delay >= deadline:
                delay = None  # a retry could not finish within Timeouts.call
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

    @asynccontextmanager
    async def _turn(
        self,
        request: Request,
        timeouts: Timeouts,
        deadline: float | None,
        attempt: int,
        idle: IdleOnly = False,
    ) -> AsyncIterator[None]:
        """Hold an in-flight slot and a rate-limiter grant for one attempt.

        The wait is capped by ``Timeouts.queue`` and by what is left of the call's
        deadline; past it, :class:`APITimeoutError` with ``request_sent=False``.
        """
        loop = asyncio.get_running_loop()
        caps = [timeouts.queue, None if deadline is None else deadline - loop.time()]
        wait = min((cap for cap in caps if cap is not None), default=None)
        began = loop.time()
        try:
            async with asyncio.timeout(wait):
                await self._in_flight.acquire()
                try:
                    if self.rate_limiter is not None:
                        await self.rate_limiter.acquire(idle_only=idle)
                    self.check_usable()
                except BaseException:
                    self._in_flight.release()
                    raise
        except TimeoutError:
            error = APITimeoutError(
                f"{request.method} {request.path}: no turn to send within "
                f"{loop.time() - began:.3g} s (Timeouts.queue / Timeouts.call); not sent",
                method=request.method,
                path=request.path,
                request_sent=False,
            )
            error.attempts = attempt - 1
            raise error from None
        try:
            yield
        finally:
            self._in_flight.release()


def _attempt_timeout(
    settings: CallSettings, deadline: float | None, now: float
) -> aiohttp.ClientTimeout | None:
    remaining = None if deadline is None else max(0.001, deadline - now)
    if settings.session_timeouts:
        return None if remaining is None else aiohttp.ClientTimeout(total=remaining)
    return settings.timeouts.to_aiohttp(remaining)


def _kind(request: Request) -> str:
    """What a round trip is compared with: the same method on the same collection
    (``GET /api/2/timeLogs/<id>`` is one kind, whatever the id)."""
    path = request.path if request.path.endswith("/") else request.path.rsplit("/", 1)[0] + "/"
    return f"{request.method} {path}"


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
