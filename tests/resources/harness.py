"""A recording fake sender for resource tests: no network, no event-loop tricks.

``FakeSend`` answers each request from a queue of JSON bodies (or one fixed body) and
records every request, so a test can check what would have been sent and what the
caller gets back. ``collection(spec, send)`` builds the facade the client exposes.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from seventime_async._decode import Response
from seventime_async._http import Request
from seventime_async._spec import ResourceSpec

EXAMPLES = Path(__file__).resolve().parents[2] / "seventime_async" / "testing" / "examples"


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


def examples_of(spec: ResourceSpec) -> list[dict[str, Any]]:
    """Every reference example whose documented request is on ``spec``'s collection."""
    segments = {spec.path, spec.get_path, spec.list.path if spec.list else None}
    for write in (spec.create, spec.update, spec.delete):
        if write is not None:
            segments.add(write.path)
    found = []
    for source in sorted(EXAMPLES.glob("*.json")):
        for entry in json.loads(source.read_text("utf-8")):
            request = entry.get("request") or ""
            parts = request.split(" ", 1)[-1].split("/")
            if len(parts) > 3 and parts[3] in segments:
                found.append({**entry, "file": source.name})
    return found


def records_in(body: Any) -> list[dict[str, Any]]:
    """The record objects of an example body: ``data`` (a list or one object) or itself."""
    data = body.get("data", body) if isinstance(body, dict) else body
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]
