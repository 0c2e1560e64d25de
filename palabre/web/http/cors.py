"""CORS for /api/: admits an origin for the site a request addresses, decided per request.

A request names its site in the query string (``site=``), or addresses the ``default`` site.
A site that lists no origins admits any; a site that lists some admits only those. A
preflight carries no body, so a write that names its site in its body (POST a comment) is
preflighted without one: then an origin some site lists explicitly is admitted too, and
the write itself checks its own site's list (domain/comments.py, check_origin), so an origin
allowed by one site cannot write to another. An origin no site lists is never echoed unless
the addressed site admits any origin.
"""

from __future__ import annotations

import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palabre.domain.ports import Storage
from palabre.web.http.query import decoded, raw_params

ALLOW_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Content-Type, Authorization, If-None-Match, Last-Event-ID"
EXPOSE_HEADERS = "ETag, Retry-After"
SITES_TTL = 5.0


class OriginPolicy:
    """Which origins each site allows, re-read from the sites every few seconds, and at once
    when a request names a site not known yet (one made a moment ago by another process:
    the read is one small query, no dearer than any uncached read)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._sites: dict[str, frozenset[str] | None] = {}  # None: any origin
        self._listed: frozenset[str] = frozenset()
        self._loaded = -SITES_TTL

    async def allowed(self, origin: str, site: str | None = None) -> bool:
        """Whether ``origin`` is admitted for a request that names ``site`` in its query
        string (None: names none)."""
        if time.monotonic() - self._loaded > SITES_TTL or (
                site is not None and site not in self._sites):
            await self._load()
        if site is None and origin in self._listed:
            return True
        rule = self._sites.get(site or DEFAULT_SITE, NO_ORIGIN)
        return rule is None or origin in rule


    async def _load(self) -> None:
        sites = await self.storage.list_sites()
        self._sites = {s.slug: frozenset(s.settings.allowed_origins) or None for s in sites}
        self._listed = frozenset(o for s in sites for o in s.settings.allowed_origins)
        self._loaded = time.monotonic()


NO_ORIGIN: frozenset[str] = frozenset()  # an unknown site admits no origin
DEFAULT_SITE = "default"


def named_site(query_string: bytes) -> str | None:
    """The site a query string names (the last ``site=``, as the handlers read it)."""
    site = None
    for name, value in raw_params(query_string):
        if name == b"site":
            site = value
    return None if site is None else decoded(site)


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
        if origin is None or not await self.policy.allowed(
                origin, named_site(scope["query_string"])):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            response = Response(status_code=204, headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": "86400",
                # A moderator's session cookie may ride along a write from the widget (it is
                # SameSite=Strict: only a page of the same site can send it): staff comments.
                "Access-Control-Allow-Credentials": "true",
                "Vary": "Origin",
            })
            await response(scope, receive, send)
            return

        writes = scope["method"] not in ("GET", "HEAD")

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Access-Control-Allow-Origin"] = origin
                headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
                if writes:
                    headers["Access-Control-Allow-Credentials"] = "true"
                if "origin" not in headers.get("vary", "").lower():  # shared-cache mode's
                    headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)
