"""Public API v1, threads: a thread's details, counts for many pages, the Atom feed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain import threads
from palabre.web.api.feed import atom_feed
from palabre.web.api.serialise import dumps, thread_json
from palabre.web.cache.fastpath import cached_response
from palabre.web.cache.thread_cache import Entry, make_etag
from palabre.web.state import json_response, state


async def get_thread(request: Request) -> Response:
    st = state(request)
    info = await threads.thread_info(st.ctx, request.query_params.get("site"),
                                     request.query_params.get("uri"))
    return json_response(thread_json(info))


async def counts(request: Request) -> Response:
    st = state(request)
    q = request.query_params
    token = await st.cache.snapshot()
    found = await threads.counts(st.ctx, q.get("site"), q.getlist("uri"))
    body = dumps({"counts": found})
    return cached_response(request, st.cache, Entry(body, make_etag(body), token))


async def feed(request: Request) -> Response:
    st = state(request)
    q = request.query_params
    # Absolute links only from the configured address, never from the request's Host
    # header (which anyone can set): without one, the feed links to itself by path.
    xml = await atom_feed(st.ctx, q.get("site"), q.get("uri"), st.public_url.rstrip("/"),
                          q.get("lang"), request.headers.get("accept-language"))
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


routes = [
    Route("/api/v1/threads", get_thread, methods=["GET"]),
    Route("/api/v1/counts", counts, methods=["GET"]),
    Route("/api/v1/feed.atom", feed, methods=["GET"]),
]
