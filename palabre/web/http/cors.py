"""CORS for /api/: admits the origins some site allows (any, for a site that lists none).

Each write also checks its own site's list (domain/comments.py, check_origin), so an origin
allowed by one site cannot write to another.
"""

from __future__ import annotations

import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palabre.domain.ports import Storage

ALLOW_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Content-Type, Authorization, If-None-Match"
EXPOSE_HEADERS = "ETag, Retry-After"
SITES_TTL = 5.0


class OriginPolicy:
    """Which origins some site allows, re-read from the sites every few seconds."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._origins: frozenset[str] | None = None
        self._loaded = -SITES_TTL

    async def allowed(self, origin: str) -> bool:
        if time.monotonic() - self._loaded > SITES_TTL:
            sites = await self.storage.list_sites()
            any_origin = any(not s.settings.allowed_origins for s in sites)
            self._origins = None if any_origin else frozenset(
                o for s in sites for o in s.settings.allowed_origins)
            self._loaded = time.monotonic()
        return self._origins is None or origin in self._origins


def cors_headers(origin: str) -> list[tuple[bytes, bytes]]:
    """What an answer to an allowed origin carries (web/fastpath.py sends it raw)."""
    return [(b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-expose-headers", EXPOSE_HEADERS.encode()),
            (b"vary", b"Origin")]


class SiteCORS:
    def __init__(self, app: ASGIApp, policy: OriginPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        if origin is None or not await self.policy.allowed(origin):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            response = Response(status_code=204, headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": "86400",
                "Vary": "Origin",
            })
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Access-Control-Allow-Origin"] = origin
                headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
                headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)
