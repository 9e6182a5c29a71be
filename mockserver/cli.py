"""``creatify-mock serve``: the command line front end (``python -m mockserver`` too)."""

from __future__ import annotations

import argparse
import difflib
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from mockserver import workers
from mockserver.calibrate import cli as calibrate_cli
from mockserver.cli_groups import grouped
from mockserver.cli_options import add_replay_options, add_safety_options
from mockserver.config import logs
from mockserver.config.logs import FORMATS, LEVELS
from mockserver.config.settings import TIMINGS, Settings
from mockserver.config.sources import load
from mockserver.config.values import SettingsError
from mockserver.config.version import mock_version
from mockserver.core.scenarios import ScenarioError
from mockserver.core.storage import StoreError
from mockserver.record import cli as record_cli
from mockserver.replay import RecordingError
from mockserver.service import MockService
from mockserver.service.persistence import StateFile, StateFileError
from mockserver.service.reload import Watcher, reload
from mockserver.web.app import create_app
from mockserver.web.context import service
from mockserver.web.durability import DurableAnswers
from mockserver.web.servers import HTTPServer, make_server

logger = logging.getLogger("creatify_mock")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="creatify-mock",
        description="Local mock of Creatify's text generation API. Every option is also CREATIFY_MOCK_<NAME>.",
    )
    parser.add_argument("--version", action="version", version=f"creatify-mock {mock_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the mock over HTTP", description="Serve the mock over HTTP.")
    add = grouped(serve)  # each option under its setting's group (mockserver/config/groups.py)
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
    add(
        "--admin-token", help="require this token (X-Admin-Token or Authorization: Bearer) on /__admin/ calls"
    )
    add(
        "--max-jobs",
        type=int,
        help="jobs kept at most; the oldest terminal ones are evicted first (default 100000)",
    )
    add("--threads", type=int, help="Python threads running the Flask app's calls (default 8)")
    add(
        "--header-timeout",
        type=float,
        help="seconds a request's headers may take to arrive before the connection is closed (default 10)",
    )
    add(
        "--body-timeout",
        type=float,
        help="seconds a request's body may take to arrive after its headers before the connection is closed"
        " (default 30)",
    )
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
    add(
        "--webhook-allow-hosts",
        help="comma-separated hosts webhooks may go to: names, *.suffix, or * for any (default: loopback only)",
    )
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
    add(
        "--models",
        action="append",
        metavar="NAME",
        help="models the /sse/ family accepts, repeatable or comma-separated (default: the five documented)",
    )
    add(
        "--sync-timeout",
        type=float,
        help="seconds a sync call or a stream waits for its job at most (default 60)",
    )
    add("--quiet", dest="log_requests", action="store_const", const=False, help="no per-request log lines")
    add("--log-format", choices=FORMATS, help="text (default) or json: one JSON object per line, every line")
    add("--log-level", choices=LEVELS, help="debug, info (default: a line per call), warning or error")
    add(
        "--state-file",
        metavar="PATH",
        help="keep the state in this SQLite file: every answer waits until what its call changed is saved",
    )
    add(
        "--state-interval",
        type=float,
        help="seconds between saves of what no call waited for, e.g. jobs moved unread (default 5)",
    )
    add("--watch", action="store_const", const=True, help="reload --scenarios when the file changes")
    add("--cors-origins", help="origins allowed by CORS, comma-separated (default *)")
    add("--no-cors", dest="cors", action="store_const", const=False, help="no CORS headers, no preflights")
    add("--generation-budget", type=float, help="seconds a job's generation may take (default 2)")
    add_replay_options(serve)
    workers.add_options(serve)
    add_safety_options(serve)
    record_cli.add_parser(sub)
    calibrate_cli.add_parser(sub)
    return parser


