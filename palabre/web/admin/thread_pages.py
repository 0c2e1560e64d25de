"""The threads page: find a thread by its address, close or reopen it, correct its title."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import threads
from palabre.domain.models import Site
from palabre.web.admin.actions import checked_form
from palabre.web.admin.desk import render_desk, site_for
from palabre.web.admin.forms import Form, with_params
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state

LISTED = 30


@page
async def threads_page(request: Request) -> Response:
    actor = await signed_in(request)
    site = await site_for(request, actor)
    uri = request.query_params.get("uri", "").strip()
    ctx = state(request).ctx
    info = await threads.thread_info(ctx, site.slug, uri) if uri else None
    thread = await ctx.storage.get_thread(site.id, info.uri) if info else None
    latest = sorted(await ctx.storage.threads_of_site(site.id), key=lambda t: t.created,
                    reverse=True)[:LISTED]
    return await render_desk(request, actor, "threads.html", site=site, uri=uri, info=info,
                             thread=thread, latest=latest)


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


@page
async def thread_options(request: Request) -> Response:
    """Pre-moderation and the message shown above the thread."""
    actor, form = await checked_form(request)
    site = await site_for(request, actor, form.get("site"))
    await threads.set_options(state(request).ctx, site.slug, form.get("uri"), actor,
                              premoderate="true" in form.all("premoderate"),
                              message=form.get("message"))
    return redirect(back(site, form, "options"))
