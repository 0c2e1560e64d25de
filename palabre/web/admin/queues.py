"""The queues: comments waiting for a decision, as cards with their actions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import moderation
from palabre.domain.errors import NotFound
from palabre.web.admin.cards import card_page
from palabre.web.admin.desk import chosen_site, moderated_sites, render_desk
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import error_page
from palabre.web.state import state

KINDS = ("pending", "reported", "recent", "rejected", "spam")
AVAILABLE = ("pending",)  # what the domain's queue serves today
REASONS = ("offensive", "abusive", "spam", "off_topic", "illegal", "harassment",
           "misinformation", "other")


def page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) < 7 else 1


@page
async def queue_page(request: Request) -> Response:
    actor = await signed_in(request)
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise NotFound("no such queue")
    site = chosen_site(request, await moderated_sites(request, actor))
    if site is None:
        return error_page(request, 403, "error.forbidden")
    q = request.query_params
    search = {"text": q.get("q", ""), "author": q.get("author", ""),
              "article": q.get("article", "")}
    comments = (await moderation.queue(state(request).ctx, site.slug, actor)
                if kind in AVAILABLE else [])
    cards = await card_page(state(request).ctx, site, comments, page=page_number(q.get("page")),
                            **search)
    return await render_desk(request, actor, "queue.html", site=site, kind=kind, kinds=KINDS,
                       available=kind in AVAILABLE, cards=cards, search=search,
                       reasons=REASONS, here=request.url.path + (
                           f"?{request.url.query}" if request.url.query else ""))
