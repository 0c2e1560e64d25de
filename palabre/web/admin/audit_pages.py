"""The audit log: who did what, when, to what, with the values before and after; filtered
by site and action, newest first, older pages by the last id shown."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import audit
from palabre.web.admin.desk import moderated_sites, render_desk
from palabre.web.admin.guard import page, signed_in
from palabre.web.state import state

ACTIONS = ("approve", "reject", "spam", "feature", "unfeature", "undo", "ban", "suspend",
           "premoderate", "spamban", "lift", "close", "reopen", "title", "thread_options",
           "settings", "moderator")


@page
async def audit_page(request: Request) -> Response:
    actor = await signed_in(request)
    q = request.query_params
    choices = await moderated_sites(request, actor)
    site = next((s for s in choices if s.slug == q.get("site")), None)
    action = q.get("action") if q.get("action") in ACTIONS else None
    before = q.get("before", "")
    found = await audit.entries(state(request).ctx, actor, site=site.slug if site else None,
                                action=action, limit=audit.PAGE,
                                before_id=int(before) if before.isdigit() and len(before) < 19
                                else None)
    names = {s.id: s.name for s in choices}
    return await render_desk(request, actor, "audit.html", site=site, entries=found,
                             action=action or "", actions=ACTIONS, names=names,
                             more=len(found) == audit.PAGE)
