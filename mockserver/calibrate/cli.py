"""``creatify-mock calibrate FILE [--report R] > mock.toml``: print a config file derived from the evidence."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mockserver.calibrate.derive import derive, render
from mockserver.calibrate.evidence import Evidence, from_recording, from_report
from mockserver.replay.recording import RecordingError, read


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    calibrate = sub.add_parser(
        "calibrate", help="derive mock settings (TOML, on stdout) from a recording and/or a contract report"
    )
    calibrate.add_argument(
        "recording", nargs="?", metavar="FILE", help="a recording made by creatify-mock record"
    )
    calibrate.add_argument("--report", metavar="R", help="a contract report (pytest --contract-report R)")


def calibrate(recording: str | None, report: str | None) -> str:
    """The TOML text; RecordingError or ValueError (naming the file) for evidence that cannot be read."""
    if recording is None and report is None:
        raise ValueError("give a recording, a --report, or both")
    evidence = Evidence()
    if recording is not None:
        from_recording(evidence, read(recording))
    if report is not None:
        try:
            data = json.loads(Path(report).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read contract report {report}: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"contract report {report}: expected a JSON object with 'observations'")
        from_report(evidence, data, report)
    return render(derive(evidence), evidence.sources)


def run(args: argparse.Namespace) -> int:
    try:
        text = calibrate(args.recording, args.report)
    except (RecordingError, ValueError) as exc:
        print(f"creatify-mock calibrate: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
