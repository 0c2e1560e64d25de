"""Moderator API (the admin UI's): log in and out, close and reopen threads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain import moderation, moderators, threads
from palabre.domain.errors import Unauthorized
from palabre.domain.models import Comment, rfc3339
from palabre.web.api import actor, json_response, state
from palabre.web.body import json_body, require_json
from palabre.web.serialise import comment_json


async def require_moderator(request: Request) -> int:
    st = state(request)
    moderator_id = st.sessions.moderator_id(request)
    if moderator_id is None or await st.ctx.storage.get_moderator_by_id(moderator_id) is None:
        raise Unauthorized("a moderator session is required")
    return moderator_id


async def login(request: Request) -> Response:
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    moderator = await moderators.authenticate(st.ctx, body.get("username"),
                                              body.get("password"))
    response = json_response({"moderator": {"username": moderator.username}})
    st.sessions.open(response, moderator.id, secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    response = Response(status_code=204)
    state(request).sessions.close(response)
    return response


async def me(request: Request) -> Response:
    moderator_id = await require_moderator(request)
    found = await state(request).ctx.storage.get_moderator_by_id(moderator_id)
    return json_response({"moderator": {"username": found.username if found else ""}})


async def set_closed(request: Request, closed: bool) -> Response:
    await require_moderator(request)
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    thread = await threads.set_closed(st.ctx, body.get("site") or "default",
                                      body.get("uri") or "", closed)
    return json_response({"thread": {"uri": thread.uri, "closed": thread.closed,
                                     "created": rfc3339(thread.created)}})


def moderated_json(comment: Comment) -> dict[str, object]:
    """A comment as moderators see it: with its email and Markdown source."""
    return {**comment_json(comment), "email": comment.email, "text": comment.text,
            "status": comment.status.value}


async def moderation_queue(request: Request) -> Response:
    await require_moderator(request)
    st = state(request)
    pending = await moderation.queue(st.ctx, request.query_params.get("site"),
                                     await actor(request, st))
    return json_response({"comments": [moderated_json(c) for c in pending]})


async def moderate(request: Request) -> Response:
    await require_moderator(request)
    st = state(request)
    require_json(request)  # like every write: no cross-site form can post here
    comment = await moderation.moderate(st.ctx, request.path_params["id"],
                                        request.path_params["action"], await actor(request, st))
    return json_response({"comment": moderated_json(comment)})


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
]
