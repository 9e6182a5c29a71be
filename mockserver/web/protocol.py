"""uvicorn's HTTP/1.1 protocol (httptools, i.e. llhttp), with what a server facing hostile clients needs.

- Read timeouts: a request's headers must arrive within ``--header-timeout`` seconds of its first byte (or of
  the connection, for its first request), its body within ``--body-timeout`` seconds of its headers; past that
  the connection is closed. A connection idle between requests is closed after the keep-alive timeout.
  uvicorn has only the last one: 1,000 sockets sending a header byte every few seconds would be held forever.
- Malformed HTTP (llhttp refuses bare LF line ends, a Content-Length beside a Transfer-Encoding, chunk sizes
  that overflow, versions other than 1.0/1.1...) gets a 400 in the API's JSON shape, then a close.
- The hot calls (``FastPath.owns``) answered right here, as their request ends: no task, no ASGI messages,
  one write (``web.bridge`` would do the same work for them at about twice the cost per call).
- The connection's transport in each request's scope (``bridge.TRANSPORT_KEY``), so the scenario faults
  ``disconnect`` and ``drop_after`` can drop it.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import time
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from mockserver.core import jsonio
from mockserver.web.accesslog import log_access
from mockserver.web.bridge import EOF_KEY, HELD_KEY, TRANSPORT_KEY, Bridge
from mockserver.web.families import shaped
from mockserver.web.wsgicall import call

log = logging.getLogger("creatify_mock.http")


class Protocol(HttpToolsProtocol):
    """One connection. ``header_timeout`` and ``body_timeout`` are set on the class by ``web.serving``."""

    header_timeout = 10.0
    body_timeout = 30.0
    bridge: Bridge

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._inline: dict[str, Any] | None = None
        self._arm(self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        """A request's headers or body did not arrive in time: close (a slow client gets no answer)."""
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def eof_received(self) -> bool:  # type: ignore[override]  # asyncio.Protocol allows a bool
        """The client is done sending. A short answer still goes out (a half-closed client gets it), then the
        connection closes; an answer that waits (a stream, a sync call) takes it as the client leaving — a
        socket that was closed entirely says no more than this until something is written to it.
        uvicorn closes at once, answering nothing."""
        self._eof = True
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            self.transport.close()
            return False
        scope: dict[str, Any] = cycle.scope  # type: ignore[assignment]
        scope[EOF_KEY] = True
        if scope.get(HELD_KEY):
            cycle.disconnected = True
            cycle.message_event.set()
            self.transport.close()
            return False
        return True

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if getattr(self, "_eof", False) and not self.transport.is_closing():
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # a later request on a kept-alive connection: its first byte is here
            self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        self._arm(self.body_timeout)
        self._inline = self._hot_call()
        if self._inline is None:
            super().on_headers_complete()
            self.scope[TRANSPORT_KEY] = self.transport  # type: ignore[literal-required]

    def _hot_call(self) -> dict[str, Any] | None:
        """The environ of a call the fast path answers, when nothing else is under way on this connection."""
        bridge = self.bridge
        busy = self.cycle is not None and not self.cycle.response_complete
        if bridge.instant is None or busy or self.pipeline or self.expect_100_continue:
            return None
        try:
            url = httptools.parse_url(self.url)
        except httptools.HttpParserInvalidURLError:
            return None
        path = url.path.decode("latin-1")
        if "%" in path:
            return None  # uvicorn decodes it (as UTF-8) on the general path
        method = self.parser.get_method().decode("ascii")
        environ = bridge.environ(
            method, path, url.query or b"", self.headers, self.server, self.client, self.transport
        )
        if not bridge.instant(environ):
            return None
        self._keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
        self._body: list[bytes] = []
        return environ

    def on_body(self, body: bytes) -> None:
        if self._inline is not None:
            self._body.append(body)  # bounded: the fast path only takes bodies it knows to be small
        else:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm()
        environ = self._inline
        if environ is None:
            super().on_message_complete()
            return
        self._inline = None
        started = time.perf_counter()
        environ["wsgi.input"] = io.BytesIO(b"".join(self._body))
        status, headers, body = call(self.bridge.app, environ)
        head: list[bytes] = [STATUS_LINE[status]]
        for name, value in itertools.chain(self.server_state.default_headers, headers):
            head += [name, b": ", value, b"\r\n"]
        if not self._keep_alive:
            head.append(b"connection: close\r\n")
        head += [b"\r\n", body]
        self.transport.write(b"".join(head))
        if self.bridge.log_requests:
            log_access(environ, status, time.perf_counter() - started)
        if not self._keep_alive:
            self.transport.close()
        self.on_response_complete()

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.send_400_response("Upgrading the connection is not supported.")
        except httptools.HttpParserError as exc:
            self.send_400_response(f"Malformed HTTP request: {exc}.")

    def send_400_response(self, msg: str) -> None:
        """A 400 in the shape of the API the request was for (as far as its target was read), then close."""
        self._disarm()
        path = self.url.decode("latin-1") if getattr(self, "url", None) else ""
        body = jsonio.dumps(shaped(path, {"detail": msg}))
        head: list[bytes] = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\ncontent-length: ",
            str(len(body)).encode(),
            b"\r\nconnection: close\r\n\r\n",
            body,
        ]
        if not self.transport.is_closing():
            self.transport.write(b"".join(head))
            self.transport.close()
        log.debug("refused a request: %s", msg)


def configure(bridge: Bridge, header_timeout: float, body_timeout: float) -> type[Protocol]:
    """A protocol class for ``bridge`` with these read timeouts (uvicorn builds one instance per connection)."""
    attrs: dict[str, Any] = {"bridge": bridge, "header_timeout": header_timeout, "body_timeout": body_timeout}
    return type("ConfiguredProtocol", (Protocol,), attrs)
