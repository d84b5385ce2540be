"""The client secret, kept out of every repr, log line, exception and traceback frame.

:class:`Secret` holds it; only :meth:`RequestHeaders.for_wire` turns it back into text,
inside the expression that hands the headers to aiohttp, so no frame of the SDK's own
code holds the secret in a local variable (error trackers such as Sentry record those).
A server that echoes the secret back (``bad key <secret>``) is scrubbed by
:meth:`Secret.scrub` before its body becomes an error.
"""

from __future__ import annotations

import hashlib
import html
import json
import urllib.parse
from collections.abc import Iterator, Mapping

__all__ = ["REDACTED", "RequestHeaders", "Secret"]

REDACTED = "<redacted>"


class Secret:
    """Holds the client secret; its repr and str never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself (for the ``Client-Secret`` header only)."""
        return self._value

    def key_id(self) -> str:
        """A stable, one-way name for this key (32 hex digits of a SHA-256 of it): what a
        shared rate limiter's Redis key or a sync state is named by, never the secret."""
        digest = hashlib.sha256(b"seventime-async key id\x00" + self._value.encode())
        return digest.hexdigest()[:32]

    def _spellings(self) -> set[str]:
        value = self._value
        return {
            value,
            json.dumps(value)[1:-1],
            html.escape(value),
            urllib.parse.quote(value, safe=""),
            urllib.parse.quote_plus(value),
        }

    def scrub(self, body: bytes) -> bytes:
        """``body`` with every echo of the secret (as is, or JSON-, HTML- or
        URL-escaped) redacted."""
        redacted = REDACTED.encode()
        for form in self._spellings():
            body = body.replace(form.encode(), redacted)
        return body

    def scrub_text(self, text: str) -> str:
        """:meth:`scrub` for text (a response header's value)."""
        for form in self._spellings():
            text = text.replace(form, REDACTED)
        return text

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__


class RequestHeaders(Mapping[str, str]):
    """The headers of one request; the ``Client-Secret`` value shows as ``<redacted>``
    everywhere but in :meth:`for_wire`."""

    __slots__ = ("_plain", "_secret")

    def __init__(self, secret: Secret, plain: Mapping[str, str]) -> None:
        self._secret = secret
        self._plain = dict(plain)

    def for_wire(self) -> dict[str, str]:
        """The real headers, secret included: call it inside the call to aiohttp."""
        return {**self._plain, "Client-Secret": self._secret.reveal()}

    def __getitem__(self, name: str) -> str:
        if name.lower() == "client-secret":
            return REDACTED
        return self._plain[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._plain
        yield "Client-Secret"

    def __len__(self) -> int:
        return len(self._plain) + 1

    def __repr__(self) -> str:
        return f"RequestHeaders({dict(self)!r})"
