"""``GET /api/v1/events?site=S&uri=U``: the public events of one thread as Server-Sent Events.

Everything that can fail is checked before the stream starts, so a refusal keeps the JSON
error envelope: the site and the page (as the thread read checks them), ``Last-Event-ID``
(digits), and the bounds on streams per client and per worker (429, ``too_many_streams``).
Then the answer is ``text/event-stream``, marked for proxies not to buffer it: what the
client missed since ``Last-Event-ID`` (read from the outbox), then the thread's events as
the worker's hub hands them over, and a heartbeat comment line. The stream ends when the
client goes, when it is too slow to read (the browser reconnects and resumes), or when the
server shuts down (:func:`end_streams_on_signals`).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from palabre.domain.errors import InvalidInput
from palabre.domain.identity import client_key
from palabre.domain.uris import normalise_uri
from palabre.web.http.clients import client_address
from palabre.web.http.errors import error_response
from palabre.web.live.hub import Hub, Subscriber, TooManyStreams
from palabre.web.state import state

HEADERS = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache"),
           (b"x-accel-buffering", b"no")]
OPENING = b"retry: 3000\n\n"  # reconnect after 3 s; also sends the head through at once
RETRY_AFTER = "10"
MAX_EVENT_ID = 2**63 - 1


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.live_hub
    return hub


def parse_last_event_id(raw: str | None, field: str = "Last-Event-ID") -> int | None:
    """The id a reconnecting client last received; empty or absent: none."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_EVENT_ID:
        raise InvalidInput(f"{field} must be an event id this server sent",
                           reason="last_event_id_invalid", field=field)
    return int(raw)


def resume_position(request: Request) -> int | None:
    """Where a stream resumes: the ``Last-Event-ID`` header (the browser's own reconnect),
    else the ``last_event_id`` parameter (a new EventSource, which cannot set headers, opened
    again by the widget). The header wins; a malformed one is refused even with the other."""
    header = parse_last_event_id(request.headers.get("last-event-id"))
    query = parse_last_event_id(request.query_params.get("last_event_id"), "last_event_id")
    return header if header is not None else query


async def events(request: Request) -> Response:
    st = state(request)
    site = await st.ctx.site(request.query_params.get("site"))
    uri = normalise_uri(request.query_params.get("uri") or "")
    last = resume_position(request)
    hub = hub_of(request)
    client = client_key(st.ctx.secret, client_address(request, st.proxies))
    try:
        subscriber = hub.subscribe((site.id, uri), client, last)
    except TooManyStreams:
        return error_response(request, "rate_limited", reason="too_many_streams",
                              headers={"Retry-After": RETRY_AFTER})
    return EventStream(hub, subscriber, last)


class EventStream(Response):
    """The stream itself (a Response only in name: it never sets a length)."""

    def __init__(self, hub: Hub, subscriber: Subscriber, since: int | None) -> None:
        self.hub, self.subscriber, self.since = hub, subscriber, since
        self.status_code = 200
        self.raw_headers = list(HEADERS)
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "HEAD":  # the head alone (Starlette routes HEAD to GET)
            self.hub.unsubscribe(self.subscriber)
            await send({"type": "http.response.start", "status": 200,
                        "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        listener = asyncio.create_task(self._watch(receive))
        try:
            await send({"type": "http.response.start", "status": 200,
                        "headers": self.raw_headers})
            await self._send(send, OPENING)
            await self._replay(send)
            while (chunk := await self.subscriber.next()) is not None:
                await self._send(send, chunk)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.hub.unsubscribe(self.subscriber)
            listener.cancel()

    async def _replay(self, send: Send) -> None:
        if self.since is None or self.since >= self.subscriber.after:
            return
        async for chunk in self.hub.replay(self.subscriber.key, self.since,
                                           self.subscriber.after):
            if self.subscriber.closed:
                return
            await self._send(send, chunk)

    @staticmethod
    async def _send(send: Send, chunk: bytes) -> None:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def _watch(self, receive: Receive) -> None:
        """Drop the stream as soon as the client goes (a write to it would not tell)."""
        while (await receive())["type"] != "http.disconnect":
            pass
        self.subscriber.drop()


SignalHandler = Callable[[int, FrameType | None], Any]


@contextlib.contextmanager
def end_streams_on_signals(hub: Hub) -> Iterator[None]:
    """End every stream when the process is told to stop (SIGINT, SIGTERM), before the
    server waits for open connections to finish: without this, an open stream would hold
    a graceful shutdown forever. The server's own handler still runs. Only in the main
    thread (where the server installs its handlers), and only over a handler it set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous: dict[signal.Signals, SignalHandler] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(sig)
        if callable(handler):
            previous[sig] = handler
            signal.signal(sig, _chained(loop, hub, handler))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _chained(loop: asyncio.AbstractEventLoop, hub: Hub,
             handler: SignalHandler) -> SignalHandler:
    def on_signal(signum: int, frame: FrameType | None) -> Any:
        loop.call_soon_threadsafe(hub.end_streams)
        return handler(signum, frame)
    return on_signal


class Endpoint:
    """``events`` as a bare ASGI endpoint: Starlette's request-response wrapper would keep
    its layers (and the Request) alive for the whole life of every stream. A refusal raised
    before the stream starts still reaches the error handlers, which wrap every route."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await events(Request(scope, receive))
        await response(scope, receive, send)


routes = [Route("/api/v1/events", Endpoint(), methods=["GET"])]
