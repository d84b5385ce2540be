"""A transport that answers from a function: test code that uses the SDK without a
server and without patching aiohttp (like httpx's ``MockTransport``)."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import attrs

from .._decode import Response
from .._secret import RequestHeaders

__all__ = ["MockRequest", "MockResponse", "MockTransport"]


@attrs.frozen(slots=True)
class MockRequest:
    """What the client sent: method, path, query pairs, headers (``Client-Secret``
    shows as ``<redacted>``), the body, and the per-attempt timeout it carried."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    body: bytes | bytearray | None
    timeout: aiohttp.ClientTimeout | None

    def json(self) -> Any:
        """The body, parsed as JSON."""
        return json.loads(self.body or b"null")


@attrs.frozen(slots=True, kw_only=True)
class MockResponse:
    """An answer: ``json`` (encoded for you) or raw ``body`` bytes, status and headers."""

    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)


Handler = Callable[[MockRequest], "MockResponse | Awaitable[MockResponse]"]


class MockTransport:
    """``SevenTime(secret, transport=MockTransport(handler))``: every request goes to
    ``handler(request)`` (plain or async), which returns a :class:`MockResponse` or
    raises (an ``APIConnectionError`` to play a network failure). ``requests`` lists
    what was sent, in order."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[MockRequest] = []
        self.closed = False

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
        """Record the request and answer it from the handler (the request leaves as the
        handler is called)."""
        request = MockRequest(method, path, params, headers, body, timeout)
        self.requests.append(request)
        sent_at = asyncio.get_running_loop().time()
        if on_sent is not None:
            on_sent(sent_at)
        answer = self.handler(request)
        if inspect.isawaitable(answer):
            answer = await answer
        assert isinstance(answer, MockResponse), "the handler must return a MockResponse"
        payload = answer.body if answer.body is not None else json.dumps(answer.json).encode()
        headers_out = {k.lower(): v for k, v in answer.headers.items()}
        return Response(answer.status, headers_out, payload, method, path, sent_at=sent_at)

    async def aclose(self) -> None:
        """Nothing to release; remembers that it was closed."""
        self.closed = True
