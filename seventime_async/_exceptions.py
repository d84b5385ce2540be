"""The exceptions of seventime_async.

Every exception the SDK raises on purpose derives from :class:`SevenTimeError`::

    SevenTimeError
    ├── InvalidRequestError (also ValueError) ... bad input, caught before anything is sent
    ├── ClientClosedError (also RuntimeError) ... the client was used after aclose()
    ├── EventLoopError (also RuntimeError) ...... the client was used from a second event loop
    ├── APIConnectionError ...................... the request did not get an HTTP answer
    │   └── APITimeoutError (also TimeoutError) . connect or total timeout
    ├── APIStatusError .......................... the server answered with an error status
    │   ├── BadRequestError ..................... 400
    │   ├── AuthenticationError ................. 401 (wrong or missing Client-Secret)
    │   ├── PermissionDeniedError ............... 403
    │   ├── NotFoundError ....................... 404
    │   ├── RateLimitError ...................... 429 (.retry_after)
    │   └── ServerError ......................... 5xx (500, 502, 503, 504, ...)
    └── UnexpectedResponseError ................. a body that is not the JSON we expect
        ├── PaginationError ..................... the server does not page as documented
        ├── RedirectError ....................... a 3xx answer (the base URL is wrong)
        └── ResponseTooLargeError ............... a body past ``max_response_bytes``

Messages name the method and the path of the request, never its headers, so the client
secret cannot end up in an exception; a body that echoes the secret is scrubbed before
it becomes an error. Errors raised after an answer keep it as ``exc.response``
(:class:`ErrorResponse`: status, headers and the first 64 KiB of the body).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "ERROR_BODY_BYTES",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ErrorResponse",
    "EventLoopError",
    "InvalidRequestError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ResponseTooLargeError",
    "ServerError",
    "SevenTimeError",
    "UnexpectedResponseError",
]

_EXCERPT_CHARS = 200
#: How much of an error response's body ``exc.response.body`` keeps.
ERROR_BODY_BYTES = 64 * 1024


class ErrorResponse:
    """The answer an error was raised for: ``status``, ``headers`` (lower-case names)
    and ``body``, the first :data:`ERROR_BODY_BYTES` of it (``truncated`` says whether
    there was more). Any echo of the client secret is already scrubbed."""

    __slots__ = ("body", "headers", "status", "truncated")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = dict(headers)
        self.body = body[:ERROR_BODY_BYTES]
        self.truncated = len(body) > ERROR_BODY_BYTES

    def text(self) -> str:
        """The kept body as text (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"<ErrorResponse HTTP {self.status}, {len(self.body)} bytes>"


def body_excerpt(body: bytes, limit: int = _EXCERPT_CHARS) -> str:
    """A short, printable excerpt of a response body for error messages."""
    text = body[: limit * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SevenTimeError(Exception):
    """Base class of every error raised by seventime_async.

    ``attempts`` is how many times the request was sent before this error was raised
    (0 when nothing was sent).
    """

    attempts: int = 0

    def __str__(self) -> str:
        message = super().__str__()
        if self.attempts > 1:
            return f"{message} (after {self.attempts} attempts)"
        return message


class InvalidRequestError(SevenTimeError, ValueError):
    """Bad input, found before anything was sent. ``field`` names the offending parameter."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ClientClosedError(SevenTimeError, RuntimeError):
    """The client was used after ``aclose()`` (or outside its ``async with`` block)."""


class EventLoopError(SevenTimeError, RuntimeError):
    """The client was used from an event loop other than the one it was first used in
    (its connection pool belongs to that loop): create one client per loop."""


class _RequestError(SevenTimeError):
    """An error tied to one request: carries its method and path (never headers)."""

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class APIConnectionError(_RequestError):
    """The request got no HTTP answer: DNS, refused or reset connection, TLS failure.

    ``request_sent`` is False when the failure happened before any byte of the request
    reached the network, which makes even a create safe to send again.
    """

    def __init__(self, message: str, *, method: str, path: str, request_sent: bool = True) -> None:
        super().__init__(message, method=method, path=path)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError, TimeoutError):
    """The connect or total timeout of a request ran out."""


class APIStatusError(_RequestError):
    """The server answered with an error status.

    ``status`` is the HTTP status, ``error_message`` the server's ``errorMessage`` when the
    body had one, ``body_excerpt`` a short excerpt of the body otherwise.
    """

    def __init__(
        self,
        *,
        status: int,
        method: str,
        path: str,
        error_message: str | None = None,
        body_excerpt: str = "",
        response: ErrorResponse | None = None,
    ) -> None:
        detail = error_message or body_excerpt or "no error message"
        super().__init__(f"{method} {path} -> HTTP {status}: {detail}", method=method, path=path)
        self.status = status
        self.error_message = error_message
        self.body_excerpt = body_excerpt
        self.response = response


class BadRequestError(APIStatusError):
    """HTTP 400: the server found the request invalid."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the Client-Secret is wrong or missing."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the resource is for administrators only."""


class NotFoundError(APIStatusError):
    """HTTP 404: the resource does not exist."""


class RateLimitError(APIStatusError):
    """HTTP 429: past the 4 requests/second limit. ``retry_after`` is in seconds, if sent."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int = 429,
        error_message: str | None = None,
        body_excerpt: str = "",
        retry_after: float | None = None,
        response: ErrorResponse | None = None,
    ) -> None:
        super().__init__(
            status=status,
            method=method,
            path=path,
            error_message=error_message,
            body_excerpt=body_excerpt,
            response=response,
        )
        self.retry_after = retry_after

    def __str__(self) -> str:
        message = super().__str__()
        if self.retry_after is not None:
            return f"{message} [Retry-After: {self.retry_after:g} s]"
        return message


class ServerError(APIStatusError):
    """HTTP 5xx: the server or a proxy in front of it failed."""


class UnexpectedResponseError(_RequestError):
    """The body is not the JSON we expect: HTML, truncated JSON, or the wrong shape.

    ``field`` is the path of the offending value in wire names (``$.data[3].totalAmount``)
    when one is known; ``body_excerpt`` a short excerpt of the body.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int = 200,
        field: str | None = None,
        body_excerpt: str = "",
        response: ErrorResponse | None = None,
    ) -> None:
        text = f"{method} {path} -> HTTP {status}: {message}"
        if body_excerpt:
            text = f"{text}; body starts: {body_excerpt!r}"
        super().__init__(text, method=method, path=path)
        self.status = status
        self.field = field
        self.body_excerpt = body_excerpt
        self.response = response


class PaginationError(UnexpectedResponseError):
    """The server does not page as documented (e.g. ``currentPage`` is not the page asked)."""


class RedirectError(UnexpectedResponseError):
    """A 3xx answer: the API never redirects, so the base URL (or a proxy) is wrong.
    ``location`` is where it pointed."""

    def __init__(
        self, *, method: str, path: str, status: int, location: str | None, **kwargs: object
    ) -> None:
        where = f" to {location}" if location else ""
        super().__init__(
            f"redirected{where}; the API does not redirect: check base_url",
            method=method,
            path=path,
            status=status,
            **kwargs,  # type: ignore[arg-type]
        )
        self.location = location


class ResponseTooLargeError(UnexpectedResponseError):
    """The body went past the client's ``max_response_bytes`` (``limit``); the rest of it
    was not read."""

    def __init__(self, *, method: str, path: str, status: int, limit: int) -> None:
        super().__init__(
            f"response body larger than max_response_bytes={limit}; not read further",
            method=method,
            path=path,
            status=status,
        )
        self.limit = limit


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The most specific :class:`APIStatusError` subclass for an HTTP status."""
    if status >= 500:
        return ServerError
    return _STATUS_ERRORS.get(status, APIStatusError)
