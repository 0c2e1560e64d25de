"""The HTTP protocol ``palabre serve`` runs: uvicorn's (httptools), with a deadline on heads.

uvicorn closes a keep-alive connection idle for ``timeout_keep_alive`` after a response, but
waits forever for the first request of a connection and for the rest of a request head
that arrives slowly: a client holding thousands of such connections holds the workers'
sockets and memory. Here a connection must deliver a complete request head (request line
and headers) within ``head_timeout_seconds`` of opening, or of starting to send it after a
previous response; otherwise it is closed. The body, and the time the application takes,
are not limited here (the body size is: ``max_body_bytes``).

A request head httptools cannot read (over its fixed limit of about 80 KB: a 100 KB URL,
counts with thousands of pages) is answered before any application code runs; under
/api/ the answer keeps the error envelope (414 when the URL alone is long, else 400).
"""

from __future__ import annotations

import asyncio
import os

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from palabre.settings import BY_NAME

LONG_URL_BYTES = 8192
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

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.head_timeout = head_timeout()
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self.head_deadline is None and (self.cycle is None or self.cycle.response_complete):
            self._await_head()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._head_received()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_received()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        if self.head_timeout > 0:
            self.head_deadline = self.loop.call_later(self.head_timeout, self._head_late)

    def _head_received(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_late(self) -> None:
        self.head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's bare ``400 text/plain`` for an unreadable head; the envelope under /api/."""
        url = getattr(self, "url", b"") or b""
        if not url.startswith(b"/api/"):
            super().send_400_response(msg)
            return
        status = b"414 URI Too Long" if len(url) > LONG_URL_BYTES else b"400 Bad Request"
        head = [b"HTTP/1.1 " + status + b"\r\n"]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [b"content-type: application/json\r\n",
                 b"content-length: " + str(len(UNREADABLE)).encode() + b"\r\n",
                 b"connection: close\r\n\r\n", UNREADABLE]
        self.transport.write(b"".join(head))
        self.transport.close()
