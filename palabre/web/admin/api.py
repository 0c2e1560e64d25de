"""Moderator API (the admin UI's): log in and out, the queue, close and reopen threads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain import moderation, moderators, threads
from palabre.domain.errors import Unauthorized
from palabre.domain.identity import Actor
from palabre.domain.models import Comment, rfc3339
from palabre.web.api.serialise import comment_json
from palabre.web.http.body import json_body, require_json
from palabre.web.http.clients import over_tls
from palabre.web.state import identify, json_response, state


async def moderator(request: Request) -> Actor:
    """Who is asking, who must be a signed-in moderator (401 otherwise)."""
    actor = await identify(request)
    if actor.moderator is None:
        raise Unauthorized("a moderator session is required")
    return actor


async def login(request: Request) -> Response:
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    found = await moderators.authenticate(st.ctx, body.get("username"), body.get("password"),
                                          await identify(request))
    generation = await moderators.session_generation(st.ctx, found)
    response = json_response({"moderator": {"username": found.username}})
    st.sessions.open(response, found.id, generation, secure=over_tls(request, st.proxies))
    return response


async def logout(request: Request) -> Response:
    """End the session: this cookie and every other of the moderator's stop working."""
    actor = await identify(request)
    st = state(request)
    if actor.moderator is not None:
        await moderators.end_sessions(st.ctx, actor.moderator)
    response = Response(status_code=204)
    st.sessions.close(response)
    return response


async def me(request: Request) -> Response:
    actor = await moderator(request)
    assert actor.moderator is not None
    return json_response({"moderator": {"username": actor.moderator.username}})


async def set_closed(request: Request, closed: bool) -> Response:
    actor = await moderator(request)
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    thread = await threads.set_closed(st.ctx, body.get("site") or "default",
                                      body.get("uri") or "", closed, actor)
    return json_response({"thread": {"uri": thread.uri, "closed": thread.closed,
                                     "created": rfc3339(thread.created)}})


def moderated_json(comment: Comment) -> dict[str, object]:
    """A comment as moderators see it: with its email and Markdown source."""
    return {**comment_json(comment), "email": comment.email, "text": comment.text,
            "status": comment.status.value}


async def moderation_queue(request: Request) -> Response:
    actor = await moderator(request)
    pending = await moderation.queue(state(request).ctx, request.query_params.get("site"),
                                     actor)
    return json_response({"comments": [moderated_json(c) for c in pending]})


async def moderate(request: Request) -> Response:
    actor = await moderator(request)
    require_json(request)  # like every write: no cross-site form can post here
    comment = await moderation.moderate(state(request).ctx, request.path_params["id"],
                                        request.path_params["action"], actor)
    return json_response({"comment": moderated_json(comment)})


async def title_thread(request: Request) -> Response:
    actor = await moderator(request)
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    thread = await threads.set_title(st.ctx, body.get("site") or "default",
                                     body.get("uri") or "", body.get("title"), actor)
    return json_response({"thread": {"uri": thread.uri, "title": thread.title,
                                     "closed": thread.closed,
                                     "created": rfc3339(thread.created)}})


async def close_thread(request: Request) -> Response:
    return await set_closed(request, True)


async def open_thread(request: Request) -> Response:
    return await set_closed(request, False)


routes = [
    Route("/api/admin/login", login, methods=["POST"]),
    Route("/api/admin/logout", logout, methods=["POST"]),
    Route("/api/admin/me", me, methods=["GET"]),
    Route("/api/admin/queue", moderation_queue, methods=["GET"]),
    Route("/api/admin/comments/{id:int}/{action}", moderate, methods=["POST"]),
    Route("/api/admin/threads/close", close_thread, methods=["POST"]),
    Route("/api/admin/threads/open", open_thread, methods=["POST"]),
    Route("/api/admin/threads/title", title_thread, methods=["POST"]),
]
