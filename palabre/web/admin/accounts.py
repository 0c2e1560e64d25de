"""The moderators page: who moderates, and a new moderator's account (username and
password). Creating never replaces an existing account's password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import moderators
from palabre.domain.errors import InvalidInput
from palabre.domain.identity import Actor
from palabre.web.admin.actions import checked_form
from palabre.web.admin.desk import render_desk
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state


async def show(request: Request, actor: Actor, *, status: int = 200, username: str = "",
               error: InvalidInput | None = None) -> Response:
    return await render_desk(request, actor, "moderators.html", status=status,
                             username=username, error=error)


@page
async def moderators_page(request: Request) -> Response:
    return await show(request, await signed_in(request))


@page
async def create_moderator(request: Request) -> Response:
    actor, form = await checked_form(request)
    username = form.get("username").strip()
    ctx = state(request).ctx
    try:
        if await ctx.storage.get_moderator(username) is not None:
            raise InvalidInput("this username is taken", reason="username_taken",
                               field="username")
        await moderators.save_moderator(ctx, username, form.get("password"))
    except InvalidInput as exc:
        return await show(request, actor, status=422, username=username, error=exc)
    return redirect("/admin/moderators?done=created")
