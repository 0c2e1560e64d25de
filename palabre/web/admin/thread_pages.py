"""The threads page: find a thread by its address, close or reopen it, correct its title."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import threads
from palabre.domain.errors import Forbidden
from palabre.domain.identity import Actor
from palabre.domain.models import Site
from palabre.web.admin.actions import checked_form
from palabre.web.admin.desk import chosen_site, moderated_sites, render_desk
from palabre.web.admin.forms import Form, with_params
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state

LISTED = 30


async def site_for(request: Request, actor: Actor, raw: str | None = None) -> Site:
    """The site named (query or form), which the moderator must moderate."""
    site = chosen_site(request, await moderated_sites(request, actor), raw)
    if site is None:
        raise Forbidden("moderators of the site only")
    return site


@page
async def threads_page(request: Request) -> Response:
    actor = await signed_in(request)
    site = await site_for(request, actor)
    uri = request.query_params.get("uri", "").strip()
    ctx = state(request).ctx
    info = await threads.thread_info(ctx, site.slug, uri) if uri else None
    latest = sorted(await ctx.storage.threads_of_site(site.id), key=lambda t: t.created,
                    reverse=True)[:LISTED]
    return await render_desk(request, actor, "threads.html", site=site, uri=uri, info=info,
                             latest=latest)


def back(site: Site, form: Form, done: str) -> str:
    return with_params("/admin/threads", site=site.slug, uri=form.get("uri"), done=done)


async def set_closed(request: Request, closed: bool) -> Response:
    actor, form = await checked_form(request)
    site = await site_for(request, actor, form.get("site"))
    await threads.set_closed(state(request).ctx, site.slug, form.get("uri"), closed, actor)
    return redirect(back(site, form, "closed" if closed else "opened"))


@page
async def close_thread(request: Request) -> Response:
    return await set_closed(request, True)


@page
async def open_thread(request: Request) -> Response:
    return await set_closed(request, False)


@page
async def title_thread(request: Request) -> Response:
    actor, form = await checked_form(request)
    site = await site_for(request, actor, form.get("site"))
    await threads.set_title(state(request).ctx, site.slug, form.get("uri"), form.get("title"),
                            actor)
    return redirect(back(site, form, "retitled"))
