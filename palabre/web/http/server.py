"""The HTTP protocol ``palabre serve`` runs: uvicorn's (httptools), with a deadline on heads.

uvicorn closes a keep-alive connection idle for ``timeout_keep_alive`` after a response, but
waits forever for the first request of a connection and for the rest of a request head
that arrives slowly: a client holding thousands of such connections holds the workers'
sockets and memory. Here a connection must deliver a complete request head (request line
and headers) within ``head_timeout_seconds`` of opening, or of starting to send it after a
previous response; otherwise it is closed. The body, and the time the application takes,
are not limited here (the body size is: ``max_body_bytes``).

A request head httptools cannot read (a URL over 64 KB, counts with thousands of pages),
or one over ``MAX_HEAD_BYTES`` (httptools sets no limit on headers: without this, a client
could send megabytes of them within the head deadline), is answered before any route runs;
under /api/ the answer keeps the error envelope (414 when the URL alone is long, else 400).
So that a widget on
another origin can read that answer, the rest of the head is read (up to ``HEAD_CAP``, within
the head deadline) to find its ``Origin``, and the app is asked about it exactly as a browser
would ask: a preflight (``OPTIONS``) naming the site the URL names, if the part read names
one. The app's CORS layer (web/http/cors.py) answers it with the site's policy; the origin it
admits, and only that, is echoed in ``Access-Control-Allow-Origin``.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import orjson
from starlette.types import ASGIApp, Message
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from palabre.settings import BY_NAME
from palabre.web.http.cors import EXPOSE_HEADERS

LONG_URL_BYTES = 8192
MAX_HEAD_BYTES = 80 * 1024  # a request line and headers past this are refused
HEAD_CAP = 256 * 1024  # bytes of an unreadable head kept while looking for its end
UNREADABLE = orjson.dumps({"error": {
    "code": "invalid_input", "reason": "request_unreadable",
    "message": "The request could not be read: its request line and headers must stay "
               "under about 80 KB (counts takes at most 500 pages)."}})

HEAD_TIMEOUT_VARIABLE = BY_NAME["head_timeout_seconds"].env_var


def head_timeout() -> float:
    """The deadline, as ``palabre serve`` passes it to its workers (the environment)."""
    raw = os.environ.get(HEAD_TIMEOUT_VARIABLE)
    setting = BY_NAME["head_timeout_seconds"]
    value = setting.parse(raw) if raw else setting.default
    return float(value)


class HeadDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections slow to send a request head."""

    head_deadline: asyncio.TimerHandle | None = None
    head_timeout = 10.0
    reading_head = False  # between the first byte of a request and the end of its head
    raw_head = b""  # the bytes received while reading_head (kept for an unreadable head)
    unreadable = False  # the head could not be parsed: its rest is read, then answered
    answering = False
    unreadable_is_read = True  # the unreadable request was a read (GET or HEAD)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.head_timeout = head_timeout()
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self.unreadable:
            self._drain(data)
            return
        if not self.reading_head and (self.cycle is None or self.cycle.response_complete):
            self._await_head()  # the first bytes of the next request on a kept-alive connection
        if self.reading_head:
            self.raw_head += data
        super().data_received(data)
        if self.reading_head and not self.unreadable and len(self.raw_head) > MAX_HEAD_BYTES:
            self.send_400_response("Request head too large.")  # httptools has no limit

    def on_headers_complete(self) -> None:
        if len(self.raw_head) > MAX_HEAD_BYTES and (
                self.raw_head.find(b"\r\n\r\n") + 4 > MAX_HEAD_BYTES):
            raise ValueError("request head too large")  # the parser's error: send_400_response
        super().on_headers_complete()  # raises on a URL httptools cannot parse (over 64 KB)
        self._head_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_received()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self.reading_head, self.raw_head = True, b""
        if self.head_timeout > 0:
            self.head_deadline = self.loop.call_later(self.head_timeout, self._head_late)

    def _head_received(self) -> None:
        self.reading_head, self.raw_head = False, b""
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_late(self) -> None:
        self.head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's bare ``400 text/plain`` for an unreadable head; the envelope under /api/,
        once the rest of the head is in (or ``HEAD_CAP`` is reached)."""
        url = getattr(self, "url", b"") or b""
        if not url.startswith(b"/api/"):
            super().send_400_response(msg)
            return
        self.unreadable = True
        self._drain(b"")

    def _drain(self, data: bytes) -> None:
        """Keep the bytes of an unreadable head until its end, then answer once."""
        self.raw_head += data
        if self.answering or (b"\r\n\r\n" not in self.raw_head
                              and len(self.raw_head) < HEAD_CAP):
            return
        self.answering = True
        target, origin = head_fields(self.raw_head, getattr(self, "url", b"") or b"")
        self.unreadable_is_read = self.raw_head.split(b" ", 1)[0] in (b"GET", b"HEAD")
        self._head_received()
        task = self.loop.create_task(self._answer_unreadable(target, origin))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer_unreadable(self, target: bytes, origin: bytes | None) -> None:
        status = b"414 URI Too Long" if len(target) > LONG_URL_BYTES else b"400 Bad Request"
        head = [b"HTTP/1.1 " + status + b"\r\n"]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        if origin is not None and await self._admitted(origin, target):
            head += [b"access-control-allow-origin: ", origin, b"\r\n",
                     b"access-control-expose-headers: ", EXPOSE_HEADERS.encode(), b"\r\n",
                     b"vary: Origin\r\n"]
            if not self.unreadable_is_read:  # a write: its answers allow credentials (CORS)
                head.append(b"access-control-allow-credentials: true\r\n")
        head += [b"content-type: application/json\r\n",
                 b"content-length: " + str(len(UNREADABLE)).encode() + b"\r\n",
                 b"connection: close\r\n\r\n", UNREADABLE]
        if not self.transport.is_closing():
            self.transport.write(b"".join(head))
            self.transport.close()

    async def _admitted(self, origin: bytes, target: bytes) -> bool:
        """Whether the app's CORS admits ``origin`` for the site ``target`` names: the
        answer to a preflight, which CORS gives before any route (and never errs on)."""
        _, _, query = target.partition(b"?")
        scope = preflight_scope(origin, query, self.server, self.client, self.app_state)
        try:
            allowed = await preflight(self.app, scope)
        except Exception:
            self.logger.exception("CORS check of an unreadable request failed")
            return False
        return allowed == origin


def head_fields(raw: bytes, parsed_url: bytes) -> tuple[bytes, bytes | None]:
    """The request target of a raw head (the parser's URL when the request line was cut),
    and its ``Origin`` when it has exactly one."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = [line.rstrip(b"\r") for line in head.split(b"\n")]
    first = lines[0].split(b" ")
    target = first[1] if len(first) == 3 and first[2].startswith(b"HTTP/") else parsed_url
    origins = [value.strip() for name, sep, value in (line.partition(b":") for line in lines[1:])
               if sep and name.strip().lower() == b"origin"]
    return target, origins[0] if len(origins) == 1 and origins[0] else None


def preflight_scope(origin: bytes, query: bytes, server: Any, client: Any,
                    state: dict[str, Any]) -> dict[str, Any]:
    """A preflight from ``origin`` to /api/ with the request's query string (whose
    ``site=``, if the part read holds one, the CORS layer reads as it reads any request's)."""
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1", "method": "OPTIONS", "scheme": "http",
            "path": "/api/", "raw_path": b"/api/", "root_path": "", "query_string": query,
            "headers": [(b"origin", origin), (b"access-control-request-method", b"GET")],
            "server": server, "client": client, "state": state.copy()}


async def preflight(app: ASGIApp, scope: dict[str, Any]) -> bytes | None:
    """The ``Access-Control-Allow-Origin`` the app answers a preflight with, if any."""
    allowed: bytes | None = None

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal allowed
        if message["type"] == "http.response.start":
            for name, value in message.get("headers", []):
                if bytes(name).lower() == b"access-control-allow-origin":
                    allowed = bytes(value)

    await app(scope, receive, send)
    return allowed
