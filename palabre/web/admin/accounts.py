"""The moderators page (admins only): who moderates which sites, a new account (username
and password; an existing username is refused, never overwritten), roles, sites and
disabling."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import moderators, sites
from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.identity import Actor
from palabre.domain.mail import alerts
from palabre.web.admin.actions import checked_form
from palabre.web.admin.desk import render_desk
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state


def admins_only(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only admins manage moderators", reason="admins_only")


async def show(request: Request, actor: Actor, *, status: int = 200, username: str = "",
               error: InvalidInput | None = None) -> Response:
    ctx = state(request).ctx
    return await render_desk(request, actor, "moderators.html", status=status,
                             username=username, error=error,
                             accounts=await moderators.list_moderators(ctx, actor),
                             addresses=await alerts.alert_addresses(ctx, actor)
                             if actor.is_admin else {},
                             all_sites=await sites.list_sites(ctx), roles=moderators.ROLES)


@page
async def moderators_page(request: Request) -> Response:
    return await show(request, await signed_in(request))


@page
async def create_moderator(request: Request) -> Response:
    actor, form = await checked_form(request)
    admins_only(actor)
    username = form.get("username").strip()
    ctx = state(request).ctx
    try:
        await moderators.create_moderator(ctx, username, form.get("password"), actor)
    except InvalidInput as exc:
        return await show(request, actor, status=422, username=username, error=exc)
    return redirect("/admin/moderators?done=created")


@page
async def set_access(request: Request) -> Response:
    actor, form = await checked_form(request)
    await moderators.set_access(state(request).ctx, form.get("username"), actor,
                                role=form.get("role"), sites=form.all("sites"),
                                disabled="true" in form.all("disabled"))
    return redirect("/admin/moderators?done=access")
