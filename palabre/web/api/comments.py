"""Public API v1, comments: parse into a draft, call one domain function, serialise."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain import comments, reports, threads
from palabre.domain.inputs import (
    parse_comment_draft,
    parse_edit_draft,
    parse_report_draft,
    parse_vote_draft,
)
from palabre.web.api.serialise import comment_json, dumps, page_json
from palabre.web.cache.fastpath import cached_response
from palabre.web.cache.thread_cache import Entry, make_etag
from palabre.web.http.body import json_body
from palabre.web.mail.routes import note_posting_language
from palabre.web.state import identify, json_response, state


async def list_comments(request: Request) -> Response:
    """Cache misses only: hits are answered by web/cache/fastpath.py before routing."""
    st = state(request)
    token = await st.cache.snapshot()
    q = request.query_params
    page = await threads.thread_page(
        st.ctx, q.get("site"), q.get("uri"), threads.parse_sort(q.get("sort")),
        threads.parse_limit(q.get("limit")), q.get("cursor"),
        featured_only=threads.parse_featured(q.get("featured")),
    )
    body = dumps(page_json(page))
    info = page.thread
    entry = Entry(body, make_etag(body), token, info.closes_at, info.site_id, info.uri,
                  info.version)
    return cached_response(request, st.cache, entry)


async def post_comment(request: Request) -> Response:
    st = state(request)
    draft = parse_comment_draft(await json_body(request, st.max_body_bytes))
    await note_posting_language(request, draft.site, draft.email, draft.notify)
    posted = await comments.post_comment(st.ctx, draft, await identify(request))
    return json_response({"comment": comment_json(posted.comment), "token": posted.token}, 201)


async def edit_comment(request: Request) -> Response:
    st = state(request)
    draft = parse_edit_draft(await json_body(request, st.max_body_bytes))
    edited = await comments.edit_comment(st.ctx, request.path_params["id"], draft,
                                         await identify(request))
    return json_response({"comment": comment_json(edited)})


async def delete_comment(request: Request) -> Response:
    st = state(request)
    if request.headers.get("content-length", "0") not in ("", "0"):
        await json_body(request, st.max_body_bytes)
    await comments.delete_comment(st.ctx, request.path_params["id"], await identify(request))
    return Response(status_code=204)


async def report(request: Request) -> Response:
    st = state(request)
    draft = parse_report_draft(await json_body(request, st.max_body_bytes))
    await reports.report_comment(st.ctx, request.path_params["id"], draft,
                                 await identify(request))
    return Response(status_code=204)


async def vote(request: Request) -> Response:
    st = state(request)
    draft = parse_vote_draft(await json_body(request, st.max_body_bytes))
    likes, dislikes = await comments.vote(st.ctx, request.path_params["id"], draft,
                                          await identify(request))
    return json_response({"likes": likes, "dislikes": dislikes})


routes = [
    Route("/api/v1/comments", list_comments, methods=["GET"]),
    Route("/api/v1/comments", post_comment, methods=["POST"]),
    Route("/api/v1/comments/{id:int}", edit_comment, methods=["PATCH"]),
    Route("/api/v1/comments/{id:int}", delete_comment, methods=["DELETE"]),
    Route("/api/v1/comments/{id:int}/vote", vote, methods=["POST"]),
    Route("/api/v1/comments/{id:int}/report", report, methods=["POST"]),
]
