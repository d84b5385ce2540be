"""``export <collection> --incremental --state FILE|redis://``: only what changed."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from seventime_async import SevenTime, cli
from seventime_async.testing import SandboxProcess

RECORDS = 40
SUMMARY = re.compile(r"exported (?P<records>\d+) (?P<noun>[a-z ]+) \(.*")


def _exported(stderr: str) -> int:
    match = SUMMARY.match(stderr.strip().splitlines()[-1])
    assert match is not None, stderr
    return int(match["records"])


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Any:
    with SandboxProcess(collection_records=RECORDS, rate_limit=False, quiet=True) as process:
        monkeypatch.setenv("SEVENTIME_BASE_URL", process.url)
        monkeypatch.setenv("SEVENTIME_CLIENT_SECRET", process.client_secret)
        yield process


def _touch_one_time_log(server: SandboxProcess) -> str:
    async def touch() -> str:
        async with SevenTime(server.client_secret, base_url=server.url) as st:
            record = (await st.time_logs.list(max_items=1).collect())[0]
            await st.time_logs.update(record.id, modified_by_user="u1", user="u1")
            return record.id

    return asyncio.run(touch())


def _export(tmp_path: Path, state: str, name: str, *more: str) -> tuple[int, Path]:
    out = tmp_path / name
    code = cli.main(
        ["export", "time-logs", "--incremental", "--state", state, "--out", str(out), *more]
    )
    return code, out


def test_a_second_run_exports_only_what_changed(
    server: SandboxProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = str(tmp_path / "state.json")
    assert _export(tmp_path, state, "1.jsonl")[0] == 0
    first = capsys.readouterr().err
    assert _exported(first) == RECORDS
    assert "changed since the beginning" in first
    code, out = _export(tmp_path, state, "2.jsonl")
    assert code == 0
    assert _exported(capsys.readouterr().err) == 0
    assert out.read_text() == ""
    changed = _touch_one_time_log(server)
    code, out = _export(tmp_path, state, "3.jsonl", "--overlap", "60")
    assert code == 0
    assert _exported(capsys.readouterr().err) == 1
    assert [json.loads(line)["_id"] for line in out.read_text().splitlines()] == [changed]


def test_the_state_can_live_in_redis(
    server: SandboxProcess,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    redis_server: Any,
) -> None:
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()
    assert _export(tmp_path, redis_server.url, "1.jsonl")[0] == 0
    assert _exported(capsys.readouterr().err) == RECORDS
    assert _export(tmp_path, redis_server.url, "2.jsonl")[0] == 0
    assert _exported(capsys.readouterr().err) == 0


def test_a_list_without_last_modified_is_exported_whole(
    server: SandboxProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = str(tmp_path / "state.json")
    for _ in range(2):
        code = cli.main(["export", "invoices", "--incremental", "--state", state])
        assert code == 0
        err = capsys.readouterr().err
        assert "no lastModified" in err
        assert _exported(err) == RECORDS
    assert not Path(state).exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--incremental"], "--incremental needs --state"),
        (["--state", "s.json"], "--state and --overlap go with --incremental"),
        (["--incremental", "--state", "s.json", "--max-items", "3"], "no --resume or --max-items"),
    ],
)
def test_flag_clashes_are_usage_errors(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["export", "time-logs", "--sandbox", *flags]) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err
