"""The ASGI front of the one server: a WSGI app (the Flask app, or the recording proxy) on an event loop.

Each call is read whole on the loop (bounded), turned into a WSGI environ, then answered one of three ways:
- the hot calls the fast path owns (``FastPath.owns``: both families' create, read, list, and streams) run
  inline on the loop: a few tens of microseconds of the facade, cheaper than any hand-off to a thread (the
  instant ones usually never get here: ``web.protocol`` answers them itself);
- everything else runs the WSGI app in the thread pool (``--threads``): Flask, its pipeline, its views;
- a view whose answer waits (a stream, a sync create) hands back an ``AsyncBody`` (``web.streaming``), which is
  driven here on the loop — it costs no thread while it waits — and stopped as soon as the client leaves.
A WSGI body of unknown length (the recording proxy's streams) is pulled piece by piece from the pool.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from mockserver.core import jsonio
from mockserver.web import accesslog
from mockserver.web.families import shaped
from mockserver.web.streaming import CAN_WAIT_KEY, HOST_KEY, WAIT_KEY, AsyncBody
from mockserver.web.wsgicall import Answer, call

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ABORTED_KEY = "creatify_mock.aborted"
TRANSPORT_KEY = "creatify_mock.transport"  # put in the scope by ``web.protocol``
#: In the scope: the answer is waiting (set here) / the client has stopped sending (set by ``web.protocol``).
HELD_KEY, EOF_KEY = "creatify_mock.held", "creatify_mock.eof"
CLOSE = (b"connection", b"close")
BASE_ENVIRON: dict[str, Any] = {
    "SCRIPT_NAME": "",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.multithread": True,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
    "wsgi.input_terminated": True,
    CAN_WAIT_KEY: True,
}


class Host:
    """``web.streaming.StreamHost``: drops the client's connection from the loop or from a pool thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def abort(self, environ: MutableMapping[str, Any]) -> bool:
        transport = environ.get(TRANSPORT_KEY)
        if transport is None:
            return False
        environ[ABORTED_KEY] = True
        self.loop.call_soon_threadsafe(transport.abort)
        return True


