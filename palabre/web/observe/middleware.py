"""The layer every request reaching the application goes through (cache hits are answered
before it, by web/cache/fastpath.py, which echoes their request id itself): the request id
(kept for the log records made meanwhile, echoed in ``X-Request-ID``), the request counted
and timed by route when /metrics is open, and the access log line when ``access_log`` is
on."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palabre.web.observe.ids import HEADER, current, from_headers
from palabre.web.observe.metrics import Metrics

access = logging.getLogger("palabre.access")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNTIMED = frozenset({"/api/v1/events"})  # streams last as long as the reader stays


class Observed:
    def __init__(self, app: ASGIApp, metrics: Metrics | None, access_log: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)  # the application's state, router, ...

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = from_headers(scope["headers"])
        current.set(rid.decode("ascii"))  # each request runs in a task of its own context
        status = 500  # unless a response starts: an error escaping every handler

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER, rid)]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, observed)
        finally:
            self.done(scope, status, time.perf_counter() - started)

    def done(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"] if scope["method"] in METHODS else "other"
        if self.metrics is not None:
            self.metrics.observe(route, method, status, None if route in UNTIMED else seconds)
        if self.access_log:
            access.info("%s %s %d %.1f ms", method, route, status, seconds * 1000,
                        extra={"http": {"method": method, "route": route, "status": status,
                                        "duration_ms": round(seconds * 1000, 3)}})
