"""Running the sandbox in a child process: :class:`SandboxProcess`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Self, Unpack

from ._cli import argv_for
from ._state import SandboxOptions, make_config

__all__ = ["SandboxProcess"]

# The directory that holds the seventime_async package, so the child can import it.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class SandboxProcess:
    """A sandbox server in its own process (``python -m seventime_async.testing``).

    For benchmarks where client and server must not share an event loop or a CPU::

        with SandboxProcess(records=20_000, latency=0.3) as server:
            run_client(server.url, server.client_secret)

    It is a context manager both plain and ``async`` (the async form runs the blocking
    start and stop in a thread). Starting waits for the child's JSON line; stopping sends
    SIGTERM, waits ``stop_timeout`` seconds, then kills; ``request_log`` names a file the
    child fills, as it stops, with every request it saw (arrival time, key, status).
    Keyword options are those of :class:`Sandbox`; the child's stderr goes to this
    process's stderr unless ``quiet``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_log: bool = False,
        request_log: str | None = None,
        quiet: bool = False,
        startup_timeout: float = 60.0,
        stop_timeout: float = 10.0,
        python: str = sys.executable,
        **options: Unpack[SandboxOptions],
    ) -> None:
        make_config(options)  # fail here, not in the child, on a bad option
        self.argv = [
            python,
            "-m",
            "seventime_async.testing",
            *argv_for(
                {
                    "host": host,
                    "port": port,
                    "access_log": access_log,
                    "request_log": request_log,
                    **options,
                }
            ),
        ]
        self._quiet = quiet
        self._startup_timeout = startup_timeout
        self._stop_timeout = stop_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._url: str | None = None
        self._client_secret: str | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running child."""
        if self._url is None:
            raise RuntimeError("the sandbox process is not running")
        return self._url

    @property
    def client_secret(self) -> str:
        """The ``Client-Secret`` the child accepts."""
        if self._client_secret is None:
            raise RuntimeError("the sandbox process is not running")
        return self._client_secret

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child and wait until it listens (idempotent)."""
        if self._process is not None:
            return
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            path for path in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if path
        )
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL if self._quiet else None,
            env=env,
        )
        self._process = process
        try:
            assert process.stdout is not None
            line = _read_line(process.stdout, self._startup_timeout)
            if not line:
                raise RuntimeError(
                    f"the sandbox process exited with code {process.wait()} before listening"
                )
            ready = json.loads(line)
            self._url, self._client_secret = ready["url"], ready["client_secret"]
        except BaseException:
            self.stop()
            raise

    def stop(self) -> int | None:
        """Stop the child (SIGTERM, then kill); its exit code, or ``None`` if not started."""
        process, self._process = self._process, None
        self._url = self._client_secret = None
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(self._stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return process.returncode

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)


def _read_line(stream: IO[bytes], timeout: float) -> bytes:
    """One line from ``stream``, or :class:`TimeoutError` after ``timeout`` seconds."""
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        raise TimeoutError(f"the sandbox process did not start listening within {timeout}s")
    return lines[0] if lines else b""
