"""The request log: one frozen record per answered request, and window arithmetic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["RequestRecord", "max_in_window"]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the sandbox answered (or dropped).

    ``time`` is ``time.monotonic()`` at arrival. ``key`` is the label of the client
    secret that matched (``"key0"`` for ``client_secret``, ``"key1"``... for
    ``extra_secrets``) or ``None`` when the header was missing or wrong; the secret itself
    is never stored. ``status`` is ``None`` when the connection was dropped. ``fault`` is
    the injected fault (``"500"``, ``"reset_after"``, ...) or ``None``.
    """

    seq: int
    time: float
    method: str
    path: str
    query: Mapping[str, str]
    key: str | None
    status: int | None
    fault: str | None

    @property
    def authorized(self) -> bool:
        """True when the request carried a valid client secret."""
        return self.key is not None


def max_in_window(times: Iterable[float], seconds: float) -> int:
    """The most times that fall within any window ``(t - seconds, t]``."""
    ordered = sorted(times)
    best = start = 0
    for end, now in enumerate(ordered):
        while ordered[start] <= now - seconds:
            start += 1
        best = max(best, end - start + 1)
    return best
