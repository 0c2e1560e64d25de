"""The hot path: answer cached reads straight from the ASGI scope, before the framework.

Every article view fetches its thread (and often counts); when the answer is cached and
still valid (web/cache/thread_cache.py), it is sent from here in a few microseconds, with its
CORS headers. Anything else, a miss included, goes on to the application (Starlette),
whose handlers fill the cache.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from palabre.domain.context import Context
from palabre.web.cache.thread_cache import Entry, ThreadCache
from palabre.web.http.cors import OriginPolicy, cors_headers, named_site

CACHED_PATHS = {"/api/v1/comments": b"comments?", "/api/v1/counts": b"counts?"}


def cache_key(path: str, query_string: bytes) -> bytes:
    return CACHED_PATHS[path] + query_string


def cached_response(request: Request, cache: ThreadCache, entry: Entry) -> Response:
    """Keep a freshly read answer for the next reads, and answer this one from it."""
    cache.put(cache_key(request.url.path, request.scope["query_string"]), entry)
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache"}
    if not_modified(request.headers.get("if-none-match", "").encode() or None, entry.etag):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type="application/json", headers=headers)


def not_modified(header: bytes | None, etag: str) -> bool:
    return header is not None and etag.encode() in {m.strip() for m in header.split(b",")}


class CachedReads:
    """The outermost ASGI layer: cache hits here, everything else to ``app``."""

    def __init__(self, app: ASGIApp, cache: ThreadCache, ctx: Context,
                 origins: OriginPolicy) -> None:
        self.app = app
        self.cache = cache
        self.ctx = ctx
        self.origins = origins

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)  # app.state and the like, for tests and tools

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in CACHED_PATHS:
            key = cache_key(scope["path"], scope["query_string"])
            entry = await self.cache.get(key, self.ctx.clock())
            if entry is not None:
                await self.send_cached(scope, send, entry)
                return
        await self.app(scope, receive, send)

    async def send_cached(self, scope: Scope, send: Send, entry: Entry) -> None:
        match = origin = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                match = bytes(value)
            elif name == b"origin":
                origin = bytes(value).decode("latin-1")
        extra = (cors_headers(origin) if origin and await self.origins.allowed(
            origin, named_site(scope["query_string"])) else [])
        if not_modified(match, entry.etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": entry.not_modified_headers + extra})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": entry.headers + extra if extra else entry.headers})
        await send({"type": "http.response.body", "body": entry.body})
