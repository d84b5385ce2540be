"""A recording fake sender for resource tests: no network, no event-loop tricks.

``FakeSend`` answers each request from a queue of JSON bodies (or one fixed body) and
records every request, so a test can check what would have been sent and what the
caller gets back. ``collection(spec, send)`` builds the facade the client exposes.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from typing import Any

from seventime_async._decode import Response
from seventime_async._http import Request
from seventime_async._spec import ResourceSpec
from seventime_async.testing._examples import EXAMPLES, examples_of, records_in

__all__ = ["EMPTY_PAGE", "FakeSend", "collection", "example", "examples_of", "records_in"]


#: One empty page of a paged list (an unpaged list reads its ``data`` and ignores ``meta``).
EMPTY_PAGE = {"meta": {"totalResources": 0, "totalPages": 1, "currentPage": 1}, "data": []}


class FakeSend:
    """``await send(request, **options)`` -> a 200 response with the next queued body."""

    def __init__(self, bodies: Iterable[Any] = ()) -> None:
        self.bodies: deque[Any] = deque(bodies)
        self.requests: list[Request] = []
        self.options: list[dict[str, Any]] = []

    async def __call__(self, request: Request, **options: Any) -> Response:
        self.requests.append(request)
        self.options.append(options)
        body = self.bodies.popleft() if self.bodies else EMPTY_PAGE
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return Response(status=200, headers={}, body=raw, method=request.method, path=request.path)

    @property
    def last(self) -> Request:
        """The last request sent."""
        return self.requests[-1]

    def last_json(self) -> Any:
        """The last request's body, parsed."""
        assert self.last.body is not None
        return json.loads(self.last.body)


def collection(spec: ResourceSpec, send: FakeSend) -> Any:
    """The facade of ``spec`` as the client exposes it, over ``send``."""
    return spec.facade(spec, send)


def example(path: str) -> dict[str, Any]:
    """The repaired example responses of one collection (testing/examples/<path>.json)."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{path}.json").read_text("utf-8"))
    return data
