"""When to send a request again, and how long to wait first. Pure decisions, no I/O.

Retried: connection errors, timeouts, 429, 500, 502, 503 and 504, but only where sending
again is safe. GET, PUT and DELETE are idempotent and always retried; a POST (create) is
retried only on a 429 or when the connection failed before the request was sent, because
a create repeated after a 5xx or a timeout may make a second invoice.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import attrs

from ._exceptions import APIConnectionError, APIStatusError, SevenTimeError

__all__ = ["RetryPolicy", "is_testing", "retry_delay", "set_testing"]

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})

_testing = False


def set_testing(testing: bool) -> None:
    """Switch backoff waits off (True) or on (False) for every client in the process.

    With testing on, retries still happen and are counted, but at once: no backoff sleep
    and no Retry-After pause. Meant for test suites, like ``stamina.set_testing``.
    """
    global _testing
    _testing = testing


def is_testing() -> bool:
    """Whether :func:`set_testing` switched backoff waits off."""
    return _testing


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and jitter.

    ``max_attempts`` counts the first try (1 turns retries off). The n-th retry waits a
    random time between half and all of ``min(backoff_max, backoff_initial * 2**(n-1))``;
    a server's ``Retry-After`` is used instead when it is longer, up to
    ``retry_after_max`` seconds: past that the error is raised at once, with the value.
    """

    max_attempts: int = attrs.field(default=4)
    backoff_initial: float = attrs.field(default=0.5, validator=_positive)
    backoff_max: float = attrs.field(default=8.0, validator=_positive)
    retry_after_max: float = attrs.field(default=60.0, validator=_positive)

    @max_attempts.validator
    def _check_attempts(self, _: attrs.Attribute[int], value: int) -> None:
        if value < 1:
            raise ValueError("max_attempts must be at least 1")

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_attempts=1)

    def backoff(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number ``retry_number`` (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0 ** (retry_number - 1))
        return ceiling * (0.5 + 0.5 * rand())


def is_retryable(method: str, error: SevenTimeError) -> bool:
    """Whether ``error`` may be answered by sending the same ``method`` again."""
    if isinstance(error, APIStatusError):
        if error.status not in RETRIED_STATUSES:
            return False
        return method != "POST" or error.status == 429
    if isinstance(error, APIConnectionError):
        return method != "POST" or not error.request_sent
    return False


def retry_delay(
    policy: RetryPolicy,
    method: str,
    error: SevenTimeError,
    attempt: int,
    *,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before the next attempt, or None to raise ``error`` now.

    ``attempt`` is the number of the attempt that just failed (1-based).
    """
    if attempt >= policy.max_attempts or not is_retryable(method, error):
        return None
    if retry_after is not None and retry_after > policy.retry_after_max:
        return None
    delay = policy.backoff(attempt, rand)
    return max(delay, retry_after) if retry_after is not None else delay
