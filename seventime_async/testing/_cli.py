"""The command line: ``python -m seventime_async.testing [options]``.

Serves a sandbox until SIGINT or SIGTERM. As soon as it listens it prints one line of
JSON to stdout, ``{"url": "http://127.0.0.1:PORT", "client_secret": "..."}``, and
flushes it; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from ._faults import FAULT_KINDS
from ._server import Sandbox
from ._state import SandboxConfig

__all__ = ["argv_for", "build_parser", "main", "options_from_args", "serve"]

_LOG = logging.getLogger("seventime_async.testing")
_DEFAULTS = SandboxConfig()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m seventime_async.testing``."""
    parser = argparse.ArgumentParser(
        prog="python -m seventime_async.testing",
        description="Serve a sandbox of the Seven Time supplier-invoice API. Prints one "
        'line of JSON ({"url": ..., "client_secret": ...}) to stdout once listening; '
        "stops on SIGINT/SIGTERM.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    add("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    add("--records", type=int, default=_DEFAULTS.records, help="seeded invoices (%(default)s)")
    add(
        "--collection-records",
        type=int,
        default=_DEFAULTS.collection_records,
        help="records of every other paged collection (%(default)s)",
    )
    add("--seed", type=int, default=_DEFAULTS.seed, help="seed of the data (%(default)s)")
    add("--client-secret", default=_DEFAULTS.client_secret, help="accepted Client-Secret")
    add("--extra-secret", action="append", default=[], help="another accepted secret (repeat)")
    add("--latency", type=float, default=_DEFAULTS.latency, help="seconds added to responses")
    add("--no-rate-limit", action="store_true", help="never answer 429 for the request rate")
    add(
        "--rate-limit-per-second",
        type=int,
        default=_DEFAULTS.rate_limit_per_second,
        help="accepted requests per key per second (%(default)s)",
    )
    add("--no-retry-after", action="store_true", help="send 429 without Retry-After")
    add("--fault-rate", type=float, default=_DEFAULTS.fault_rate, help="0..1 (%(default)s)")
    add(
        "--fault-kinds",
        default=",".join(_DEFAULTS.fault_kinds),
        help=f"comma-separated, from {', '.join(FAULT_KINDS)}, 500_after, reset_after "
        "(default: %(default)s)",
    )
    add("--fault-seed", type=int, default=None, help="seed of the fault generator")
    add("--slow-seconds", type=float, default=_DEFAULTS.slow_seconds, help="wait of 'slow'")
    add("--access-log", action="store_true", help="log every request to stderr")
    add(
        "--request-log",
        metavar="FILE",
        help="on exit, write every request (arrival time on the monotonic clock, key "
        "label, status) to FILE as JSON Lines",
    )
    return parser


def options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The sandbox keyword options that parsed arguments stand for."""
    return {
        "records": args.records,
        "collection_records": args.collection_records,
        "seed": args.seed,
        "client_secret": args.client_secret,
        "extra_secrets": tuple(args.extra_secret),
        "latency": args.latency,
        "rate_limit": not args.no_rate_limit,
        "rate_limit_per_second": args.rate_limit_per_second,
        "retry_after": not args.no_retry_after,
        "fault_rate": args.fault_rate,
        "fault_kinds": tuple(kind for kind in args.fault_kinds.split(",") if kind.strip()),
        "fault_seed": args.fault_seed,
        "slow_seconds": args.slow_seconds,
    }


# Boolean options and the flag that stands for them: (flag, value the flag means).
_SWITCHES = {
    "rate_limit": ("--no-rate-limit", False),
    "retry_after": ("--no-retry-after", False),
    "access_log": ("--access-log", True),
}

_VALUED = (
    "host",
    "port",
    "records",
    "collection_records",
    "seed",
    "client_secret",
    "latency",
    "rate_limit_per_second",
    "fault_rate",
    "fault_seed",
    "slow_seconds",
    "request_log",
)


def argv_for(options: Mapping[str, Any]) -> list[str]:
    """Command-line arguments for sandbox keyword options (only for the options given).

    Takes the :class:`SandboxConfig` field names plus ``host``, ``port``, ``access_log``
    and ``request_log``.
    """
    argv: list[str] = []
    for name, value in options.items():
        if name in _SWITCHES:
            flag, meaning = _SWITCHES[name]
            argv += [flag] if bool(value) is meaning else []
        elif name == "extra_secrets":
            for secret in value:
                argv += ["--extra-secret", str(secret)]
        elif name == "fault_kinds":
            argv += ["--fault-kinds", ",".join(str(kind) for kind in value)]
        elif name in _VALUED:
            argv += [f"--{name.replace('_', '-')}", str(value)] if value is not None else []
        else:
            raise TypeError(f"unknown sandbox option {name!r}")
    return argv


async def serve(
    options: Mapping[str, Any],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    access_log: bool = False,
    stop: asyncio.Event | None = None,
    out: TextIO | None = None,
    request_log: str | None = None,
) -> None:
    """Serve a sandbox until ``stop`` is set (by default: until SIGINT or SIGTERM).

    Writes the ready line, ``{"url": ..., "client_secret": ...}``, to ``out`` (stdout).
    """
    out = out if out is not None else sys.stdout
    loop = asyncio.get_running_loop()
    signals: list[signal.Signals] = []
    if stop is None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
                signals.append(signum)
    try:
        async with Sandbox(host=host, port=port, access_log=access_log, **options) as sandbox:
            ready = {"url": sandbox.url, "client_secret": sandbox.client_secret}
            out.write(json.dumps(ready) + "\n")
            out.flush()
            _LOG.info("sandbox listening on %s: %s", sandbox.url, _describe(sandbox.config))
            await stop.wait()
            _LOG.info("sandbox stopping")
            if request_log is not None:
                _write_request_log(request_log, sandbox)
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


def _write_request_log(path: str, sandbox: Sandbox) -> None:
    with open(path, "w", encoding="utf-8") as log:
        for entry in sandbox.requests:
            line = {
                "time": entry.time,
                "key": entry.key,
                "status": entry.status,
                "method": entry.method,
                "path": entry.path,
            }
            log.write(json.dumps(line) + "\n")


def _describe(config: SandboxConfig) -> str:
    rate = f"{config.rate_limit_per_second}/s" if config.rate_limit else "off"
    faults = f"{config.fault_rate} of {','.join(config.fault_kinds)}" if config.fault_rate else "0"
    return (
        f"{config.records} records (seed {config.seed}), latency {config.latency}s, "
        f"rate limit {rate}, fault rate {faults}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox server until SIGINT/SIGTERM; the process's exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    options = options_from_args(args)
    try:
        SandboxConfig(**options)
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                options,
                host=args.host,
                port=args.port,
                access_log=args.access_log,
                request_log=args.request_log,
            )
        )
    return 0
