"""Shared fixtures: an aioresponses mock that works with every aiohttp we support."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import ClientResponse
from aioresponses import aioresponses
from aioresponses import core as aioresponses_core

from seventime_async.testing import set_testing

pytest_plugins = ["seventime_async.testing.pytest_plugin"]

SECRET = "test-secret-9f8e7d"
BASE = "https://api.test"


class _SentRequestWriter:
    """Stands in for the request writer of a response whose request was already sent."""

    output_size = 0


# aioresponses 0.7.9 (the latest) builds ClientResponse without the `stream_writer`
# argument that aiohttp 3.14 made required (aioresponses issue #289, fix not released).
# aiohttp 3.14 carries a security fix, so we keep it and hand aioresponses a response
# class that supplies the argument (as the default of aioresponses' response builder);
# with older aiohttp it changes nothing.
_NEEDS_STREAM_WRITER = "stream_writer" in inspect.signature(ClientResponse.__init__).parameters


class CompatClientResponse(ClientResponse):
    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        if _NEEDS_STREAM_WRITER:
            kwargs.setdefault("stream_writer", _SentRequestWriter())
        super().__init__(method, url, **kwargs)


@pytest.fixture
def mock_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[aioresponses]:
    """aioresponses, with the response class above as its default."""
    monkeypatch.setattr(aioresponses_core, "ClientResponse", CompatClientResponse)
    with aioresponses() as mocked:
        yield mocked


@pytest.fixture(autouse=True)
def _no_backoff_waits() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Any]:
    """A real Redis-protocol server for the session (started on first use, stopped by pid)."""
    from tests.redis_server import RedisServer

    with RedisServer() as server:
        yield server
