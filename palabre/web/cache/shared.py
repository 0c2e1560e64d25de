"""The optional shared-cache mode (``shared_cache_seconds``): public thread reads told
cacheable by a CDN or a reverse proxy's cache for a few seconds.

Only the two reads the in-process cache already shares between every reader carry it:
``GET /api/v1/comments`` and ``GET /api/v1/counts`` (their answers depend on the query
alone, never on a cookie, a token or the client). Everything else keeps its own
``Cache-Control`` (``no-cache``, ``no-store``), and errors carry none. A cacheable answer says
``Cache-Control: public, max-age=0, s-maxage=N, stale-while-revalidate=M``: a shared cache
keeps it N seconds and may answer M more seconds with it while it fetches a fresh one; a
browser revalidates every time (its ETag makes that a 304). It varies by ``Origin`` as well
as ``Accept-Encoding``, always, in one ``Vary`` line (some caches read only one line): an
answer made for a page of one origin carries that origin's CORS headers and must not be
handed to another.
"""

from __future__ import annotations

from starlette.requests import Request

from palabre.web.cache.thread_cache import Entry

Headers = list[tuple[bytes, bytes]]
VARY = (b"vary", b"Accept-Encoding, Origin")


class SharedCaching:
    """How answers of the shared reads are marked; ``swap`` is memoised per entry."""

    def __init__(self, seconds: int, stale_seconds: int) -> None:
        self.cache_control = (b"cache-control", b"public, max-age=0, s-maxage=%d, "
                              b"stale-while-revalidate=%d" % (seconds, max(0, stale_seconds)))

    def headers(self, entry: Entry, headers: Headers, not_modified: Headers,
                gzipped: bool) -> tuple[Headers, Headers]:
        """``headers`` and ``not_modified`` (the entry's, gzipped or not) as a shared cache
        may keep them: made once per entry and representation."""
        memo: dict[bool, tuple[Headers, Headers]] | None = getattr(entry, "shared_headers", None)
        if memo is None:
            memo = {}
            entry.shared_headers = memo  # type: ignore[attr-defined]
        found = memo.get(gzipped)
        if found is None:
            found = memo[gzipped] = (self.swap(headers), self.swap(not_modified))
        return found

    def swap(self, headers: Headers) -> Headers:
        return [self.cache_control if name == b"cache-control" else VARY if name == b"vary"
                else (name, value) for name, value in headers]


def shared_caching_of(request: Request) -> SharedCaching | None:
    """The app's shared-cache mode (None: off)."""
    found: SharedCaching | None = getattr(request.app.state, "shared_caching", None)
    return found


def without_vary(headers: Headers) -> Headers:
    """CORS headers without their own ``Vary`` line (the shared answer's covers Origin)."""
    return [(name, value) for name, value in headers if name != b"vary"]
