"""``seventime-async export supplier-invoices``, end to end against the sandbox.

Subprocess tests run ``python -m seventime_async`` as a user would (signals, stdout versus
stderr, exit codes); in-process tests call ``main()`` for what needs a scripted sandbox
or counts toward coverage. Pages are few: the sandbox's rate limit makes each cost 0.25 s.
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import json
import os
import re
import runpy
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seventime_async import SevenTime, SupplierInvoice, SupplierInvoiceStatus, cli
from seventime_async.testing import DEFAULT_CLIENT_SECRET, Sandbox, SandboxProcess

EXPORT = ("export", "supplier-invoices")
COMMAND = f"{cli.PROG} export supplier-invoices"
CSV_COLUMNS = cli.csv_columns(SupplierInvoice)
SUMMARY = re.compile(
    r"exported (?P<records>\d+)(?: more)? supplier invoices \((?P<pages>\d+) pages?\) in "
    r"[\d.]+ s(?: \(\d+ in .+\))?; (?P<retries>\d+) retries, (?P<limited>\d+) rate-limited, "
    r"(?P<dropped>\d+) duplicates dropped"
    r"(?:, (?P<drift>[+-]\d+) records upstream since the checkpoint)?"
)
#: Keys the sandbox sends that the SDK's model does not know.
UNKNOWN_KEYS = {"customFieldValues", "__v"}


# -- helpers ------------------------------------------------------------------------------


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m seventime_async`` in a subprocess, without the secret in its env."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("SEVENTIME_")}
    child_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "seventime_async", *args],
        cwd=cwd,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEVENTIME_")}
    return subprocess.Popen(
        [sys.executable, "-m", "seventime_async", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear within {timeout} s"
        time.sleep(0.01)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line, parse_float=Decimal) for line in lines]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def summary_of(stderr: str) -> re.Match[str]:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    match = SUMMARY.fullmatch(lines[0])
    assert match is not None, lines[0]
    return match


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEVENTIME_CLIENT_SECRET", raising=False)
    monkeypatch.delenv("SEVENTIME_BASE_URL", raising=False)


@pytest.fixture
def scripted_sandbox(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str | None]], None]:
    """Make the next ``--sandbox`` answer with the given fault script first."""
    scripts: list[list[str | None]] = []

    class ScriptedSandbox(Sandbox):
        async def start(self) -> None:
            await super().start()
            if scripts:
                self.faults.script(scripts.pop(0))

    monkeypatch.setattr("seventime_async.testing.Sandbox", ScriptedSandbox)
    return scripts.append


@pytest.fixture
def cancel_after_pages(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Cancel the export's task once ``n`` pages are committed, as SIGTERM does."""

    def arm(pages: int) -> None:
        original = cli.Output.commit
        done = 0

        def commit(self: cli.Output, *args: Any) -> None:
            nonlocal done
            original(self, *args)
            done += 1
            if done == pages:
                task = asyncio.current_task()
                assert task is not None
                task.cancel()

        monkeypatch.setattr(cli.Output, "commit", commit)

    return arm


# -- subprocess: the command as a user runs it --------------------------------------------


