"""Many worker processes on one key, against a sandbox process that enforces 4 requests
per second per key (429 past it), sharing a rate limit on a real Redis server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from seventime_async import RedisRateLimiter, SevenTime
from seventime_async.testing import SandboxProcess
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[1]
RECORDS = 600
LIMIT = 50
WORKERS = 3


async def _plan(
    server: SandboxProcess, redis_url: str, folder: Path, limit: int = LIMIT
) -> tuple[list[str], list[Path]]:
    """Every id (the truth) and one shard file per worker."""
    async with (
        RedisRateLimiter(redis_url) as limiter,
        SevenTime(server.client_secret, base_url=server.url, rate_limit=limiter) as st,
    ):
        ids = [record.id async for record in st.supplier_invoices.list()]
        pieces = await st.supplier_invoices.list(limit=limit).shards(WORKERS)
    paths = []
    for piece in pieces:
        path = folder / f"shard-{piece.index}.json"
        path.write_text(json.dumps(piece.to_dict()))
        paths.append(path)
    return ids, paths


def _start(server: SandboxProcess, redis_url: str, shard: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SEVENTIME_CLIENT_SECRET": server.client_secret}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    argv = [
        sys.executable, "-m", "tests.sync_worker",
        "--base-url", server.url, "--shard", str(shard),
        "--out", str(shard.with_suffix(".ids")), "--redis-url", redis_url,
    ]  # fmt: skip
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)


def _finish(workers: list[subprocess.Popen[str]], shards: list[Path]) -> tuple[list[str], int]:
    """(every id the workers exported, their 429s)."""
    limited = 0
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        limited += json.loads(out.strip().splitlines()[-1])["rate_limited"]
    ids = [line for shard in shards for line in shard.with_suffix(".ids").read_text().split()]
    return ids, limited


@pytest.fixture
def sandbox() -> Any:
    with SandboxProcess(records=RECORDS, quiet=True) as server:
        yield server


def test_workers_on_one_key_share_the_limit_and_export_every_record_once(
    sandbox: SandboxProcess, redis_server: Any, tmp_path: Path
) -> None:
    redis.Redis.from_url(redis_server.url).flushdb()
    truth, shards = asyncio.run(_plan(sandbox, redis_server.url, tmp_path))
    workers = [_start(sandbox, redis_server.url, shard) for shard in shards]
    ids, limited = _finish(workers, shards)
    assert limited == 0  # the server never had to refuse a request
    assert sorted(ids) == sorted(truth)  # every record, once


def test_redis_stopped_mid_export_loses_nothing_and_brings_no_429_storm(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    with RedisServer() as server:
        # Pages of 15: about 40 requests, ten seconds at 4 per second, Redis away for 1.5.
        truth, shards = asyncio.run(_plan(sandbox, server.url, tmp_path, limit=15))
        workers = [_start(sandbox, server.url, shard) for shard in shards]
        # Wait until the workers are under way (each has written ids), then stop Redis.
        deadline = time.monotonic() + 60
        while not all(
            shard.with_suffix(".ids").exists() and shard.with_suffix(".ids").stat().st_size
            for shard in shards
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        server.stop()
        outage_began = time.monotonic()
        time.sleep(1.5)
        assert all(worker.poll() is None for worker in workers)  # waiting, not failing
        server.start()  # empty, on the same port: as after a restart
        outage = time.monotonic() - outage_began
        ids, limited = _finish(workers, shards)
    assert outage >= 1.5
    assert sorted(ids) == sorted(truth)  # nothing lost, nothing repeated
    assert limited <= 1  # no storm: the schedule restarted past every earlier grant
