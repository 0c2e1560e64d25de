"""Public API v1 handlers: parse, call one domain function, serialise."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain import comments, threads
from palabre.domain.comments import Actor
from palabre.domain.context import Context
from palabre.domain.identity import client_key
from palabre.web.body import json_body
from palabre.web.clients import Network, client_address
from palabre.web.fastpath import cache_key, not_modified
from palabre.web.feed import atom_feed
from palabre.web.serialise import comment_json, dumps, page_json, thread_json
from palabre.web.sessions import Sessions
from palabre.web.thread_cache import Entry, ThreadCache, make_etag

JSON = "application/json"


@dataclass
class State:
    """What the handlers share: the domain context, the cache, the server settings."""

    ctx: Context
    cache: ThreadCache
    proxies: tuple[Network, ...]
    max_body_bytes: int
    public_url: str
    sessions: Sessions


def state(request: Request) -> State:
    found: State = request.app.state.palabre
    return found


def json_response(data: object, status: int = 200) -> Response:
    return Response(dumps(data), status_code=status, media_type=JSON)


async def actor(request: Request, st: State) -> Actor:
    """Who is asking: the client's keyed hash, an author token, a moderator's session."""
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
    address = client_address(request, st.proxies)
    moderator_id = st.sessions.moderator_id(request)
    moderator = (moderator_id is not None
                 and await st.ctx.storage.get_moderator_by_id(moderator_id) is not None)
    return Actor(client=client_key(st.ctx.secret, address), token=token or None,
                 moderator=moderator, origin=request.headers.get("origin"))


async def list_comments(request: Request) -> Response:
    """Cache misses only: hits are answered by web/fastpath.py before routing."""
    st = state(request)
    token = await st.cache.snapshot()
    q = request.query_params
    page = await threads.thread_page(
        st.ctx, q.get("site"), q.get("uri"), threads.parse_sort(q.get("sort")),
        threads.parse_limit(q.get("limit")), q.get("cursor"),
    )
    body = dumps(page_json(page))
    info = page.thread
    entry = Entry(body, make_etag(body), token, info.closes_at, info.site_id, info.uri,
                  info.version)
    return await cached_response(request, st, entry)


async def cached_response(request: Request, st: State, entry: Entry) -> Response:
    st.cache.put(cache_key(request.url.path, request.scope["query_string"]), entry)
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache"}
    if not_modified(request.headers.get("if-none-match", "").encode() or None, entry.etag):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type=JSON, headers=headers)


async def get_thread(request: Request) -> Response:
    st = state(request)
    info = await threads.thread_info(st.ctx, request.query_params.get("site"),
                                     request.query_params.get("uri"))
    return json_response(thread_json(info))


async def post_comment(request: Request) -> Response:
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    posted = await comments.post_comment(st.ctx, body, await actor(request, st))
    return json_response({"comment": comment_json(posted.comment), "token": posted.token}, 201)


async def edit_comment(request: Request) -> Response:
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    edited = await comments.edit_comment(st.ctx, request.path_params["id"], body,
                                         await actor(request, st))
    return json_response({"comment": comment_json(edited)})


async def delete_comment(request: Request) -> Response:
    st = state(request)
    if request.headers.get("content-length", "0") not in ("", "0"):
        await json_body(request, st.max_body_bytes)
    await comments.delete_comment(st.ctx, request.path_params["id"], await actor(request, st))
    return Response(status_code=204)


async def vote(request: Request) -> Response:
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    likes, dislikes = await comments.vote(st.ctx, request.path_params["id"], body,
                                          await actor(request, st))
    return json_response({"likes": likes, "dislikes": dislikes})


async def counts(request: Request) -> Response:
    st = state(request)
    q = request.query_params
    token = await st.cache.snapshot()
    found = await threads.counts(st.ctx, q.get("site"), q.getlist("uri"))
    body = dumps({"counts": found})
    return await cached_response(request, st, Entry(body, make_etag(body), token))


async def feed(request: Request) -> Response:
    st = state(request)
    q = request.query_params
    xml = await atom_feed(st.ctx, q.get("site"), q.get("uri"), st.public_url or
                          str(request.base_url).rstrip("/"), q.get("lang"),
                          request.headers.get("accept-language"))
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


routes = [
    Route("/api/v1/comments", list_comments, methods=["GET"]),
    Route("/api/v1/comments", post_comment, methods=["POST"]),
    Route("/api/v1/comments/{id:int}", edit_comment, methods=["PATCH"]),
    Route("/api/v1/comments/{id:int}", delete_comment, methods=["DELETE"]),
    Route("/api/v1/comments/{id:int}/vote", vote, methods=["POST"]),
    Route("/api/v1/threads", get_thread, methods=["GET"]),
    Route("/api/v1/counts", counts, methods=["GET"]),
    Route("/api/v1/feed.atom", feed, methods=["GET"]),
]