def test_jsonl_export_to_file(tmp_path: Path) -> None:
    out = tmp_path / "invoices.jsonl"
    result = run_cli(
        *EXPORT, "--sandbox", "--sandbox-records", "1200", "--limit", "500", "--out", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    summary = summary_of(result.stderr)
    assert (summary["records"], summary["pages"]) == ("1200", "3")
    records = read_jsonl(out)
    assert len(records) == 1200
    assert len({record["_id"] for record in records}) == 1200
    assert all(record.keys() >= UNKNOWN_KEYS for record in records)
    assert not (tmp_path / "invoices.jsonl.checkpoint.json").exists()
    assert DEFAULT_CLIENT_SECRET not in result.stderr


def test_stdout_has_only_data_and_stderr_only_the_summary(tmp_path: Path) -> None:
    result = run_cli(
        *EXPORT, "--sandbox", "--sandbox-records", "100", "--limit", "50", "--out", "-",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 100
    assert len({json.loads(line)["_id"] for line in lines}) == 100
    assert summary_of(result.stderr)["pages"] == "2"
    assert list(tmp_path.iterdir()) == []  # no checkpoint for stdout


def test_sigint_keeps_a_checkpoint_and_resume_writes_every_record_once(tmp_path: Path) -> None:
    out = tmp_path / "invoices.jsonl"
    checkpoint = tmp_path / "invoices.jsonl.checkpoint.json"
    process = start_cli(
        *EXPORT, "--sandbox", "--sandbox-records", "500", "--limit", "100", "--out", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    wait_for(checkpoint)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)

    assert process.returncode == 130, stderr
    message = stderr.strip()
    assert "Traceback" not in stderr
    assert re.fullmatch(r"interrupted after \d+ records \(\d+ pages?\); resume with: .+", message)
    state = json.loads(checkpoint.read_text())
    assert state["format"] == "jsonl"
    assert 1 <= state["checkpoint"]["pages_done"] < 5
    kept = out.read_bytes()
    assert kept.endswith(b"\n")  # complete lines only
    assert len(kept) >= state["output_bytes"]
    # A crash in the middle of a record leaves half a line: resume must drop it.
    with out.open("ab") as file:
        file.write(b'{"_id": "half a rec')

    hint = shlex.split(message.split("resume with: ", 1)[1])
    assert hint[:3] == ["seventime-async", "export", "supplier-invoices"]
    result = run_cli(*hint[1:], cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "more supplier invoices" in summary_of(result.stderr)[0]
    ids = [record["_id"] for record in read_jsonl(out)]
    assert len(ids) == 500
    assert len(set(ids)) == 500
    assert not checkpoint.exists()


def test_sigterm_stops_cleanly_like_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "invoices.csv"
    process = start_cli(
        *EXPORT, "--sandbox", "--sandbox-records", "300", "--limit", "100", "--format", "csv",
        "--out", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    wait_for(tmp_path / "invoices.csv.checkpoint.json")
    process.terminate()
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130, stderr
    assert stderr.startswith("interrupted after ")
    assert "resume with: " in stderr
    rows = read_csv(out)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)  # whole rows only


def test_unreachable_host_exits_1_with_one_line(tmp_path: Path) -> None:
    out = tmp_path / "invoices.jsonl"
    result = run_cli(
        *EXPORT, "--base-url", f"http://127.0.0.1:{free_port()}", "--retries", "0",
        "--out", str(out),
        cwd=tmp_path, env={"SEVENTIME_CLIENT_SECRET": "s3cret-value-123"},
    )  # fmt: skip
    assert result.returncode == 1
    line = assert_one_line_error(result.stderr)
    assert "connect" in line
    assert "s3cret-value-123" not in result.stderr
    assert not out.exists()  # nothing was exported: no empty file left behind


def test_api_key_from_env_and_a_wrong_key_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "a.jsonl"
    with SandboxProcess(records=10, quiet=True) as server:
        monkeypatch.setenv("SEVENTIME_BASE_URL", server.url)
        monkeypatch.setenv("SEVENTIME_CLIENT_SECRET", server.client_secret)
        assert cli.main([*EXPORT, "--out", str(out)]) == 0
        assert summary_of(capsys.readouterr().err)["records"] == "10"
        monkeypatch.setenv("SEVENTIME_CLIENT_SECRET", "wrong-key-456")
        assert cli.main([*EXPORT, "--base-url", server.url]) == 1
    captured = capsys.readouterr()
    line = assert_one_line_error(captured.err)
    assert "HTTP 401" in line
    assert "wrong-key-456" not in captured.err
    assert captured.out == ""
    assert len(read_jsonl(out)) == 10


def test_no_secret_and_no_sandbox_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(*EXPORT, cwd=tmp_path)
    assert result.returncode == 2
    line = assert_one_line_error(result.stderr)
    assert "SEVENTIME_CLIENT_SECRET" in line
    assert "--sandbox" in line


# -- in process ---------------------------------------------------------------------------


def test_csv_export_flattens_every_field_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = ["--sandbox", "--sandbox-records", "120"]
    jsonl, table = tmp_path / "a.jsonl", tmp_path / "a.csv"
    assert cli.main([*EXPORT, *source, "--out", str(jsonl)]) == 0
    assert cli.main([*EXPORT, *source, "--format", "csv", "--out", str(table)]) == 0
    assert summary_of(capsys.readouterr().err.splitlines()[-1])["records"] == "120"

    header, *rows = read_csv(table)
    assert tuple(header) == CSV_COLUMNS
    assert header[0] == "_id"
    assert header[-1] == "extra"
    assert len(rows) == 120
    for row, record in zip(rows, read_jsonl(jsonl), strict=True):
        assert len(row) == len(header)
        cells = dict(zip(header, row, strict=True))
        assert json.loads(cells.pop("extra"), parse_float=Decimal) == {
            key: value for key, value in record.items() if key not in header
        }
        for column, cell in cells.items():
            assert_cell(cell, record[column])


def assert_cell(cell: str, value: Any) -> None:
    """A CSV cell holds the same value as the JSONL record."""
    if value is None:
        assert cell == ""
    elif isinstance(value, bool):
        assert cell == ("true" if value else "false")
    elif isinstance(value, list | dict):
        assert json.loads(cell, parse_float=Decimal) == value
        assert '", "' not in cell  # compact
        assert '": ' not in cell
    elif isinstance(value, int | Decimal):
        assert Decimal(cell) == value
    else:
        assert cell == value


def test_csv_header_is_the_same_without_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "none.csv"
    args = [*EXPORT, "--sandbox", "--sandbox-records", "0", "--format", "csv"]
    assert cli.main([*args, "--out", str(table)]) == 0
    assert read_csv(table) == [list(CSV_COLUMNS)]
    assert summary_of(capsys.readouterr().err)["records"] == "0"


def test_interrupted_csv_export_resumes_without_a_second_header(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cancel_after_pages: Callable[[int], None],
) -> None:
    table = tmp_path / "a.csv"
    checkpoint = tmp_path / "a.csv.checkpoint.json"
    source = ["--sandbox", "--sandbox-records", "150", "--limit", "50"]
    cancel_after_pages(1)
    assert cli.main([*EXPORT, *source, "--format", "csv", "--out", str(table)]) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted after 50 records (1 page); resume with: ")
    assert f"--resume {checkpoint}" in err
    assert len(read_csv(table)) == 1 + 50

    resume = ["--sandbox", "--sandbox-records", "150", "--resume", str(checkpoint)]
    assert cli.main([*EXPORT, *resume, "--out", str(table)]) == 0
    summary = summary_of(capsys.readouterr().err)
    assert (summary["records"], summary["pages"]) == ("100", "2")
    header, *rows = read_csv(table)
    assert tuple(header) == CSV_COLUMNS
    assert len({row[0] for row in rows}) == len(rows) == 150
    assert not checkpoint.exists()


def test_interrupted_before_any_page_has_nothing_to_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = cli.Exporter.write

    def write(self: cli.Exporter, record: Any) -> None:
        original(self, record)
        task = asyncio.current_task()
        assert task is not None
        task.cancel()  # delivered at the paginator's next await, within the page

    monkeypatch.setattr(cli.Exporter, "write", write)
    out = tmp_path / "a.jsonl"
    args = [*EXPORT, "--sandbox", "--sandbox-records", "100", "--limit", "50"]
    assert cli.main([*args, "--out", str(out)]) == 130
    message = capsys.readouterr().err.strip()
    assert re.fullmatch(r"interrupted after \d+ records \(0 pages\); no page was completed, "
                        r"so there is nothing to resume", message)  # fmt: skip
    assert not (tmp_path / "a.jsonl.checkpoint.json").exists()
    assert out.read_bytes().endswith(b"\n")


def test_stdout_export_interrupted_has_no_resume_hint(
    capsys: pytest.CaptureFixture[str], cancel_after_pages: Callable[[int], None]
) -> None:
    cancel_after_pages(1)
    args = [*EXPORT, "--sandbox", "--sandbox-records", "100", "--limit", "50"]
    assert cli.main(args) == 130
    captured = capsys.readouterr()
    assert captured.err.strip() == "interrupted after 50 records (1 page)"
    assert len(captured.out.splitlines()) == 50


def test_api_failure_mid_export_keeps_the_checkpoint_and_resumes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    scripted_sandbox: Callable[[list[str | None]], None],
) -> None:
    out = tmp_path / "a.jsonl"
    checkpoint = tmp_path / "a.jsonl.checkpoint.json"
    source = ["--sandbox", "--sandbox-records", "100"]
    scripted_sandbox([None, "503", "503"])
    assert cli.main([*EXPORT, *source, "--limit", "50", "--retries", "1", "--out", str(out)]) == 1
    line = assert_one_line_error(capsys.readouterr().err)
    assert "HTTP 503" in line
    assert f"resume with: {COMMAND} --sandbox --sandbox-records 100 --out {out}" in line
    assert len(read_jsonl(out)) == 50

    assert cli.main([*EXPORT, *source, "--resume", str(checkpoint)]) == 0  # --out from it
    ids = [record["_id"] for record in read_jsonl(out)]
    assert len(set(ids)) == len(ids) == 100


def test_summary_counts_retries(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    scripted_sandbox: Callable[[list[str | None]], None],
) -> None:
    scripted_sandbox(["500"])
    out = tmp_path / "a.jsonl"
    assert cli.main([*EXPORT, "--sandbox", "--sandbox-records", "20", "--out", str(out)]) == 0
    summary = summary_of(capsys.readouterr().err)
    assert (summary["records"], summary["pages"], summary["retries"]) == ("20", "1", "1")


def test_filters_reach_the_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "drafts.jsonl"
    args = [*EXPORT, "--sandbox", "--sandbox-records", "100", "--status", "draft"]
    assert cli.main([*args, "--is-invoiceable", "true", "--out", str(out)]) == 0
    records = read_jsonl(out)
    assert records
    assert all(r["supplierInvoiceStatus"] == 5 and r["isInvoiceable"] for r in records)
    assert summary_of(capsys.readouterr().err)["records"] == str(len(records))


def test_max_items_stops_mid_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.jsonl"
    args = [*EXPORT, "--sandbox", "--sandbox-records", "30", "--limit", "5", "--max-items", "7"]
    assert cli.main([*args, "--out", str(out)]) == 0
    assert len(read_jsonl(out)) == 7
    summary = summary_of(capsys.readouterr().err)
    assert (summary["records"], summary["pages"]) == ("7", "2")
    assert not (tmp_path / "a.jsonl.checkpoint.json").exists()


def test_flags_become_the_sdks_typed_filters(no_secret: None) -> None:
    args = cli.build_parser().parse_args([
        *EXPORT, "--sandbox",
        "--supplier-invoice-number", "9162", "--status", "Sent", "--project", "p1",
        "--customer", "c1", "--work-order", "w1", "--work-order-number", "42",
        "--distributor", "d1", "--from-invoice-date", "2024-01-01",
        "--to-invoice-date", "2024-12-31", "--is-invoiceable", "true",
        "--is-self-billing-invoice", "no", "--exported-to-economy", "0",
        "--last-modified", "2024-05-01T12:00:00+02:00", "--sort-by", "invoiceDate",
        "--sort-direction", "descending",
    ])  # fmt: skip
    plan = cli.make_plan(args)
    assert plan.filters == {
        "supplier_invoice_number": 9162,
        "supplier_invoice_status": SupplierInvoiceStatus.SENT,
        "project": "p1",
        "customer": "c1",
        "work_order": "w1",
        "work_order_number": 42,
        "distributor": "d1",
        "from_invoice_date": date(2024, 1, 1),
        "to_invoice_date": date(2024, 12, 31),
        "is_invoiceable": True,
        "is_self_billing_invoice": False,
        "exported_to_economy": False,
        "last_modified": datetime.fromisoformat("2024-05-01T12:00:00+02:00"),
        "sort_by": "invoiceDate",
        "sort_direction": "descending",
    }
    assert plan.list_arguments() == plan.filters  # list()'s default walk
    assert (plan.out, plan.fmt, plan.sandbox_records) == (None, "jsonl", 2500)


@pytest.mark.parametrize("status", ["registered", "DRAFT", "7", "10"])
def test_status_takes_names_and_numbers(status: str) -> None:
    args = cli.build_parser().parse_args([*EXPORT, "--status", status])
    assert isinstance(args.supplier_invoice_status, SupplierInvoiceStatus)


@pytest.mark.parametrize(
    "flags",
    [
        ["--status", "paid"],
        ["--status", "3"],
        ["--from-invoice-date", "2024-13-01"],
        ["--from-invoice-date", "20240101"],
        ["--last-modified", "yesterday"],
        ["--is-invoiceable", "maybe"],
        ["--sort-direction", "up"],
        ["--limit", "-5"],
        ["--format", "xml"],
    ],
)
def test_bad_flag_values_exit_2(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc_info:
        cli.main([*EXPORT, "--sandbox", *flags])
    assert exc_info.value.code == 2
    assert "error: argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--sort-direction", "ascending"], "error: sort_direction: only has an effect"),
        (["--limit", "501"], "error: limit: must be a whole number from 1 to 500"),
        (["--from-invoice-date", "2024-02-01", "--to-invoice-date", "2024-01-01"],
         "error: from_invoice_date: 2024-02-01 is after"),
        (["--project", "a/b"], "error: project: 'a/b' is not a valid id"),
        (["--resume", "x.json", "--status", "draft"], "error: --resume continues"),
        (["--resume", "x.json", "--limit", "5"], "error: --resume continues"),
        (["--resume", "missing.json"], "error: cannot read checkpoint missing.json"),
        (["--base-url", "http://127.0.0.1:1"], "error: --sandbox and --base-url"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(
    flags: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "a.jsonl"
    assert cli.main([*EXPORT, "--sandbox", "--out", str(out), *flags]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert not out.exists()


def test_usage_errors_without_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_secret: None
) -> None:
    assert cli.main([*EXPORT, "--sandbox-records", "5"]) == 2
    assert "--sandbox-records needs --sandbox" in capsys.readouterr().err
    assert cli.main([*EXPORT]) == 2
    assert "set SEVENTIME_CLIENT_SECRET or pass --sandbox" in capsys.readouterr().err


def test_base_url_must_be_https(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEVENTIME_CLIENT_SECRET", "k")
    monkeypatch.setenv("SEVENTIME_BASE_URL", "http://api.example.com")
    assert cli.main([*EXPORT]) == 2
    assert "base_url must use https" in capsys.readouterr().err


@pytest.fixture
def interrupted(tmp_path: Path, cancel_after_pages: Callable[[int], None]) -> Path:
    """An export to a.jsonl (100 sandbox records, pages of 50) cancelled after page 1."""
    cancel_after_pages(1)
    out = tmp_path / "a.jsonl"
    args = [*EXPORT, "--sandbox", "--sandbox-records", "100", "--limit", "50"]
    assert cli.main([*args, "--out", str(out)]) == 130
    return tmp_path / "a.jsonl.checkpoint.json"


def test_a_new_export_will_not_overwrite_an_interrupted_one(
    interrupted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    out = interrupted.with_name("a.jsonl")
    assert cli.main([*EXPORT, "--sandbox", "--out", str(out)]) == 2
    assert f"{interrupted} exists" in capsys.readouterr().err
    assert len(read_jsonl(out)) == 50


@pytest.mark.parametrize(
    ("change", "flags", "message"),
    [
        (lambda cp, out: out.unlink(), [], "does not exist or is not a regular file"),
        (lambda cp, out: out.write_bytes(b"{}\n"), [], "it is not the file"),
        (lambda cp, out: cp.write_text("{"), [], "not a checkpoint file (not JSON)"),
        (lambda cp, out: cp.write_text('{"checkpoint": {}}'), [], "not a valid checkpoint"),
        (
            lambda cp, out: cp.write_text(cp.read_text().replace('"jsonl"', '"xml"')),
            [],
            "not a valid checkpoint",
        ),
        (lambda cp, out: None, ["--format", "csv"], "for --format jsonl, not csv"),
        (lambda cp, out: None, ["--out", "-"], "--resume appends to a file"),
    ],
)
def test_bad_resume_exits_2(
    interrupted: Path,
    change: Callable[[Path, Path], object],
    flags: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change(interrupted, interrupted.with_name("a.jsonl"))
    capsys.readouterr()
    assert cli.main([*EXPORT, "--sandbox", "--resume", str(interrupted), *flags]) == 2
    assert message in capsys.readouterr().err


def test_unwritable_output_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*EXPORT, "--sandbox", "--out", str(tmp_path / "no" / "a.jsonl")]) == 1
    assert_one_line_error(capsys.readouterr().err)


class FakeBar:
    """Stands in for ``tqdm.tqdm``: records what the CLI tells it."""

    instances: list[FakeBar] = []  # noqa: RUF012

    def __init__(self, *, total: int | None, initial: int, **_: Any) -> None:
        self.total, self.n, self.closed = total, initial, False
        self.instances.append(self)

    def update(self, n: int) -> None:
        self.n += n

    def close(self) -> None:
        self.closed = True


def test_progress_bar_is_sized_from_total_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    FakeBar.instances.clear()
    fake_tqdm = type(sys)("tqdm")
    fake_tqdm.tqdm = FakeBar  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", fake_tqdm)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    args = [*EXPORT, "--sandbox", "--sandbox-records", "30", "--limit", "10", "--max-items", "20"]
    assert cli.main([*args, "--out", str(tmp_path / "a.jsonl")]) == 0
    (bar,) = FakeBar.instances
    assert (bar.total, bar.n, bar.closed) == (20, 20, True)
    assert summary_of(capsys.readouterr().err)["records"] == "20"


def test_no_bar_without_tqdm_or_with_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import fails
    plan = cli.make_plan(cli.build_parser().parse_args([*EXPORT, "--sandbox"]))
    assert cli._export._progress_bar(plan, 0) is None
    quiet = cli.make_plan(cli.build_parser().parse_args([*EXPORT, "--sandbox", "--no-progress"]))
    assert cli._export._progress_bar(quiet, 0) is None


def test_stdout_export_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*EXPORT, "--sandbox", "--sandbox-records", "20", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert summary_of(captured.err)["records"] == "20"


def test_disk_error_exits_1_and_leaves_no_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "a.jsonl"
    assert cli.main([*EXPORT, "--sandbox", "--sandbox-records", "5", "--out", str(out)]) == 1
    line = assert_one_line_error(capsys.readouterr().err)
    assert "No space left on device" in line
    assert list(tmp_path.iterdir()) == []  # neither the output nor a temporary checkpoint


def test_missing_sandbox_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert cli.main([*EXPORT, "--sandbox", "--out", str(tmp_path / "a.jsonl")]) == 2
    assert "--sandbox is not available" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_broken_pipe_on_stdout_is_quiet(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEVENTIME_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "seventime_async", *EXPORT, "--sandbox", "--sandbox-records", "300"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    assert json.loads(process.stdout.readline())["_id"]
    process.stdout.close()  # like `| head -1`
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 1
    assert stderr == b""


def test_python_dash_m_runs_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["seventime-async", "--help"])
    with pytest.raises(SystemExit) as exc_info:
        runpy.run_module("seventime_async", run_name="__main__")
    assert exc_info.value.code == 0
    assert "export" in capsys.readouterr().out


def test_output_that_is_not_a_regular_file_gets_no_checkpoint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [*EXPORT, "--sandbox", "--sandbox-records", "10", "--out", os.devnull]
    assert cli.main(args) == 0
    assert summary_of(capsys.readouterr().err)["records"] == "10"
    assert not Path(os.devnull + cli.CHECKPOINT_SUFFIX).exists()
    assert Path(os.devnull).exists()


# -- issue 8, item 5: a resume notices records deleted upstream ----------------------------


def _interrupted_export(tmp_path: Path, server: SandboxProcess, arm: Callable[[int], None]) -> Path:
    out = tmp_path / "a.jsonl"
    arm(2)
    code = cli.main([*EXPORT, "--base-url", server.url, "--limit", "10", "--out", str(out)])
    assert code == cli.EXIT_INTERRUPTED
    return out


async def _delete_upstream(server: SandboxProcess, count: int) -> None:
    async with SevenTime(server.client_secret, base_url=server.url) as st:
        doomed = await st.supplier_invoices.list(limit=10, max_items=count).collect()
        for invoice in doomed:
            await st.supplier_invoices.delete(invoice.id, deleted_by_user="u1")


def test_a_resume_after_upstream_deletes_warns_and_counts_them(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cancel_after_pages: Callable[[int], None],
) -> None:
    with SandboxProcess(records=60, quiet=True, rate_limit=False) as server:
        monkeypatch.setenv("SEVENTIME_CLIENT_SECRET", server.client_secret)
        out = _interrupted_export(tmp_path, server, cancel_after_pages)
        checkpoint = Path(f"{out}.checkpoint.json")
        assert json.loads(checkpoint.read_text())["checkpoint"]["base_url"] == server.url
        asyncio.run(_delete_upstream(server, 3))
        capsys.readouterr()
        assert cli.main([*EXPORT, "--base-url", server.url, "--resume", str(checkpoint)]) == 0
    warning, summary = capsys.readouterr().err.strip().splitlines()
    assert warning.startswith("warning: 3 fewer records upstream than when the checkpoint was made")
    assert summary_of(summary)["drift"] == "-3"


def test_strict_resume_refuses_to_go_on_after_upstream_deletes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cancel_after_pages: Callable[[int], None],
) -> None:
    with SandboxProcess(records=60, quiet=True, rate_limit=False) as server:
        monkeypatch.setenv("SEVENTIME_CLIENT_SECRET", server.client_secret)
        out = _interrupted_export(tmp_path, server, cancel_after_pages)
        checkpointed = json.loads(Path(f"{out}.checkpoint.json").read_text())["output_bytes"]
        asyncio.run(_delete_upstream(server, 3))
        capsys.readouterr()
        resume = [*EXPORT, "--base-url", server.url, "--resume", f"{out}.checkpoint.json"]
        assert cli.main([*resume, "--strict-resume"]) == cli.EXIT_USAGE
    line = assert_one_line_error(capsys.readouterr().err)
    assert "--strict-resume: 3 fewer records upstream" in line
    # Nothing written: the file holds the checkpointed records (a page cut short by the
    # interruption is dropped on opening, as on every resume), none from this run.
    assert out.stat().st_size == checkpointed


def test_a_checkpoint_is_refused_against_another_server(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cancel_after_pages: Callable[[int], None],
) -> None:
    with SandboxProcess(records=60, quiet=True, rate_limit=False) as server:
        monkeypatch.setenv("SEVENTIME_CLIENT_SECRET", server.client_secret)
        out = _interrupted_export(tmp_path, server, cancel_after_pages)
        first = server.url
        with SandboxProcess(records=60, quiet=True, rate_limit=False) as other:
            capsys.readouterr()
            resume = [*EXPORT, "--base-url", other.url, "--resume", f"{out}.checkpoint.json"]
            assert cli.main(resume) == cli.EXIT_USAGE
            second = other.url
    line = assert_one_line_error(capsys.readouterr().err)
    assert f"made against {first}, not {second}" in line


# -- every listable collection (issue 9/10: the CLI derived from the registry) -------------


def _required_flags(spec: Any) -> list[str]:
    """Flags for a collection's required filters, with a value its seeded records have."""
    from seventime_async.testing._examples import examples_of, records_in

    seeded = [
        r
        for e in examples_of(spec)
        if e["request"].startswith("GET")
        for r in records_in(e["body"])
    ]
    flags = []
    for field in spec.filters():
        if field.required:
            flags += [f"--{field.name.replace('_', '-')}", str(seeded[0][field.wire])]
    return flags


@pytest.mark.parametrize("name", sorted(cli._flags.listable()))
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_every_listable_collection_exports(
    name: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = cli._flags.listable()[name]
    out = tmp_path / f"{name}.{fmt}"
    args = ["export", name, "--sandbox", "--sandbox-records", "12", "--format", fmt]
    assert cli.main([*args, *_required_flags(spec), "--out", str(out)]) == 0
    summary = capsys.readouterr().err.strip()
    assert summary.startswith("exported ")
    assert spec.name.replace("_", " ") in summary
    if fmt == "jsonl":
        rows = read_jsonl(out)
        assert rows
        assert all(isinstance(row, dict) for row in rows)
    else:
        header, *rows = read_csv(out)
        assert tuple(header) == cli.csv_columns(spec.record)
        assert rows
        assert all(len(row) == len(header) for row in rows)


def test_a_required_filter_missing_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "supplement-orders", "--sandbox"]) == cli.EXIT_USAGE
    line = assert_one_line_error(capsys.readouterr().err)
    assert "project" in line
