"""A pytest plugin with a ``seventime_sandbox`` fixture.

Enable it in a ``conftest.py``::

    pytest_plugins = ["seventime_async.testing.pytest_plugin"]

and use it in async tests (pytest-asyncio)::

    async def test_export(seventime_sandbox):
        client = SevenTime(seventime_sandbox.client_secret, base_url=seventime_sandbox.url)
        ...

Options for one test go in a marker, with the keyword options of :class:`Sandbox`::

    @pytest.mark.seventime_sandbox(records=20, rate_limit=False)
    async def test_small(seventime_sandbox): ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ._server import Sandbox

try:  # pytest-asyncio's decorator also works in its strict mode
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # pragma: no cover - plain pytest with another async plugin
    _async_fixture = pytest.fixture  # type: ignore[assignment]

__all__ = ["seventime_sandbox"]

_MARKER = "seventime_sandbox"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``seventime_sandbox`` marker."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**options): keyword options of the seventime_sandbox fixture's Sandbox",
    )


@_async_fixture
async def seventime_sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """A running :class:`Sandbox` for one test, closed afterwards.

    Defaults are the sandbox's own (250 records, seed 0, the real rate limit); a
    ``@pytest.mark.seventime_sandbox(**options)`` marker changes them.
    """
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(_MARKER))):
        options.update(marker.kwargs)
    async with Sandbox(**options) as sandbox:
        yield sandbox