class Bridge:
    """The ASGI application uvicorn runs (``web.serving``)."""

    def __init__(
        self,
        app: WSGIApp,
        pool: ThreadPoolExecutor,
        max_body: int,
        inline: Callable[[dict[str, Any]], bool] | None = None,
        log_requests: bool = False,
        instant: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.app = app
        self.pool = pool
        self.max_body = max_body
        self.inline = inline  # calls answered on the loop (a waiting answer comes back as an AsyncBody)
        self.instant = instant  # calls ``web.protocol`` may answer itself: on the loop, never waiting
        self.log_requests = log_requests
        self.host: Host | None = None
        # Opening a stream or a sync create (the job, its text) takes about a millisecond: on the loop, a burst of
        # 2,000 would hold every other client for seconds; on the --threads pool, eight threads would take the GIL
        # from the loop in turns. One thread opens them one after another; the loop keeps answering meanwhile.
        self.opener = ThreadPoolExecutor(1, thread_name_prefix="creatify-mock-opener")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        environ = self._environ(scope)
        status = await self._serve(scope, environ, receive, send)
        if self.log_requests:
            accesslog.log_access(environ, status, time.perf_counter() - started)

    async def _serve(self, scope: Scope, environ: dict[str, Any], receive: Receive, send: Send) -> int:
        declared = environ.get("CONTENT_LENGTH", "")
        if declared.isdigit() and int(declared) > self.max_body:
            return await _refuse(
                environ, send, 413, f"Request body is over the limit of {self.max_body} bytes."
            )
        body = await self._body(receive)
        if body is None:  # the client left, or sent more than the limit
            return await _refuse(
                environ, send, 413, f"Request body is over the limit of {self.max_body} bytes."
            )
        environ["wsgi.input"] = io.BytesIO(body)
        if not declared:
            environ["CONTENT_LENGTH"] = str(len(body)) if body else ""
        if self.inline is not None and self.inline(environ):
            loop = asyncio.get_running_loop()
            if self.instant is not None and self.instant(environ):
                status, headers, out = call(self.app, environ)
            else:  # a stream or sync create: its opening (job, text) in the one opener thread, see __init__
                status, headers, out = await loop.run_in_executor(self.opener, call, self.app, environ)
        else:
            status, headers, out = await asyncio.get_running_loop().run_in_executor(
                self.pool, call, self.app, environ
            )
        if WAIT_KEY in environ:  # a scenario's latency: waited here, on the loop, then the call runs again
            again = await self._again_after_wait(environ, body)
            if again is None:
                return 0
            status, headers, out = again
        if environ.get(ABORTED_KEY):
            await _until_gone(receive)
            return 0
        if isinstance(out, bytes):
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": out})
        elif isinstance(out, Iterator):
            await self._pull(out, status, headers, send, receive)
        else:
            scope[HELD_KEY] = True
            if scope.get(EOF_KEY):  # the client stopped sending while the app ran: it is not waiting for this
                out[0].close()
                return 499
            status = await self._drive(out, environ, status, headers, send, receive)
        return status

    async def _again_after_wait(self, environ: dict[str, Any], body: bytes) -> Answer | None:
        """Wait what the call asked (``streaming.wait_then_again``: no thread is held, so calls waiting out a
        latency never hold up others), then run it again in the pool; None when the server stops first. The
        client leaving meanwhile does not cancel the call: as before, the job it creates exists."""
        seconds = environ.pop(WAIT_KEY)
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:  # the server is stopping: its connections are gone, nothing to answer
            return None
        environ["wsgi.input"] = io.BytesIO(body)
        return await asyncio.get_running_loop().run_in_executor(self.pool, call, self.app, environ)

    async def _body(self, receive: Receive) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            part = message.get("body", b"")
            size += len(part)
            if size > self.max_body:
                return None
            parts.append(part)
            if not message.get("more_body", False):
                return b"".join(parts)

    def _environ(self, scope: Scope) -> dict[str, Any]:
        return self.environ(
            scope["method"],
            scope["path"],
            scope["query_string"],
            scope["headers"],
            scope.get("server"),
            scope.get("client"),
            scope.get(TRANSPORT_KEY),
        )

    def environ(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        server: Any,
        client: Any,
        transport: Any,
    ) -> dict[str, Any]:
        """The WSGI environ of a request (PEP 3333: the path's UTF-8 bytes as latin-1 text)."""
        server = server or ("127.0.0.1", 0)
        client = client or ("", 0)
        environ = BASE_ENVIRON | {
            "REQUEST_METHOD": method,
            "PATH_INFO": path if path.isascii() else path.encode("utf-8").decode("latin-1"),
            "QUERY_STRING": query.decode("latin-1"),
            "SERVER_NAME": server[0],
            "SERVER_PORT": str(server[1]),
            "REMOTE_ADDR": client[0],
            "REMOTE_PORT": str(client[1]),
            "wsgi.errors": None,
            HOST_KEY: self.host,
            TRANSPORT_KEY: transport,
        }
        for raw_name, raw_value in headers:
            name = raw_name.decode("latin-1").upper().replace("-", "_")
            value = raw_value.decode("latin-1")
            if name not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                name = "HTTP_" + name
            environ[name] = f"{environ[name]},{value}" if name in environ else value
        return environ

    async def _pull(
        self,
        out: Iterator[bytes],
        status: int,
        headers: list[tuple[bytes, bytes]],
        send: Send,
        receive: Receive,
    ) -> None:
        """A WSGI body of unknown length: each piece from the pool, sent as it comes."""
        loop = asyncio.get_running_loop()
        await send({"type": "http.response.start", "status": status, "headers": headers})
        try:
            while (piece := await loop.run_in_executor(self.pool, next, out, None)) is not None:
                if piece:
                    await send({"type": "http.response.body", "body": piece, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            close = getattr(out, "close", None)
            if close is not None:
                await loop.run_in_executor(self.pool, close)

    async def _drive(
        self,
        body: tuple[AsyncBody, Any],
        environ: dict[str, Any],
        status: int,
        headers: list[tuple[bytes, bytes]],
        send: Send,
        receive: Receive,
    ) -> int:
        """An answer that waits, on the loop; the client leaving (``receive`` says so) stops it at once.

        One task pumps the pieces for the whole answer (not one task and one ``asyncio.wait`` per piece: 2,000
        realtime streams wake together at every chunk, and that per-piece cost made each such loop turn long
        enough to hold other clients' calls for tens of milliseconds)."""
        answer, wsgi_body = body
        gone = asyncio.ensure_future(_until_gone(receive))
        kept: list[bytes] = []

        async def pump() -> None:
            if not answer.whole:
                await send({"type": "http.response.start", "status": status, "headers": headers})
            async for piece in answer:
                if answer.whole:
                    kept.append(piece)
                else:
                    await send({"type": "http.response.body", "body": piece, "more_body": True})

        pumping = asyncio.ensure_future(pump())
        try:
            await asyncio.wait((pumping, gone), return_when=asyncio.FIRST_COMPLETED)
            if not pumping.done():  # the client left
                pumping.cancel()
                return 499
            pumping.result()  # what went wrong while pumping, raised here
            if environ.get(ABORTED_KEY):
                await gone
                return status
            if answer.whole:
                whole = b"".join(kept)
                headers = [*headers, (b"content-length", str(len(whole)).encode())]
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": whole})
            else:
                await send({"type": "http.response.body", "body": b""})
            return status
        finally:
            gone.cancel()
            answer.close()
            close = getattr(wsgi_body, "close", None)
            if close is not None:
                close()


async def _until_gone(receive: Receive) -> None:
    """Wait until the client has left (``http.disconnect``); the request's body was read already."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _refuse(environ: dict[str, Any], send: Send, status: int, detail: str) -> int:
    """An error in the API's shape that closes the connection (its body may still be arriving)."""
    body = jsonio.dumps(shaped(environ.get("PATH_INFO", ""), {"detail": detail}))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), CLOSE]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return status