def did_you_mean(parser: argparse.ArgumentParser, extra: Sequence[str]) -> str:
    """The closest option to the first unknown one, if any is close; then where the whole list is."""
    known = [flag for action in parser._actions for flag in action.option_strings]
    close = difflib.get_close_matches(extra[0].split("=")[0], known, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{hint} ({parser.prog} --help lists every option)"


def parse_command(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line; an unknown option shows the usage of the command it was given to (argparse alone
    would show the top-level usage)."""
    parser = build_parser()
    namespace, extra = parser.parse_known_args(argv)
    if extra:
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        command = commands.choices[namespace.command]
        command.error(f"unrecognized arguments: {' '.join(extra)}{did_you_mean(command, extra)}")
    return namespace


def settings_from_args(argv: Sequence[str] | None = None) -> Settings:
    args = vars(parse_command(argv))
    args.pop("command")
    if args.get("api_key") is not None:
        args["api_key"] = tuple(args["api_key"])
    for name in ("credits", "credit_rates"):
        if args.get(name) is not None:
            args[name] = tuple(args[name])
    if args.get("models") is not None:
        args["models"] = tuple(m.strip() for arg in args["models"] for m in arg.split(",") if m.strip())
    return load(args)


#: Subcommands other than ``serve``, each run by its own module.
RUNNERS = {"record": record_cli.run, "calibrate": calibrate_cli.run}


def main(argv: Sequence[str] | None = None) -> int:
    command = parse_command(argv)
    if command.command in RUNNERS:
        return RUNNERS[command.command](command)
    try:
        settings = settings_from_args(argv)
    except SettingsError as exc:
        print(f"creatify-mock: {exc}", file=sys.stderr)
        return 2
    problem = settings.open_admin_problem()
    if problem is not None:
        print(f"creatify-mock: {problem}", file=sys.stderr)
        return 2
    logs.configure(settings.log_format, settings.log_level)
    if settings.workers > 1 and not workers.is_worker():
        return workers.supervise(sys.argv[1:] if argv is None else argv, settings)
    try:
        app = create_app(settings)
    except (ScenarioError, RecordingError, StoreError) as exc:
        print(f"creatify-mock: {exc}", file=sys.stderr)
        return 2
    svc = service(app)
    state = StateFile(settings.state_file, svc, settings.state_interval) if settings.state_file else None
    try:
        loaded = state.load() if state is not None else None
    except StateFileError as exc:
        print(f"creatify-mock: {exc}", file=sys.stderr)
        return 2
    if state is not None:  # every answer waits for the commit of what its call changed
        app.wsgi_app = DurableAnswers(app.wsgi_app, state)  # type: ignore[method-assign]
    try:
        server = make_server(app, settings)
    except (OSError, ValueError) as exc:  # a host that is no address at all: socket.gaierror (an OSError)
        # getaddrinfo's errors (negative codes) come back re-raised as plain OSErrors by socket.create_server
        known = isinstance(exc, OSError) and exc.strerror and (exc.errno or 0) >= 0
        why = exc.strerror if isinstance(exc, OSError) and known else "not an address this machine has"
        print(f"creatify-mock: cannot listen on {settings.host}:{settings.port}: {why}", file=sys.stderr)
        return 1
    watcher = Watcher(svc, settings.scenarios) if settings.watch and settings.scenarios else None
    install_signals(server, svc, settings)
    svc.start()
    if state is not None:
        state.start()
        logger.info("state file %s: %s", state.path, "new" if loaded is None else f"loaded {loaded}")
    if watcher is not None:
        watcher.start()
    elif settings.watch:
        logger.warning("--watch without --scenarios: there is no file to watch")
    logs.announce(
        settings.log_format,
        f"creatify-mock serving on {server.url} (timing: {settings.timing}; webhooks: {svc.webhook_egress()})",
        url=server.url,
    )
    token_note = " (it asks for the admin token)" if settings.admin_token else ""
    dashboard = f"{server.url}/__admin/ui/"
    logs.announce(
        settings.log_format, f"creatify-mock dashboard: {dashboard}{token_note}", dashboard=dashboard
    )
    try:
        server.serve_forever()
    finally:
        if watcher is not None:
            watcher.stop()
        if state is not None:  # before the dispatcher closes: undelivered events are saved as pending
            state.stop()
        svc.close()
    logs.announce(settings.log_format, "creatify-mock stopped")
    return 0


def install_signals(server: HTTPServer, svc: MockService, settings: Settings) -> None:
    """SIGINT and SIGTERM stop cleanly (state saved, undelivered webhooks logged); SIGHUP reloads
    ``--scenarios`` and never stops the server."""

    def stop(signum: int, frame: FrameType | None) -> None:
        logger.info("signal %s: shutting down", signal.Signals(signum).name)
        server.shutdown()

    def hangup(signum: int, frame: FrameType | None) -> None:
        if settings.scenarios:
            reload(svc, settings.scenarios, "SIGHUP")
        else:
            logger.info("SIGHUP: no --scenarios file to reload; still serving")

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGHUP"):  # not on Windows
        signal.signal(signal.SIGHUP, hangup)
