"""``creatify-mock serve``: the command line front end (``python -m mockserver`` too)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from mockserver.config.settings import SERVERS, TIMINGS, Settings, load
from mockserver.config.values import SettingsError
from mockserver.core.scenarios import ScenarioError
from mockserver.web.app import create_app
from mockserver.web.context import service
from mockserver.web.servers import make_server


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="creatify-mock",
        description="Local mock of Creatify's text generation API. Every option is also CREATIFY_MOCK_<NAME>.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the mock over HTTP")
    add = serve.add_argument
    add("--host", help="interface to bind (default 127.0.0.1)")
    add("--port", type=int, help="port (default 8000; 0 picks a free one)")
    add("--config", help="TOML file with any of these settings (dashes or underscores)")
    add("--timing", choices=TIMINGS, help="how jobs move: realtime (default), instant, manual")
    add("--pending-seconds", type=float, help="realtime: seconds a job stays pending (default 1.0)")
    add("--running-seconds", type=float, help="realtime: seconds a job stays running (default 2.0)")
    add(
        "--jitter",
        type=float,
        help="realtime: add a seeded random 0..JITTER seconds to each phase (default 0)",
    )
    add(
        "--api-key",
        action="append",
        metavar="ID:KEY",
        help="accepted credentials, repeatable; none: any pair",
    )
    add("--seed", type=int, help="seed for ids and jitter: the same run gives the same ids")
    add("--strict-ranges", action="store_const", const=True, help="out-of-range config values are 400s")
    add("--max-body-bytes", type=int, help="largest request body accepted (default 1048576)")
    add("--admin-token", help="require this token (X-Admin-Token) on /__admin/ calls")
    add(
        "--max-jobs",
        type=int,
        help="jobs kept at most; the oldest terminal ones are evicted first (default 100000)",
    )
    add("--server", choices=SERVERS, help="HTTP server: granian (default, fastest) or waitress (pure Python)")
    add("--threads", type=int, help="Python threads answering calls (default 8)")
    add("--scenarios", metavar="FILE", help="scenario rules (YAML or JSON) applied to API calls")
    add("--webhook-events", choices=("all", "terminal"), help="which status changes are sent (default all)")
    add("--webhook-secret", help="sign webhooks: X-Webhook-Signature = sha256 HMAC of timestamp.body")
    add("--webhook-timeout", type=float, help="seconds per delivery attempt (default 5)")
    add("--webhook-max-attempts", type=int, help="attempts per event before it is abandoned (default 5)")
    add(
        "--webhook-backoff",
        type=float,
        help="base of the exponential backoff between attempts, seconds (default 1)",
    )
    add("--webhook-workers", type=int, help="delivery threads (default 32)")
    add(
        "--webhook-queue-size",
        type=int,
        help="events waiting at most; beyond, new ones are abandoned (default 10000)",
    )
    add("--webhook-log-size", type=int, help="delivery log entries kept (default 10000)")
    add("--webhook-allow-hosts", help="comma-separated hosts webhooks may go to (default: any)")
    add("--webhook-duplicate-rate", type=float, help="fault: share of events delivered twice (default 0)")
    add("--webhook-delay", help="fault: extra delay before an event, SECONDS or LOW-HIGH (default 0)")
    add(
        "--webhook-reorder",
        "--webhook-reorder-rate",
        dest="webhook_reorder_rate",
        type=float,
        help="fault: share of jobs whose terminal event comes before running",
    )
    add(
        "--webhook-drop-rate",
        type=float,
        help="fault: share of events never sent, logged as dropped (default 0)",
    )
    add("--journal-size", type=int, help="API calls kept in the request journal (default 1000; 0: off)")
    add(
        "--credits",
        action="append",
        metavar="ID=AMOUNT",
        help="credit balance of an account, repeatable; accounts without one are unlimited",
    )
    add(
        "--insufficient-credits-status",
        type=int,
        help="status of the insufficient-credits error (default 402; the real one is not documented)",
    )
    add(
        "--insufficient-credits-body",
        help='JSON body of the insufficient-credits error (default {"detail": "Insufficient credits."})',
    )
    add("--rate-limit", metavar="N/s", help="requests per account: N/s, N/m, N/h or N/d (default: none)")
    add("--quiet", dest="log_requests", action="store_const", const=False, help="no per-request log lines")
    return parser


def settings_from_args(argv: Sequence[str] | None = None) -> Settings:
    args = vars(build_parser().parse_args(argv))
    args.pop("command")
    if args.get("api_key") is not None:
        args["api_key"] = tuple(args["api_key"])
    if args.get("credits") is not None:
        args["credits"] = tuple(args["credits"])
    return load(args)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = settings_from_args(argv)
    except SettingsError as exc:
        print(f"creatify-mock: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings)
    except ScenarioError as exc:
        print(f"creatify-mock: {exc}", file=sys.stderr)
        return 2
    try:
        server = make_server(app, settings)
    except OSError as exc:
        print(
            f"creatify-mock: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    svc = service(app)

    def stop(signum: int, frame: FrameType | None) -> None:
        logging.getLogger("creatify_mock").info("signal %s: shutting down", signal.Signals(signum).name)
        server.shutdown()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    svc.start()
    print(f"creatify-mock serving on {server.url} (timing: {settings.timing})", flush=True)
    try:
        server.serve_forever()
    finally:
        svc.close()
    print("creatify-mock stopped", flush=True)
    return 0
