"""Sanctions: imposed on a comment's author from its card, listed and lifted on their page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import sanctions
from palabre.web.admin.actions import back, checked_form
from palabre.web.admin.desk import render_desk, site_for
from palabre.web.admin.forms import with_params
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state


@page
async def sanction(request: Request) -> Response:
    actor, form = await checked_form(request)
    draft = sanctions.parse_sanction(form.get("kind"), form.get("hours") or None,
                                     form.get("why"))
    await sanctions.sanction_author(state(request).ctx, request.path_params["id"], draft,
                                    actor)
    return back(form, done=f"sanction_{draft.kind}")


@page
async def sanctions_page(request: Request) -> Response:
    actor = await signed_in(request)
    site = await site_for(request, actor)
    found = await sanctions.sanctions(state(request).ctx, site.slug, actor)
    return await render_desk(request, actor, "sanctions.html", site=site,
                             found=sorted(found, key=lambda b: b.created, reverse=True))


@page
async def lift(request: Request) -> Response:
    actor, form = await checked_form(request)
    site = await site_for(request, actor, form.get("site"))
    raw = form.get("id")
    await sanctions.lift(state(request).ctx, int(raw) if raw.isdigit() and len(raw) < 19
                         else 0, actor)
    return redirect(with_params("/admin/sanctions", site=site.slug, done="lifted"))
