"""Moderator API (the admin UI's): log in and out, close and reopen threads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain import moderators, threads
from palabre.domain.errors import Unauthorized
from palabre.domain.models import rfc3339
from palabre.web.api import json_response, state
from palabre.web.body import json_body


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


async def close_thread(request: Request) -> Response:
    return await set_closed(request, True)


async def open_thread(request: Request) -> Response:
    return await set_closed(request, False)


routes = [
    Route("/api/admin/login", login, methods=["POST"]),
    Route("/api/admin/logout", logout, methods=["POST"]),
    Route("/api/admin/me", me, methods=["GET"]),
    Route("/api/admin/threads/close", close_thread, methods=["POST"]),
    Route("/api/admin/threads/open", open_thread, methods=["POST"]),
]
