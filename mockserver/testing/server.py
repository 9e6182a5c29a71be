"""Embedded use: ``MockServer`` serves the mock on a free port in a thread, for a test suite's own use.

with MockServer(timing="instant") as mock:
    requests.post(mock.url + "/api/text_generator/", json=..., headers=mock.headers)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mockserver.config.overrides import SettingsOverrides
from mockserver.config.settings import NAMES, Settings, did_you_mean
from mockserver.config.values import SettingsError
from mockserver.core.clock import Clock
from mockserver.core.models import JobStatus
from mockserver.service import JobConflict, MockService, ScenarioError
from mockserver.testing.verify import MAX_LISTED, UNSET, describe, fits
from mockserver.web.app import create_app
from mockserver.web.context import service
from mockserver.web.servers import HTTPServer, make_server

if TYPE_CHECKING:  # typing.Unpack is 3.11+; only type checkers and IDEs read it
    from typing_extensions import Unpack

DEFAULT_API_ID = "test-api-id"
DEFAULT_API_KEY = "test-api-key"
#: Embedded mocks send webhooks only to this machine unless told otherwise: a test double never calls out.
LOOPBACK_HOSTS = "127.0.0.1,localhost,::1"
__all__ = [
    "DEFAULT_API_ID",
    "DEFAULT_API_KEY",
    "LOOPBACK_HOSTS",
    "JobConflict",
    "MockServer",
    "ScenarioError",
]


class MockServer:
    """A live mock on ``127.0.0.1`` (port 0 by default); settings by keyword, e.g. ``MockServer(timing="manual")``."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        **overrides: Unpack[SettingsOverrides],
    ) -> None:
        base = settings or Settings(port=0, log_requests=False, webhook_allow_hosts=LOOPBACK_HOSTS)
        unknown = next((name for name in overrides if name not in NAMES), None)
        if unknown is not None:  # as Python words it for any function, with the closest setting
            raise TypeError(
                f"MockServer() got an unexpected keyword argument {unknown!r}{did_you_mean(unknown)}"
            )
        self.settings = base.with_overrides(overrides) if overrides else base
        pairs = self.settings.api_keys
        self.api_id, self.api_key = next(iter(pairs.items())) if pairs else (DEFAULT_API_ID, DEFAULT_API_KEY)
        self.app = create_app(self.settings, clock)
        self.service: MockService = service(self.app)
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> MockServer:
        if self._server is not None:
            return self
        problem = self.settings.open_admin_problem()
        if problem is not None:  # the same refusal as ``creatify-mock serve``
            raise SettingsError(problem, "host")
        self._server = make_server(self.app, self.settings)
        self.service.start()
        self._thread = threading.Thread(target=self._serve, name="creatify-mock-server", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving; re-raise in the caller an error a background thread hit (so tests see it)."""
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout)
        self.service.close()
        self._server, self._thread = None, None
        error = self._error or self.service.background_error
        self._error = None
        if error is not None:
            raise RuntimeError(f"the mock's background thread failed: {error!r}") from error

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        assert self._server is not None
        try:
            self._server.serve_forever()
        except BaseException as exc:  # surfaced by stop()
            self._error = exc

    # -- what a test uses ----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("MockServer is not started: use it as a context manager or call start()")
        return self._server.url

    @property
    def headers(self) -> dict[str, str]:
        """Credentials headers accepted by this mock."""
        return {"X-API-ID": self.api_id, "X-API-KEY": self.api_key}

    def advance(
        self,
        job_id: str,
        status: str | JobStatus | None = None,
        response_text: str | None = None,
        failed_reason: str | None = None,
    ) -> dict[str, Any]:
        """Move a job now: one step, or straight to ``status`` (``running``, ``done``, ``failed``).

        KeyError for an unknown id; ``JobConflict`` for a terminal job, which under ``timing="instant"`` is
        every job (finished from its creation on): advance jobs under ``timing="manual"``, or decide their
        outcome beforehand with ``rule({"outcome": ...})``.
        """
        target = JobStatus(status) if status is not None else None
        return self.service.advance(job_id, target, response_text, failed_reason)

    def advance_clock(self, seconds: float) -> None:
        self.service.advance_clock(seconds)

    def reset(self) -> None:
        """Forget every job (and restart the seeded random sequence)."""
        self.service.reset()

    def jobs(self) -> list[dict[str, Any]]:
        """Every job of every account, newest first."""
        return self.service.list(None)

    def job(self, job_id: str) -> dict[str, Any] | None:
        return self.service.get(None, job_id)

    def webhooks(self, job_id: str | None = None) -> list[dict[str, Any]]:
        """The webhook delivery log (oldest first), optionally for one job."""
        return self.service.deliveries(job_id)

    def wait_for_webhooks(
        self, job_id: str | None = None, count: int | None = None, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the job's (or every) delivery is final — delivered, abandoned or dropped — and at least
        ``count`` exist; TimeoutError (saying what is pending) after ``timeout`` seconds."""
        return self.service.wait_for_deliveries(job_id, count, timeout)

    def with_settings(self, **overrides: Unpack[SettingsOverrides]) -> MockServer:
        """A new (unstarted) MockServer with these settings changed."""
        return MockServer(replace(self.settings), **overrides)

    # -- scenario rules (stubbing): the admin API's /__admin/scenarios, from Python -------------------------
    def add_rule(self, rule: Mapping[str, Any], position: int | None = None) -> dict[str, Any]:
        """Add a scenario rule (``schemas/scenario_rule.schema.json``, as ``POST /__admin/scenarios``) at the
        end, or at ``position``; first match wins. ``ScenarioError`` names what is wrong. Returns the rule as
        ``rules()`` shows it (its ``id`` is its ``name`` when it has one)."""
        return self.service.add_rules([rule], position)[0]

    @contextmanager
    def rule(self, rule: Mapping[str, Any], position: int | None = None) -> Iterator[dict[str, Any]]:
        """``with mock.rule({...}):`` the rule applies inside the block and is removed on leaving it."""
        added = self.add_rule(rule, position)
        try:
            yield added
        finally:
            self.service.remove_rule(added["id"])

    def rules(self) -> list[dict[str, Any]]:
        """The rules in force, in order, each with ``id``, ``remaining`` (of ``times``), ``applied``, ``rule``."""
        return self.service.rules()

    def remove_rule(self, rule_id: str) -> bool:
        """Remove one rule by id; False when there is none."""
        return self.service.remove_rule(rule_id)

    def clear_rules(self) -> None:
        """Remove every rule, the startup ones (``scenarios=FILE``) too; ``reset()`` brings those back."""
        self.service.clear_rules()

    def restore_rules(self) -> None:
        """Back to the startup rules: every rule added since is removed."""
        self.service.restore_rules()

    # -- request journal, credits and snapshots ------------------------------------------------------------
    def requests(
        self,
        path: str | None = None,
        method: str | None = None,
        status: int | str | None = None,
        api_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """API calls the mock received, newest first (``path`` exact or a prefix ending in ``*``; ``status``
        ``201`` or ``"4xx"``), as ``GET /__admin/requests`` shows them."""
        return self.service.requests(path=path, method=method, status=status, api_id=api_id)

    def assert_requested(
        self,
        path: str | None = None,
        method: str | None = None,
        *,
        count: int | None = None,
        json: Any = UNSET,
        json_contains: Any = UNSET,
        headers: Mapping[str, str] | None = None,
        status: int | str | None = None,
        api_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Verify calls were received (WireMock's verify): at least one, or exactly ``count``, that match.

        ``json`` is the whole parsed body (or a predicate on it), ``json_contains`` a part of it (dict keys
        compared recursively), ``headers`` values by (case-insensitive) name. Returns the matching calls; raises
        AssertionError listing what was received otherwise.
        """
        __tracebackhide__ = True
        if not self.service.journal_enabled:
            raise AssertionError("the request journal is off (journal_size=0): nothing can be verified")
        received = self.requests(api_id=api_id)
        wanted: dict[str, Any] = {
            k: v for k, v in (("path", path), ("method", method), ("status", status)) if v is not None
        }
        narrowed = self.service.requests(path=path, method=method, status=status, api_id=api_id)
        found = [e for e in narrowed if fits(e, json, json_contains, headers)]
        if (len(found) == count) if count is not None else bool(found):
            return found
        if json is not UNSET:
            wanted["json"] = json
        if json_contains is not UNSET:
            wanted["json_contains"] = json_contains
        if headers:
            wanted["headers"] = dict(headers)
        expected = f"exactly {count}" if count is not None else "at least 1"
        lines = [f"expected {expected} request(s) matching {wanted!r}; {len(found)} matched."]
        lines.append(
            f"Received {len(received)} API call(s), newest first:" if received else "No API calls received."
        )
        lines += [describe(e) for e in received[:MAX_LISTED]]
        if len(received) > MAX_LISTED:
            lines.append(f"  … and {len(received) - MAX_LISTED} more")
        raise AssertionError("\n".join(lines))

    def credits(self, api_id: str) -> float | None:
        """An account's credit balance; None means unlimited."""
        return self.service.credits(api_id)

    def set_credits(self, api_id: str, credits: float | None) -> None:
        """Set an account's balance (None: unlimited), as ``PUT /__admin/accounts/{id}``."""
        self.service.set_credits(api_id, credits)

    def export_state(self) -> dict[str, Any]:
        """The mock's state as ``GET /__admin/state`` gives it."""
        return self.service.export_state()

    def import_state(self, state: Mapping[str, Any]) -> None:
        """Replace jobs, balances, scenarios and the id sequence, as ``PUT /__admin/state``."""
        self.service.import_state(state)
