"""The moderation desk: the routes of the server-rendered admin pages under /admin."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.web.admin import actions, queues, signin, static
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import error_page, redirect


@page
async def home(request: Request) -> Response:
    await signed_in(request)
    return redirect(signin.HOME)


@page
async def not_found(request: Request) -> Response:
    await signed_in(request)
    return error_page(request, 404, "error.not_found")


routes = [
    Route("/admin", home, methods=["GET"]),
    Route("/admin/", home, methods=["GET"]),
    Route("/admin/login", signin.login_form, methods=["GET"]),
    Route("/admin/login", signin.login, methods=["POST"]),
    Route("/admin/logout", signin.logout, methods=["POST"]),
    Route("/admin/static/{name}", static.asset, methods=["GET"]),
    Route("/admin/queue/{kind}", queues.queue_page, methods=["GET"]),
    Route("/admin/comments/bulk", actions.moderate_many, methods=["POST"]),
    Route("/admin/comments/{id:int}/{action}", actions.moderate_one, methods=["POST"]),
    Route("/admin/{rest:path}", not_found),
]
