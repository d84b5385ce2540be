"""The aiohttp application: routing, auth, rate limit, faults, latency and the handlers.

One catch-all route feeds :func:`_handle`, which runs every request through the same
steps: decide the fault, check the secret, count it against the rate limit, dispatch,
apply the fault, wait the latency, log, answer. Handlers return a :class:`Reply` (pure
data); only :func:`_send` touches the connection.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ._faults import Fault
from ._log import RequestRecord
from ._query import ApiError, page_meta, page_slice, parse_list_query
from ._state import SandboxState
from ._store import InvoiceStore
from ._wire import parse_form
from ._writes import new_invoice, require_id, updated_invoice, validate_fields

__all__ = ["SANDBOX_STATE", "Reply", "create_app", "resolve_route"]

#: Where an app made by ``build_app`` keeps its :class:`SandboxState`.
SANDBOX_STATE = web.AppKey("seventime_sandbox_state", SandboxState)

JSON_TYPE = "application/json"
_ROUTE = re.compile(rf"/api/(?P<version>[12])/{InvoiceStore.SEGMENT}(?:/(?P<id>[^/]+))?/?")
_NOT_FOUND_MESSAGE = "Supplier invoice not found"
_PROXY_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer to send: status, body and headers, or ``reset`` to drop the connection."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: Mapping[str, str] = field(default_factory=dict)
    reset: bool = False


def _json_reply(status: int, value: Any) -> Reply:
    return Reply(status, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def error_reply(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    """``{"errorMessage": message}`` with ``status``."""
    reply = _json_reply(status, {"errorMessage": message})
    return Reply(reply.status, reply.body, headers=dict(headers or {}))


def _too_many(wait: float, retry_after: bool) -> Reply:
    headers = {"Retry-After": str(max(1, math.ceil(wait)))} if retry_after else {}
    return error_reply(429, "Too many requests", headers)


def fault_reply(fault: Fault, retry_after: bool) -> Reply:
    """The answer a fault of kind 500, 503, 502_html, 504_html, reset or 429 gives."""
    kind = fault.kind
    if kind == "500":
        return error_reply(500, "Internal server error")
    if kind == "503":
        return error_reply(503, "Service temporarily unavailable")
    if kind in ("502_html", "504_html"):
        status, reason = (502, "Bad Gateway") if kind == "502_html" else (504, "Gateway Time-out")
        page = _PROXY_PAGE.format(status=status, reason=reason).encode()
        return Reply(status, page, content_type="text/html")
    if kind == "reset":
        return Reply(0, reset=True)
    if kind == "429":
        return _too_many(1.0, retry_after)
    raise ValueError(f"fault {kind!r} does not replace the answer")


def truncate(reply: Reply) -> Reply:
    """The same answer with its body cut in the middle (status and type unchanged)."""
    return Reply(
        reply.status, reply.body[: len(reply.body) // 2], reply.content_type, reply.headers
    )


# -- routing --------------------------------------------------------------------------------

Handler = Callable[[SandboxState, web.Request, str | None], Awaitable[Reply]]


def resolve_route(method: str, path: str) -> tuple[str, str | None] | None:
    """``(operation, invoice id)`` for a method and path, or ``None`` if there is no route.

    Operations: ``list``, ``get``, ``create_v1``, ``create_v2``, ``update``, ``delete``.
    """
    match = _ROUTE.fullmatch(path)
    if match is None:
        return None
    version, invoice_id = match["version"], match["id"]
    if invoice_id is not None:
        return ("get", invoice_id) if version == "2" and method == "GET" else None
    operations = (
        {"GET": "list", "POST": "create_v2", "PUT": "update", "DELETE": "delete"}
        if version == "2"
        else {"POST": "create_v1"}
    )
    operation = operations.get(method)
    return (operation, None) if operation is not None else None


# -- handlers -------------------------------------------------------------------------------


async def _list(state: SandboxState, request: web.Request, _: str | None) -> Reply:
    query = parse_list_query(request.query.items())
    store = state.store
    rows = store.select(query)
    meta = store.encode(page_meta(len(rows), query.limit, query.page))
    records = b",".join(store.body(row) for row in rows[page_slice(query.limit, query.page)])
    return Reply(200, b'{"meta":' + meta + b',"data":[' + records + b"]}")


async def _get(state: SandboxState, _: web.Request, invoice_id: str | None) -> Reply:
    row = state.store.row(invoice_id or "")
    if row is None:
        raise ApiError(404, _NOT_FOUND_MESSAGE)
    return Reply(200, b'{"data":' + state.store.body(row) + b"}")


async def _json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != JSON_TYPE:
        raise ApiError(400, "Content-Type must be application/json")
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Invalid JSON in request body") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return body


async def _form_body(request: web.Request) -> dict[str, Any]:
    if request.content_type == JSON_TYPE:
        return await _json_body(request)
    raw = await request.read()
    try:
        return parse_form(raw.decode())
    except UnicodeDecodeError:
        raise ApiError(400, "Request body is not valid UTF-8") from None


def _create(state: SandboxState, body: Mapping[str, Any]) -> Reply:
    fields = validate_fields(body, creating=True)
    stored, response = new_invoice(fields, state._write_context())
    state.store.put(stored)
    return _json_reply(200, response)


async def _create_v1(state: SandboxState, request: web.Request, _: str | None) -> Reply:
    return _create(state, await _form_body(request))


async def _create_v2(state: SandboxState, request: web.Request, _: str | None) -> Reply:
    return _create(state, await _json_body(request))


async def _update(state: SandboxState, request: web.Request, _: str | None) -> Reply:
    body = await _json_body(request)
    invoice_id = require_id(body, "_id")
    user = require_id(body, "modifiedByUser")
    row = state.store.row(invoice_id)
    if row is None:
        raise ApiError(404, _NOT_FOUND_MESSAGE)
    fields = validate_fields(body, creating=False)
    doc = updated_invoice(state.store.document(row), fields, user, state._write_context())
    state.store.put(doc)
    return _json_reply(200, doc)


async def _delete(state: SandboxState, request: web.Request, _: str | None) -> Reply:
    body = await _json_body(request)
    invoice_id = require_id(body, "_id")
    require_id(body, "deletedByUser")
    row = state.store.row(invoice_id)
    if row is None:
        raise ApiError(404, _NOT_FOUND_MESSAGE)
    number = state.store.document(row).get("supplierInvoiceNumber")
    state.store.remove(invoice_id)
    return _json_reply(200, {"_id": invoice_id, "supplierInvoiceNumber": number})


_HANDLERS: dict[str, Handler] = {
    "list": _list,
    "get": _get,
    "create_v1": _create_v1,
    "create_v2": _create_v2,
    "update": _update,
    "delete": _delete,
}


async def _dispatch(state: SandboxState, request: web.Request) -> Reply:
    route = resolve_route(request.method, request.path)
    try:
        if route is not None:
            operation, invoice_id = route
            return await _HANDLERS[operation](state, request, invoice_id)
        found = state.collections.route(request.method, request.path)
        if found is None:
            return error_reply(404, f"Cannot {request.method} {request.path}")
        body = await _json_body(request) if request.method != "GET" else None
        return _json_reply(200, state.collections.handle(*found, dict(request.query), body))
    except ApiError as error:
        return error_reply(error.status, error.message)


# -- the pipeline ---------------------------------------------------------------------------


async def _process(
    state: SandboxState, request: web.Request, key: str | None, fault: Fault | None, now: float
) -> Reply:
    config = state.config
    if fault is not None and not fault.processes_request:
        return fault_reply(fault, config.retry_after)
    if key is None:
        return error_reply(401, "Unauthorized: missing or invalid Client-Secret")
    if config.rate_limit:
        wait = state.limiter.acquire(key, now)
        if wait is not None:
            return _too_many(wait, config.retry_after)
    if fault is not None and fault.kind == "slow":
        await asyncio.sleep(config.slow_seconds)
    reply = await _dispatch(state, request)
    if fault is not None and fault.when == "after":
        return fault_reply(fault, config.retry_after)
    if fault is not None and fault.kind == "truncated":
        return truncate(reply)
    return reply


async def _handle(request: web.Request) -> web.StreamResponse:
    state = request.app[SANDBOX_STATE]
    arrival = time.monotonic()
    seq = state.next_seq()
    fault = state.faults.next_fault(request.method)
    key = state.key_for(request.headers.get("Client-Secret"))
    reply = await _process(state, request, key, fault, arrival)
    # Recorded before the latency: a request whose client gives up meanwhile still
    # arrived, and counted against the rate limit, as it does at the real API.
    state.record(
        RequestRecord(
            seq=seq,
            time=arrival,
            method=request.method,
            path=request.path,
            query=dict(request.query),
            key=key,
            status=None if reply.reset else reply.status,
            fault=str(fault) if fault is not None else None,
        )
    )
    if state.config.latency > 0:
        await asyncio.sleep(state.config.latency)
    return _send(request, reply)


def _send(request: web.Request, reply: Reply) -> web.StreamResponse:
    if reply.reset:
        # Close the socket without a byte of answer; aiohttp then fails to write the
        # placeholder response below and, finding the transport gone, drops it quietly.
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)
    return web.Response(
        status=reply.status,
        body=reply.body,
        content_type=reply.content_type,
        charset="utf-8",
        headers=reply.headers,
    )


def create_app(state: SandboxState) -> web.Application:
    """An aiohttp application serving the sandbox ``state`` (kept in ``app[SANDBOX_STATE]``)."""
    app = web.Application(client_max_size=16 * 1024**2)
    app[SANDBOX_STATE] = state
    app.router.add_route("*", "/{tail:.*}", _handle)
    return app
