"""Ceilings: what the server and the harness allow with no mock behind them, printed beside the mock.

A fixed-answer WSGI app served by the mock's server (the same ``make_server`` the CLI calls; every call of it
goes through the thread pool, as a Flask call of the mock does), and
nginx answering the same fixed body when it is installed (Debian's ``nginx``): the distance from the mock's
figures to these is what the mock itself costs, and the nginx column is the load generator's own limit.

``python -m bench.ceilings --port N --body FILE`` serves the fixed app in the foreground.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

from mockserver.config.settings import Settings
from mockserver.web.servers import make_server

from .procs import LOOPBACK

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    default_type application/json;
    server {{
        listen {host}:{port};
        location / {{ return 200 '{body}'; }}
    }}
}}
"""


def fixed_app(body: bytes) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """Reads the request body when there is one (as the mock does) and answers ``body`` with 200, whatever was
    asked."""
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("CONTENT_LENGTH"):
            environ["wsgi.input"].read()
        start_response("200 OK", headers)
        return [body]

    return app


def fixed_argv(port: int, body_file: Path, threads: int | None) -> list[str]:
    argv = [sys.executable, "-m", "bench.ceilings", "--port", str(port)]
    argv += ["--body", str(body_file)]
    return argv + (["--threads", str(threads)] if threads else [])


def nginx_argv(root: Path, port: int, body: bytes) -> list[str] | None:
    """nginx in the foreground with a one-location config under ``root``; None when nginx is not installed."""
    exe = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if exe is None:
        return None
    text = body.decode().replace("\\", "\\\\").replace("'", "\\'")
    if "$" in text:  # nginx would read it as a variable
        return None
    root.mkdir(parents=True, exist_ok=True)
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, host=LOOPBACK, port=port, body=text))
    return [exe, "-p", str(root), "-c", str(conf), "-e", str(root / "error.log")]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ceilings", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", type=Path, required=True)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    options: dict[str, Any] = {"host": LOOPBACK, "port": args.port, "log_requests": False}
    if args.threads:
        options["threads"] = args.threads
    server = make_server(fixed_app(args.body.read_bytes()), Settings(**options))  # any WSGI app will do

    def stop(signum: int, frame: FrameType | None) -> None:
        server.shutdown()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
