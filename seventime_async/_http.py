"""The request value every layer passes down: method, path, query and encoded body."""

from __future__ import annotations

import attrs

__all__ = ["FORM_CONTENT_TYPE", "JSON_CONTENT_TYPE", "Request"]

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@attrs.frozen(slots=True)
class Request:
    """One HTTP request, fully built: method, path, query parameters and encoded body."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    #: The encoded body; a ``bytearray`` where the SDK built a large one in place (an upload).
    body: bytes | bytearray | None = None
    content_type: str = JSON_CONTENT_TYPE

    @property
    def idempotent(self) -> bool:
        """True when sending the request twice has the effect of sending it once."""
        return self.method != "POST"
