"""The output of an export: a byte stream and, for a file, its checkpoint."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from .._pagination import Checkpoint
from ._flags import UsageError
from ._formats import format_for
from ._plan import CHECKPOINT_SUFFIX, ExportPlan

__all__ = ["Output", "open_output", "write_json_atomically"]


def write_json_atomically(path: str, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON: a temporary file, fsync, ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _is_regular_file(stream: IO[bytes]) -> bool:
    return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)


class Output:
    """Where the records go: stdout, or a file with a checkpoint after every page.

    Only a regular file has checkpoints (``--out /dev/stdout`` or a named pipe cannot be
    truncated on resume) and only a regular file is ever removed.
    """

    def __init__(self, plan: ExportPlan, stream: IO[bytes]) -> None:
        self.plan = plan
        self.stream = stream
        self.committed: Checkpoint | None = plan.resume.checkpoint if plan.resume else None
        regular = plan.out is not None and _is_regular_file(stream)
        self.checkpoint_path = plan.checkpoint_path if regular else None

    @property
    def is_file(self) -> bool:
        """True for a regular file output (which has checkpoints)."""
        return self.checkpoint_path is not None

    def write(self, data: bytes) -> None:
        """Append encoded records."""
        self.stream.write(data)

    def commit(self, checkpoint: Checkpoint | None, records_written: int) -> None:
        """A page is complete: flush, and (for a file) save the checkpoint atomically."""
        self.stream.flush()
        path = self.checkpoint_path
        if path is None or checkpoint is None:
            self.committed = checkpoint
            return
        os.fsync(self.stream.fileno())
        write_json_atomically(path, {
            "checkpoint": checkpoint.to_dict(),
            "output_bytes": self.stream.tell(),
            "format": self.plan.fmt,
            "records_written": records_written,
            "output": os.path.abspath(self.plan.out or ""),
            "max_items": self.plan.max_items,
        })  # fmt: skip
        self.committed = checkpoint

    def finish(self) -> None:
        """The export is complete: flush and delete the checkpoint."""
        self.stream.flush()
        path = self.checkpoint_path
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def discard_if_empty(self) -> None:
        """After a failure: remove a new output file that has no completed page."""
        if self.is_file and self.plan.resume is None and self.committed is None:
            self.stream.close()
            with contextlib.suppress(OSError):
                os.unlink(self.plan.out or "")


def _open_file(plan: ExportPlan, path: str) -> IO[bytes]:
    resume = plan.resume
    if resume is None:
        checkpoint_path = path + CHECKPOINT_SUFFIX
        if os.path.exists(checkpoint_path):
            raise UsageError(
                f"{checkpoint_path} exists: an export to {path} was interrupted; continue it "
                f"with --resume {checkpoint_path}, or delete it to start over"
            )
        stream: IO[bytes] = open(path, "wb")  # noqa: SIM115 (closed by open_output)
        stream.write(format_for(plan.fmt, plan.spec.record).header)
        return stream
    if not os.path.isfile(path):
        raise UsageError(f"cannot resume: {path} does not exist or is not a regular file")
    stream = open(path, "r+b")  # noqa: SIM115 (closed by open_output)
    size = stream.seek(0, os.SEEK_END)
    if size < resume.output_bytes:
        stream.close()
        raise UsageError(
            f"cannot resume: {path} has {size} bytes, the checkpoint expects at least "
            f"{resume.output_bytes}; it is not the file this checkpoint belongs to"
        )
    stream.truncate(resume.output_bytes)
    stream.seek(resume.output_bytes)
    return stream


@contextlib.contextmanager
def open_output(plan: ExportPlan) -> Iterator[Output]:
    """Open stdout or the output file (truncated to the checkpoint when resuming)."""
    if plan.out is None:
        stdout = sys.stdout.buffer
        stdout.write(format_for(plan.fmt, plan.spec.record).header)
        yield Output(plan, stdout)
        return
    with _open_file(plan, plan.out) as stream:
        yield Output(plan, stream)
