"""The hot path: answer cached reads straight from the ASGI scope, before any routing.

Every article view fetches its thread (and often counts); when the answer is cached and
still valid (web/thread_cache.py), it is sent from here in a few microseconds. Anything
else, a miss included, goes on to the application, whose handlers fill the cache.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from palabre.domain.context import Context
from palabre.web.thread_cache import Entry, ThreadCache

CACHED_PATHS = {"/api/v1/comments": b"comments?", "/api/v1/counts": b"counts?"}


def cache_key(path: str, query_string: bytes) -> bytes:
    return CACHED_PATHS[path] + query_string


def _if_none_match(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return bytes(value)
    return None


def not_modified(header: bytes | None, etag: str) -> bool:
    return header is not None and etag.encode() in {m.strip() for m in header.split(b",")}


async def send_cached(scope: Scope, send: Send, entry: Entry) -> None:
    if not_modified(_if_none_match(scope), entry.etag):
        await send({"type": "http.response.start", "status": 304,
                    "headers": entry.not_modified_headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.body})


class CachedReads:
    def __init__(self, app: ASGIApp, cache: ThreadCache, ctx: Context) -> None:
        self.app = app
        self.cache = cache
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in CACHED_PATHS:
            key = cache_key(scope["path"], scope["query_string"])
            entry = await self.cache.get(key, self.ctx.clock())
            if entry is not None:
                await send_cached(scope, send, entry)
                return
        await self.app(scope, receive, send)
