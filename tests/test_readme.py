"""Every Python block of README.md runs as written, against the sandbox.

Plain blocks run as scripts in a subprocess whose environment points
``SEVENTIME_BASE_URL`` and ``SEVENTIME_CLIENT_SECRET`` at a sandbox in its own process;
the conftest and test-module blocks run under pytest, as a user would put them.
The table of collections must match the registry.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seventime_async.testing import SandboxProcess
from tests.readme_blocks import README, collections_table, python_blocks, table_in

TEXT = README.read_text("utf-8")
BLOCKS = python_blocks(TEXT)
SCRIPTS = [(code, line) for kind, code, line in BLOCKS if kind == "script"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess(records=40, collection_records=12, rate_limit=False, quiet=True) as sb:
        yield sb


def _env(sandbox: SandboxProcess, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEVENTIME_")}
    env.update(SEVENTIME_BASE_URL=sandbox.url, SEVENTIME_CLIENT_SECRET=sandbox.client_secret)
    if redis_url is not None:
        env.update(SEVENTIME_REDIS_URL=redis_url)
    return env


def test_the_readme_has_the_blocks_this_file_knows() -> None:
    kinds = [kind for kind, _, _ in BLOCKS]
    assert kinds.count("conftest") == kinds.count("pytest") == 1
    assert kinds.count("workers-plan") == kinds.count("workers-run") == 1
    assert len(SCRIPTS) >= 5
    assert set(kinds) == {"script", "conftest", "pytest", "workers-plan", "workers-run"}


@pytest.mark.parametrize(("code", "line"), SCRIPTS, ids=[f"line-{line}" for _, line in SCRIPTS])
def test_a_python_block_runs_as_written(
    code: str, line: int, sandbox: SandboxProcess, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    script = tmp_path / f"readme_{line}.py"
    script.write_text(code, "utf-8")
    # A block about Redis gets a real server (started once for the session).
    redis_url = request.getfixturevalue("redis_server").url if "REDIS" in code else None
    result = subprocess.run(
        [sys.executable, str(script)],
        env=_env(sandbox, redis_url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"README.md line {line}:\n{result.stderr}"
    assert "Traceback" not in result.stderr


def test_the_many_workers_recipe_runs_as_written(
    sandbox: SandboxProcess, redis_server: Any, tmp_path: Path
) -> None:
    """plan.py, then one worker.py per piece, all at once, as the README's shell line."""
    (plan,) = [code for kind, code, _ in BLOCKS if kind == "workers-plan"]
    (worker,) = [code for kind, code, _ in BLOCKS if kind == "workers-run"]
    (tmp_path / "plan.py").write_text(plan, "utf-8")
    (tmp_path / "worker.py").write_text(worker, "utf-8")
    env = _env(sandbox, redis_server.url)
    planned = subprocess.run(
        [sys.executable, "plan.py"], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    pieces = sorted(tmp_path.glob("piece-*.json"))
    assert planned.stdout.strip() == f"{len(pieces)} pieces"
    assert len(pieces) > 1
    planned_pieces = [piece.read_text() for piece in pieces]
    ids = _run_workers(pieces, env, tmp_path)
    assert len(ids) == len(set(ids)) == 12  # the sandbox's time logs, each once
    # Each worker kept the rest of its piece in its file: the rest of a finished piece.
    assert [piece.read_text() for piece in pieces] != planned_pieces
    assert _run_workers(pieces, env, tmp_path) == []


def _run_workers(pieces: list[Path], env: dict[str, str], folder: Path) -> list[str]:
    """``python worker.py piece-N.json`` for every piece at once; the ids they print."""
    workers = [
        subprocess.Popen(
            [sys.executable, "worker.py", piece.name],
            env=env,
            cwd=folder,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for piece in pieces
    ]
    ids = []
    for process in workers:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        ids += [line.split()[0] for line in out.splitlines()]
    return ids


def test_the_pytest_example_passes_under_pytest(tmp_path: Path) -> None:
    (code_conftest,) = [code for kind, code, _ in BLOCKS if kind == "conftest"]
    (code_test,) = [code for kind, code, _ in BLOCKS if kind == "pytest"]
    (tmp_path / "conftest.py").write_text(code_conftest, "utf-8")
    (tmp_path / "test_my_sync.py").write_text(code_test, "utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", "utf-8")  # pytest-asyncio defaults
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_table_of_collections_is_the_registry() -> None:
    assert table_in(TEXT) == collections_table()
