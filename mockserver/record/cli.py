"""``creatify-mock record --target URL --out FILE [--follow-jobs]``: run the recording proxy until stopped."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from mockserver.config import logs
from mockserver.record.session import DEFAULT_MAX_BYTES, Recorder
from mockserver.replay.recording import Exchange


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    record = sub.add_parser(
        "record", help="forward API calls to one target and record every exchange (JSON Lines)"
    )
    add = record.add_argument
    add("--target", required=True, help="the one server calls go to, e.g. https://api.creatify.ai")
    add("--out", required=True, metavar="FILE", help="the recording to write (JSON Lines)")
    add(
        "--overwrite",
        action="store_true",
        help="replace FILE if it exists (a paid recording is kept otherwise)",
    )
    add(
        "--follow-jobs",
        action="store_true",
        help="poll each created job until it ends (reads cost no credits)",
    )
    add("--follow-interval", type=float, default=1.0, help="seconds between polls of one job (default 1)")
    add(
        "--follow-max-rate",
        type=float,
        default=5.0,
        help="polls per second over all jobs at most (default 5)",
    )
    add("--follow-timeout", type=float, default=600.0, help="seconds a job is followed at most (default 600)")
    add("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="size bound of FILE (default 100 MiB)")
    add("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    add("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    add("--timeout", type=float, default=300.0, help="seconds to wait for the target's answer (default 300)")
    add("--threads", type=int, default=8, help="worker threads (each open stream holds one; default 8)")
    add("--quiet", action="store_true", help="no per-exchange log lines")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and out.stat().st_size and not args.overwrite:
        print(f"creatify-mock record: {out} exists; pass --overwrite to replace it", file=sys.stderr)
        return 2
    logs.configure("text", "info")  # one line per exchange: httpx's own line for each is turned down
    try:
        recorder = Recorder(
            args.target,
            out,
            follow_jobs=args.follow_jobs,
            follow_interval=args.follow_interval,
            follow_max_rate=args.follow_max_rate,
            follow_timeout=args.follow_timeout,
            max_bytes=args.max_bytes,
            host=args.host,
            port=args.port,
            timeout=args.timeout,
            threads=args.threads,
            listeners=() if args.quiet else (_log_exchange,),
        )
    except ValueError as exc:
        print(f"creatify-mock record: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"creatify-mock record: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr
        )
        return 1

    def stop(signum: int, frame: FrameType | None) -> None:
        recorder.shutdown()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"creatify-mock recording on {recorder.url} -> {recorder.target} into {out}", flush=True)
    recorder.serve_forever()
    writer = recorder.writer
    print(
        f"creatify-mock record stopped: {writer.lines - 1} exchanges, {writer.size} bytes in {out}",
        flush=True,
    )
    return 3 if writer.full else 0


def _log_exchange(ex: Exchange, _credentials: dict[str, str]) -> None:
    logging.getLogger("creatify_mock.record").info(
        "#%d %s %s %s -> %d in %.0f ms", ex.seq, ex.origin, ex.method, ex.path, ex.status, ex.duration_ms
    )
