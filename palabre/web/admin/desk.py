"""What every page of the desk shows around its content: who is signed in, the sites they
moderate and the one chosen, the token the page's forms carry."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import sites
from palabre.domain.errors import Forbidden
from palabre.domain.identity import Actor
from palabre.domain.models import Site
from palabre.web.admin import csrf
from palabre.web.admin.views import render
from palabre.web.state import state


async def moderated_sites(request: Request, actor: Actor) -> list[Site]:
    return [s for s in await sites.list_sites(state(request).ctx) if actor.moderates(s.id)]


def chosen_site(request: Request, choices: list[Site], raw: str | None = None) -> Site | None:
    """The site asked for by ``?site=`` (or ``raw``), else the first the moderator has."""
    wanted = raw if raw is not None else request.query_params.get("site", "")
    found = next((s for s in choices if s.slug == wanted), None)
    if found is None and not wanted:
        found = next((s for s in choices if s.slug == "default"), choices[0] if choices else None)
    return found


async def site_for(request: Request, actor: Actor, raw: str | None = None) -> Site:
    """The site named (query or form), which the moderator must moderate (else 403)."""
    site = chosen_site(request, await moderated_sites(request, actor), raw)
    if site is None:
        raise Forbidden("you do not moderate this site", reason="site_forbidden")
    return site


async def render_desk(request: Request, actor: Actor, template: str, *, status: int = 200,
                      site: Site | None = None, **values: Any) -> Response:
    choices = await moderated_sites(request, actor)
    return render(request, template, status=status, me=actor.moderator, sites=choices,
                  is_admin=actor.is_admin,
                  site=site, csrf=csrf.form_token(request, state(request).ctx.secret),
                  done=request.query_params.get("done", ""), **values)
