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
from palabre.storage.errors import StorageUnavailable
from palabre.web.cache.shared import SharedCaching, shared_caching_of, without_vary
from palabre.web.cache.thread_cache import Entry, ThreadCache
from palabre.web.http.cors import OriginPolicy, cors_headers, named_site
from palabre.web.http.query import raw_params
from palabre.web.observe.ids import new_ids, request_id

CACHED_PATHS = {"/api/v1/comments": b"comments", "/api/v1/counts": b"counts"}
PAGE_PARAMETERS = (b"site", b"uri", b"sort", b"limit", b"cursor", b"featured")
PAGE_DEFAULTS = (b"default", b"", b"oldest", b"", b"", b"")
MEMO_ENTRIES = 1024  # query strings whose key is remembered, per path ...
MEMO_QUERY_BYTES = 2048  # ... if no longer than this: at most 2 MB a path
_memo: dict[str, dict[bytes, tuple[bytes, str | None]]] = {path: {} for path in CACHED_PATHS}


def read_key(path: str, query_string: bytes) -> tuple[bytes, str | None]:
    """The cache key of a read (:func:`cache_key`) and the site it names (None: none), the
    key remembered for the query strings most recently seen (a dictionary look-up on the
    hot path; a flood of new ones only empties the memo and pays the parsing)."""
    memo = _memo[path]
    found = memo.get(query_string)
    if found is None:
        found = cache_key(path, query_string), named_site(query_string)
        if len(query_string) <= MEMO_QUERY_BYTES:
            if len(memo) >= MEMO_ENTRIES:
                memo.clear()
            memo[query_string] = found
    return found


def cache_key(path: str, query_string: bytes) -> bytes:
    """The key of a read: only the parameters its handler reads, the last value of each
    (every ``uri`` of counts, in order), defaults filled in, in a fixed order. Unknown
    parameters and the order of distinct ones make no new entry, so they can neither bypass
    the cache nor fill it. Values stay percent-encoded (decoding costs more than the rare
    duplicate entry it would save) and contain no ``&``, which separates them: no value can
    forge another key."""
    if path == "/api/v1/counts":
        site = b""
        uris = []
        for name, value in raw_params(query_string):
            if name == b"uri":
                uris.append(b"&" + value)
            elif name == b"site":
                site = value
        return b"counts&" + (site or b"default") + b"".join(uris)
    found: dict[bytes, bytes] = {}
    for name, value in raw_params(query_string):
        if name in PAGE_PARAMETERS:
            found[name] = value
    return b"comments&" + b"&".join(found.get(name) or default for name, default
                                    in zip(PAGE_PARAMETERS, PAGE_DEFAULTS, strict=True))


GZIP_FROM = 1024  # bytes: smaller answers go as they are


def wants_gzip(accept_encoding: bytes | None) -> bool:
    """Whether an ``Accept-Encoding`` admits gzip (and does not refuse it with ``q=0``)."""
    if not accept_encoding or b"gzip" not in accept_encoding:
        return False
    for part in accept_encoding.split(b","):
        coding, _, params = part.strip().partition(b";")
        if coding.strip() == b"gzip":
            return params.replace(b" ", b"") not in (b"q=0", b"q=0.0", b"q=0.00", b"q=0.000")
    return False


def representation(entry: Entry, gzip_ok: bool) -> tuple[bytes, str, list[tuple[bytes, bytes]],
                                                          list[tuple[bytes, bytes]]]:
    """The body, ETag, headers and 304 headers to send for this entry."""
    if gzip_ok and len(entry.body) >= GZIP_FROM:
        return entry.gzipped()
    return entry.body, entry.etag, entry.headers, entry.not_modified_headers


def cached_response(request: Request, cache: ThreadCache, entry: Entry) -> Response:
    """Keep a freshly read answer for the next reads, and answer this one from it."""
    cache.put(read_key(request.scope["path"], request.scope["query_string"])[0], entry)
    gzip_ok = wants_gzip(request.headers.get("accept-encoding", "").encode())
    body, etag, headers, not_modified_headers = representation(entry, gzip_ok)
    shared = shared_caching_of(request)
    if shared is not None:
        headers, not_modified_headers = shared.headers(
            entry, headers, not_modified_headers, body is not entry.body)
    if not_modified(request.headers.get("if-none-match", "").encode() or None, etag):
        return Response(status_code=304, headers=dict_of(not_modified_headers))
    return Response(body, headers=dict_of(headers))


def dict_of(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {name.decode(): value.decode() for name, value in headers
            if name != b"content-length"}


def not_modified(header: bytes | None, etag: str) -> bool:
    return header is not None and etag.encode() in {m.strip() for m in header.split(b",")}


class CachedReads:
    """The outermost ASGI layer: cache hits here, everything else to ``app``. Hits, 304s
    and misses are counted in plain integers (web/observe/metrics.py reads them)."""

    def __init__(self, app: ASGIApp, cache: ThreadCache, ctx: Context,
                 origins: OriginPolicy, shared: SharedCaching | None = None) -> None:
        self.app = app
        self.cache = cache
        self.ctx = ctx
        self.origins = origins
        self.shared = shared
        self.hits = dict.fromkeys(CACHED_PATHS, 0)  # answered 200 from the cache
        self.revalidated = dict.fromkeys(CACHED_PATHS, 0)  # answered 304 from the cache
        self.misses = dict.fromkeys(CACHED_PATHS, 0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)  # app.state and the like, for tests and tools

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in CACHED_PATHS:
            key, site = read_key(scope["path"], scope["query_string"])
            try:
                entry = await self.cache.get(key, self.ctx.clock)
            except StorageUnavailable:
                entry = None  # the application answers: 503 with the envelope and CORS
            if entry is not None:
                await self.send_cached(scope, send, entry, site)
                return
            self.misses[scope["path"]] += 1
        await self.app(scope, receive, send)

    async def send_cached(self, scope: Scope, send: Send, entry: Entry,
                          site: str | None) -> None:
        match = origin = encodings = asked = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                match = bytes(value)
            elif name == b"origin":
                origin = bytes(value).decode("latin-1")
            elif name == b"accept-encoding":
                encodings = bytes(value)
            elif name == b"x-request-id":
                asked = bytes(value)
        body, etag, headers, not_modified_headers = representation(entry, wants_gzip(encodings))
        extra = [(b"x-request-id", next(new_ids) if asked is None else request_id(asked))]
        if origin and await self.origins.allowed(origin, site):
            extra += cors_headers(origin)
        if self.shared is not None:
            headers, not_modified_headers = self.shared.headers(
                entry, headers, not_modified_headers, body is not entry.body)
            extra = without_vary(extra)
        if not_modified(match, etag):
            self.revalidated[scope["path"]] += 1
            await send({"type": "http.response.start", "status": 304,
                        "headers": not_modified_headers + extra})
            await send({"type": "http.response.body", "body": b""})
            return
        self.hits[scope["path"]] += 1
        await send({"type": "http.response.start", "status": 200,
                    "headers": headers + extra})
        await send({"type": "http.response.body", "body": body})
